//! Secrets handed out once and kept only as digests: refresh tokens, binding tickets, invite
//! codes. A database leak then reveals nothing that can be presented back.

use base64::Engine;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Letters and digits nobody confuses when reading them aloud or typing them (no 0/O, 1/I/L).
const INVITE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// An invite code like `K7PM-3QXD`: 8 symbols of 31, about 40 bits.
pub fn invite_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let symbols: String = (0..8)
        .map(|_| INVITE_ALPHABET[rng.gen_range(0..INVITE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &symbols[..4], &symbols[4..])
}

/// An invite code as people type it: any case, with or without the dash or spaces.
pub fn normalise_invite(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The hex SHA-256 that is stored in place of the secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_codes_read_back_however_they_are_typed() {
        let code = invite_code();
        assert_eq!(code.len(), 9);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(
            digest(&normalise_invite(&typed)),
            digest(&normalise_invite(&code))
        );
        assert!(normalise_invite(&code)
            .bytes()
            .all(|b| INVITE_ALPHABET.contains(&b)));
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(random_token(), random_token());
    }
}
