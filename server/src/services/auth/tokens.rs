//! Access tokens: HS256 JWTs that live for minutes. Expiry is checked against the server's
//! [`Clock`](crate::infra::clock::Clock), not the library's, so pinned-clock tests behave like production.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AuthFailure;
use crate::infra::config::Secret;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The member's id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: i64,
    /// How long a refresh token lasts.
    pub refresh_ttl_days: i64,
}

impl TokenKeys {
    pub fn new(secret: &Secret, ttl_secs: i64, refresh_ttl_days: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl_secs,
            refresh_ttl_days,
        }
    }

    pub fn issue(&self, member_id: &str, now: DateTime<Utc>) -> anyhow::Result<String> {
        let claims = Claims {
            sub: member_id.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_secs,
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The member id in a valid, unexpired token.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<String, AuthFailure> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthFailure::InvalidToken)?;
        if data.claims.exp <= now.timestamp() {
            return Err(AuthFailure::ExpiredToken);
        }
        Ok(data.claims.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&Secret::new(secret), 900, 30)
    }

    #[test]
    fn a_fresh_token_verifies_until_it_expires() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let now = Utc::now();
        let t = k.issue("m1", now).unwrap();
        assert_eq!(k.verify(&t, now).unwrap(), "m1");
        assert_eq!(
            k.verify(&t, now + chrono::Duration::seconds(901)),
            Err(AuthFailure::ExpiredToken)
        );
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let now = Utc::now();
        let forged = keys("another-key-another-key-another-key")
            .issue("m1", now)
            .unwrap();
        assert_eq!(
            keys("0123456789abcdef0123456789abcdef").verify(&forged, now),
            Err(AuthFailure::InvalidToken)
        );
    }
}
