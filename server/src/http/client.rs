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
    fn a_header_from_an_untrusted_peer_is_not_believed() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        let got = ClientAddr::resolve(Some("5.6.7.8".parse().unwrap()), &h, &behind_proxy());
        assert_eq!(got.0.to_string(), "5.6.7.8");
    }
}
