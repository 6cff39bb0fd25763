//! Access tokens: HS256 JWTs that live for minutes. Expiry is checked against the server's
//! [`Clock`](crate::infra::clock::Clock), not the library's, so pinned-clock tests behave like production.
//!
//! Each token names its session (`sid`, the refresh-token family it was issued with), so that a
//! session that ends (sign-out, reuse detected, password changed) ends its access tokens too; see
//! [`super::revocations`]. `iss` and `aud` keep a token minted for anything else with the same key
//! from being taken for one of ours.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AuthFailure;
use crate::infra::config::Secret;

/// Who issues Jifen's access tokens.
pub const ISSUER: &str = "jifen";
/// Whom they are for: Jifen's API.
pub const AUDIENCE: &str = "jifen-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The member's id.
    pub sub: String,
    /// The session: the refresh-token family the token was issued with.
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    pub member_id: String,
    pub session_id: String,
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
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl_secs,
            refresh_ttl_days,
        }
    }

    /// An access token for the member in session `session_id`.
    pub fn issue(
        &self,
        member_id: &str,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: member_id.to_owned(),
            sid: session_id.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl_secs,
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The member and session of a valid, unexpired token of ours. Whether the session is
    /// still open is for [`super::revocations`] to say.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Bearer, AuthFailure> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| AuthFailure::InvalidToken)?;
        let claims = data.claims;
        if claims.iss != ISSUER || claims.aud != AUDIENCE || claims.sid.is_empty() {
            return Err(AuthFailure::InvalidToken);
        }
        if claims.exp <= now.timestamp() {
            return Err(AuthFailure::ExpiredToken);
        }
        Ok(Bearer {
            member_id: claims.sub,
            session_id: claims.sid,
        })
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
        let t = k.issue("m1", "s1", now).unwrap();
        let bearer = k.verify(&t, now).unwrap();
        assert_eq!(
            (bearer.member_id.as_str(), bearer.session_id.as_str()),
            ("m1", "s1")
        );
        assert_eq!(
            k.verify(&t, now + chrono::Duration::seconds(901)),
            Err(AuthFailure::ExpiredToken)
        );
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let now = Utc::now();
        let forged = keys("another-key-another-key-another-key")
            .issue("m1", "s1", now)
            .unwrap();
        assert_eq!(
            keys("0123456789abcdef0123456789abcdef").verify(&forged, now),
            Err(AuthFailure::InvalidToken)
        );
    }

    #[test]
    fn a_token_for_another_audience_or_without_a_session_is_refused() {
        let secret = "0123456789abcdef0123456789abcdef";
        let k = keys(secret);
        let now = Utc::now();
        let foreign = |sid: &str, aud: &str| {
            let claims = Claims {
                sub: "m1".into(),
                sid: sid.into(),
                iss: ISSUER.into(),
                aud: aud.into(),
                iat: now.timestamp(),
                exp: now.timestamp() + 60,
            };
            encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(secret.as_bytes()),
            )
            .unwrap()
        };
        assert!(k.verify(&foreign("s1", AUDIENCE), now).is_ok());
        assert_eq!(
            k.verify(&foreign("s1", "another-service"), now),
            Err(AuthFailure::InvalidToken)
        );
        assert_eq!(
            k.verify(&foreign("", AUDIENCE), now),
            Err(AuthFailure::InvalidToken)
        );
        // A token from before sessions were named (no `sid`) no longer passes.
        let old = encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({ "sub": "m1", "iat": now.timestamp(), "exp": now.timestamp() + 60 }),
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap();
        assert_eq!(k.verify(&old, now), Err(AuthFailure::InvalidToken));
    }
}
