//! Who sent a piece of feedback, as far as the committee and the limits need to know: a keyed
//! hash of the sender's address, never the address itself.

use std::net::IpAddr;

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

    /// Hex HMAC of the address. An IPv6 client usually holds a whole /64, so only that prefix
    /// counts: a sender cannot become many senders by changing the address's last half.
    pub fn hash(&self, addr: IpAddr) -> String {
        let counted = match addr {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        };
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(counted.as_bytes());
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
    fn a_sender_is_a_keyed_hash_of_the_address_and_an_ipv6_client_is_its_slash_64() {
        let k = key("one-server-secret-one-server-secret");
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        let v4 = k.hash(a("203.0.113.7"));
        assert_eq!(v4.len(), 64);
        assert!(!v4.contains("203"), "no address in the hash");
        assert_eq!(
            v4,
            k.hash(a("::ffff:203.0.113.7")),
            "a mapped address is the same"
        );
        assert_ne!(v4, k.hash(a("203.0.113.8")));
        assert_eq!(
            k.hash(a("2001:db8:1:2::1")),
            k.hash(a("2001:db8:1:2:ffff::9")),
            "one /64, one sender"
        );
        assert_ne!(k.hash(a("2001:db8:1:2::1")), k.hash(a("2001:db8:1:3::1")));
        assert_ne!(
            v4,
            key("another-server-secret-another-secret").hash(a("203.0.113.7")),
            "without the key the hash cannot be matched to an address"
        );
    }
}
