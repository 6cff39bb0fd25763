//! Limits per client address on the routes anyone can call without an account (sign-in,
//! refresh, WeChat sign-in and binding, public feedback) and on photo uploads: a GCRA bucket per
//! client and route group ([`governor`]), checked by [`crate::http::middleware::per_client`]
//! before the request reaches its handler, so a flood is answered 429 with `Retry-After` without
//! touching the database or the password hasher.
//!
//! The server's own HTML pages that anyone can call (the board's feedback form, the check of a
//! statement's code) take from these buckets in their handlers instead, still before any database
//! work, so that a refusal can be a page in the reader's language (`http::routes::public_pages`).
//!
//! These buckets live in each instance's memory: behind a load balancer every instance grants its
//! own share. What must hold across instances (failed sign-ins per account) is counted in the
//! database by the sign-in service instead.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::Method;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::{AppError, Throttle};
use crate::http::client::{Client, ClientAddr};
use crate::infra::config::{LimitsConfig, Rate};

/// After this many checks the buckets of clients idle long enough to be full again are dropped.
const FORGET_EVERY: u64 = 4096;

pub struct Limits {
    login: DefaultKeyedRateLimiter<Client>,
    refresh: DefaultKeyedRateLimiter<Client>,
    wechat: DefaultKeyedRateLimiter<Client>,
    feedback: DefaultKeyedRateLimiter<Client>,
    upload: DefaultKeyedRateLimiter<Client>,
    verify: DefaultKeyedRateLimiter<Client>,
    clock: DefaultClock,
    checks: AtomicU64,
}

fn quota(rate: Rate) -> Quota {
    let per_minute = NonZeroU32::new(rate.per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(rate.burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl Limits {
    pub fn new(config: &LimitsConfig) -> Self {
        Self {
            login: DefaultKeyedRateLimiter::keyed(quota(config.login)),
            refresh: DefaultKeyedRateLimiter::keyed(quota(config.refresh)),
            wechat: DefaultKeyedRateLimiter::keyed(quota(config.wechat)),
            feedback: DefaultKeyedRateLimiter::keyed(quota(config.feedback)),
            upload: DefaultKeyedRateLimiter::keyed(quota(config.upload)),
            verify: DefaultKeyedRateLimiter::keyed(quota(config.verify)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Which limit a request falls under, if any: anonymous entry points and uploads only.
    pub fn applying_to(method: &Method, path: &str) -> Option<Throttle> {
        if method != Method::POST {
            return None;
        }
        let route = path.strip_prefix("/api/v1")?;
        match route {
            "/auth/login" => Some(Throttle::Login),
            "/auth/refresh" | "/auth/logout" => Some(Throttle::Refresh),
            "/photos" => Some(Throttle::Upload),
            _ if route.starts_with("/auth/wechat") => Some(Throttle::Wechat),
            _ if route.starts_with("/public/") && route.ends_with("/feedback") => {
                Some(Throttle::Feedback)
            }
            _ => None,
        }
    }

    fn bucket(&self, throttle: Throttle) -> &DefaultKeyedRateLimiter<Client> {
        match throttle {
            Throttle::Login | Throttle::Account => &self.login,
            Throttle::Refresh => &self.refresh,
            Throttle::Wechat => &self.wechat,
            Throttle::Feedback | Throttle::FeedbackWaiting => &self.feedback,
            Throttle::Upload => &self.upload,
            Throttle::Verify => &self.verify,
        }
    }

    /// Takes one request from the client's bucket, or says how long until one is free.
    pub fn check(&self, throttle: Throttle, client: ClientAddr) -> Result<(), AppError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.forget_idle();
        }
        self.bucket(throttle)
            .check_key(&client.client())
            .map_err(|not_until| {
                crate::infra::metrics::refused(throttle);
                let wait = not_until.wait_time_from(self.clock.now());
                AppError::TooMany {
                    limit: throttle,
                    retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                }
            })
    }

    /// Drops the buckets that have refilled, so memory follows the clients active lately.
    fn forget_idle(&self) {
        for bucket in [
            &self.login,
            &self.refresh,
            &self.wechat,
            &self.feedback,
            &self.upload,
            &self.verify,
        ] {
            bucket.retain_recent();
            bucket.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(ip: &str) -> ClientAddr {
        ClientAddr(ip.parse().unwrap())
    }

    #[test]
    fn the_anonymous_entry_points_are_limited_and_nothing_else() {
        let post = Method::POST;
        for (path, want) in [
            ("/api/v1/auth/login", Some(Throttle::Login)),
            ("/api/v1/auth/refresh", Some(Throttle::Refresh)),
            ("/api/v1/auth/logout", Some(Throttle::Refresh)),
            ("/api/v1/auth/wechat", Some(Throttle::Wechat)),
            ("/api/v1/auth/wechat/bind", Some(Throttle::Wechat)),
            (
                "/api/v1/public/branches/demo-1/feedback",
                Some(Throttle::Feedback),
            ),
            ("/api/v1/photos", Some(Throttle::Upload)),
            ("/api/v1/deeds", None),
            ("/api/v1/public/branches/demo-1/board", None),
        ] {
            assert_eq!(Limits::applying_to(&post, path), want, "{path}");
        }
        assert_eq!(
            Limits::applying_to(&Method::GET, "/api/v1/auth/login"),
            None
        );
    }

    #[test]
    fn a_client_past_its_burst_waits_while_others_go_on() {
        let limits = Limits::new(&LimitsConfig {
            login: Rate::new(6, 2),
            ..LimitsConfig::default()
        });
        let a = client("203.0.113.7");
        assert!(limits.check(Throttle::Login, a).is_ok());
        assert!(limits.check(Throttle::Login, a).is_ok());
        match limits.check(Throttle::Login, a) {
            Err(AppError::TooMany {
                limit: Throttle::Login,
                retry_after_secs,
            }) => assert!((1..=10).contains(&retry_after_secs), "{retry_after_secs}"),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limits.check(Throttle::Login, client("203.0.113.8")).is_ok());
        assert!(
            limits.check(Throttle::Feedback, a).is_ok(),
            "each group has its own buckets"
        );
    }
}
