//! Who is on the other end of the connection: the client's address, from the peer, or from the
//! header a trusted reverse proxy sets. Limits per client ([`crate::http::limits`]) and anything
//! else that counts per client use this, never a header taken on trust.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderMap;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::error::AppError;
use crate::infra::config::LimitsConfig;

/// The caller's address as far as this server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The peer address, or when the peer is a trusted proxy and a client header is configured,
    /// the address the proxy reports. For `X-Forwarded-For` that is the right-most address that is
    /// not itself a trusted proxy (the left part is whatever the client wrote).
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, limits: &LimitsConfig) -> Self {
        let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let Some(name) = limits.client_ip_header.as_deref() else {
            return Self(peer);
        };
        if !limits.trusted_proxies.contains(&peer) {
            return Self(peer);
        }
        let told = headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        told.iter()
            .rev()
            .filter_map(|a| a.parse::<IpAddr>().ok())
            .find(|a| !limits.trusted_proxies.contains(a))
            .map(Self)
            .unwrap_or(Self(peer))
    }

    pub fn of_service_request(req: &ServiceRequest, limits: &LimitsConfig) -> Self {
        Self::resolve(req.peer_addr().map(|a| a.ip()), req.headers(), limits)
    }
}

/// Who counts as one client: an IPv4 address, or the /64 network of an IPv6 address (one home or
/// phone gets a whole /64, so counting single IPv6 addresses would let one client be millions).
/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is that IPv4 address. Limits count these,
/// and feedback is kept per sender by a keyed hash of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    V4(std::net::Ipv4Addr),
    /// The first 64 bits of the address.
    V6Network(u64),
}

impl ClientAddr {
    pub fn client(self) -> Client {
        match self.0 {
            IpAddr::V4(v4) => Client::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::V4(v4),
                None => Client::V6Network((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Client::V4(v4) => v4.fmt(f),
            Client::V6Network(n) => write!(
                f,
                "{:x}:{:x}:{:x}:{:x}::/64",
                n >> 48,
                (n >> 32) & 0xffff,
                (n >> 16) & 0xffff,
                n & 0xffff
            ),
        }
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequest for ClientAddr {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    /// The address [`crate::http::middleware::per_client`] resolved for this request.
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<ClientAddr>()
                .copied()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("client address not resolved"))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    fn behind_proxy() -> LimitsConfig {
        LimitsConfig {
            client_ip_header: Some("x-forwarded-for".into()),
            trusted_proxies: vec!["10.0.0.1".parse().unwrap()],
            ..LimitsConfig::default()
        }
    }

    #[test]
    fn without_a_configured_header_the_peer_is_the_client() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        let got = ClientAddr::resolve(
            Some("5.6.7.8".parse().unwrap()),
            &h,
            &LimitsConfig::default(),
        );
        assert_eq!(got.0.to_string(), "5.6.7.8");
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_a_forged_prefix_is_ignored() {
        let h = headers(&[("x-forwarded-for", "9.9.9.9, 1.2.3.4")]);
        let got = ClientAddr::resolve(Some("10.0.0.1".parse().unwrap()), &h, &behind_proxy());
        assert_eq!(got.0.to_string(), "1.2.3.4", "the address the proxy saw");
    }

    #[test]
    fn one_ipv6_network_is_one_client_and_a_mapped_ipv4_is_itself() {
        let client = |s: &str| ClientAddr(s.parse().unwrap()).client();
        assert_eq!(client("2001:db8:1:2::1"), client("2001:db8:1:2:ffff::9"));
        assert_ne!(client("2001:db8:1:2::1"), client("2001:db8:1:3::1"));
        assert_eq!(client("::ffff:203.0.113.7"), client("203.0.113.7"));
        assert_eq!(client("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
        assert_eq!(client("203.0.113.7").to_string(), "203.0.113.7");
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_not_believed() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        let got = ClientAddr::resolve(Some("5.6.7.8".parse().unwrap()), &h, &behind_proxy());
        assert_eq!(got.0.to_string(), "5.6.7.8");
    }
}
