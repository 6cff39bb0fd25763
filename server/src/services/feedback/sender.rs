//! Who sent a piece of feedback, as far as the committee and the limits need to know: a keyed
//! hash of the sender's address, never the address itself.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::infra::config::Secret;

type HmacSha256 = Hmac<Sha256>;

/// The key senders' addresses are hashed with, so that the database holds no address and a
/// stolen copy of it cannot be matched against addresses without the server's key. Derived from
/// the server's signing secret, so every instance of one deployment hashes alike.
#[derive(Clone)]
pub struct ClientKey(Vec<u8>);

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey(***)")
    }
}

impl ClientKey {
    pub fn new(secret: &Secret) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"jifen.feedback.sender.v1");
        Self(mac.finalize().into_bytes().to_vec())
    }

    /// Hex HMAC of the client as limits count it (`http::client::Client`: an IPv4 address or an
    /// IPv6 /64, written out), so a sender cannot become many by changing its address's last half.
    pub fn hash(&self, client: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(client.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> ClientKey {
        ClientKey::new(&Secret::new(secret))
    }

    #[test]
    fn a_sender_is_a_keyed_hash_of_the_counted_client() {
        let k = key("one-server-secret-one-server-secret");
        let v4 = k.hash("203.0.113.7");
        assert_eq!(v4.len(), 64);
        assert!(!v4.contains("203"), "no address in the hash");
        assert_eq!(v4, k.hash("203.0.113.7"), "one client, one sender");
        assert_ne!(v4, k.hash("203.0.113.8"));
        assert_ne!(k.hash("2001:db8:1:2::/64"), k.hash("2001:db8:1:3::/64"));
        assert_ne!(
            v4,
            key("another-server-secret-another-secret").hash("203.0.113.7"),
            "without the key the hash cannot be matched to an address"
        );
    }
}
