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

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{AppError, AppResult};
use crate::infra::changes::Changes;
use crate::infra::config::Config;

/// What signing in shares across requests: the bounded password hashers, the per-account
/// throttle, the view of ended sessions and the turns at looking up presented tokens.
pub struct Guards {
    pub hashers: hashing::Hashers,
    pub throttle: throttle::AccountThrottle,
    pub revocations: revocations::Revocations,
    /// Refresh and sign-out look a token up for anyone who presents one. However many arrive,
    /// from however many addresses, only this many lookups run at once; the rest are answered
    /// 503 at once, so junk tokens cannot take the database's connections and the cores from
    /// the members' own work. A member's app renews a moment later.
    lookups: Arc<Semaphore>,
}

impl Guards {
    /// A turn at looking up a presented refresh token, or 503 `service.busy` when all are taken.
    pub fn lookup_turn(&self) -> AppResult<OwnedSemaphorePermit> {
        self.lookups.clone().try_acquire_owned().map_err(|_| {
            crate::infra::metrics::refused(crate::infra::metrics::Limit::TokenLookups);
            AppError::Busy {
                retry_after_secs: 1,
            }
        })
    }
}

impl Guards {
    pub fn new(config: &Config, changes: Changes) -> Self {
        Self {
            hashers: hashing::Hashers::new(&config.limits),
            throttle: throttle::AccountThrottle::new(&config.limits),
            revocations: revocations::Revocations::new(changes, config.access_token_ttl_secs),
            lookups: Arc::new(Semaphore::new(config.limits.token_lookups.max(1))),
        }
    }
}
