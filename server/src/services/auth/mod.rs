//! Who is calling: passwords, access tokens and refresh-token sessions. The request extractor is
//! in [`crate::http::extract`].

pub mod account;
pub mod hashing;
pub mod one_time;
pub mod password;
pub mod revocations;
pub mod sessions;
pub mod throttle;
pub mod tokens;

use crate::infra::changes::Changes;
use crate::infra::config::Config;

/// What signing in shares across requests: the bounded password hashers, the per-account
/// throttle and the view of ended sessions.
pub struct Guards {
    pub hashers: hashing::Hashers,
    pub throttle: throttle::AccountThrottle,
    pub revocations: revocations::Revocations,
}

impl Guards {
    pub fn new(config: &Config, changes: Changes) -> Self {
        Self {
            hashers: hashing::Hashers::new(&config.limits),
            throttle: throttle::AccountThrottle::new(&config.limits),
            revocations: revocations::Revocations::new(changes, config.access_token_ttl_secs),
        }
    }
}
