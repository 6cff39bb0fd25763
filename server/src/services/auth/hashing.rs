//! A bounded pool for password hashing. One Argon2id check holds 19 MiB and a core for tens of
//! milliseconds; without a bound, a few thousand junk sign-ins at once would take gigabytes and
//! every core from the members' requests. So at most `size` run at once, and a caller that finds
//! them all busy for longer than a short wait is answered 503 with `Retry-After` at once, instead
//! of joining a queue that only grows.
//!
//! A pool of one still keeps one core busy for as long as junk keeps coming, from as many
//! addresses as a botnet has. So the pool also has a budget per second for the whole server
//! (`password_hashes_per_second`): past it, sign-ins are answered 503 at once, and the members
//! already signed in (whose sessions renew without a password) keep the cores.

use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};
use crate::infra::config::LimitsConfig;
use crate::infra::metrics::Limit;

/// What a caller that found the pool full is told to wait, in seconds.
const RETRY_AFTER_SECS: u64 = 1;

#[derive(Clone)]
pub struct Hashers {
    permits: Arc<Semaphore>,
    /// Hashes the server may start per second, from everyone together.
    budget: Arc<DefaultDirectRateLimiter>,
    wait: Duration,
    size: usize,
}

impl Hashers {
    /// `password_hashers` at once (0: half the cores, at least one), each caller waiting at most
    /// `password_wait_ms` for a turn.
    pub fn new(config: &LimitsConfig) -> Self {
        let size = match config.password_hashers {
            0 => std::thread::available_parallelism()
                .map(|n| n.get() / 2)
                .unwrap_or(1)
                .max(1),
            n => n,
        };
        let per_second = std::num::NonZeroU32::new(config.password_hashes_per_second.max(1))
            .unwrap_or(std::num::NonZeroU32::MIN);
        Self {
            permits: Arc::new(Semaphore::new(size)),
            budget: Arc::new(DefaultDirectRateLimiter::direct(Quota::per_second(
                per_second,
            ))),
            wait: Duration::from_millis(config.password_wait_ms),
            size,
        }
    }

    /// How many hash at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `work` (a hash or a check) on the blocking pool once a hasher is free, or answers
    /// [`AppError::Busy`] when the second's budget is spent or no hasher frees up within the wait.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if self.budget.check().is_err() {
            crate::infra::metrics::refused(Limit::PasswordHashes);
            return Err(AppError::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        let permit =
            match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(closed)) => return Err(AppError::Internal(closed.into())),
                Err(_elapsed) => {
                    crate::infra::metrics::refused(Limit::PasswordHashers);
                    return Err(AppError::Busy {
                        retry_after_secs: RETRY_AFTER_SECS,
                    });
                }
            };
        tokio::task::spawn_blocking(move || {
            let _turn = permit;
            work()
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))
    }

    /// Checks a password against a stored hash.
    pub async fn verify(&self, password: &str, stored: &str) -> AppResult<bool> {
        let (password, stored) = (password.to_owned(), stored.to_owned());
        self.run(move || super::password::verify(&password, &stored))
            .await
    }

    /// Spends the time of a check, for an account that does not exist.
    pub async fn verify_dummy(&self, password: &str) -> AppResult<()> {
        let password = password.to_owned();
        self.run(move || super::password::verify_dummy(&password))
            .await
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let password = password.to_owned();
        Ok(self.run(move || super::password::hash(&password)).await??)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_pool_answers_busy_after_the_short_wait() {
        let hashers = Hashers::new(&LimitsConfig {
            password_hashers: 1,
            password_wait_ms: 20,
            ..LimitsConfig::default()
        });
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = hashers.clone();
        let holder = tokio::spawn(async move {
            busy.run(move || {
                let _ = hold.recv();
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        assert!(matches!(
            hashers.run(|| ()).await,
            Err(AppError::Busy {
                retry_after_secs: 1
            })
        ));
        assert!(started.elapsed() < Duration::from_secs(1));
        release.send(()).unwrap();
        holder.await.unwrap().unwrap();
        assert_eq!(hashers.run(|| 7).await.unwrap(), 7, "free again");
    }

    #[tokio::test]
    async fn past_the_budget_per_second_sign_ins_wait_even_with_hashers_free() {
        let hashers = Hashers::new(&LimitsConfig {
            password_hashers: 4,
            password_hashes_per_second: 2,
            ..LimitsConfig::default()
        });
        assert_eq!(hashers.run(|| 1).await.unwrap(), 1);
        assert_eq!(hashers.run(|| 2).await.unwrap(), 2);
        assert!(matches!(
            hashers.run(|| 3).await,
            Err(AppError::Busy { .. })
        ));
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(hashers.run(|| 4).await.unwrap(), 4, "the budget refills");
    }
}
