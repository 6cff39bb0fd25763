//! Failed password sign-ins per account, counted in the database so that every instance behind
//! a load balancer sees the same count: after `account_failures` failures within
//! `account_window_secs` of the first, the account's sign-in is answered 429 until the window
//! ends, before any password is checked. Only existing accounts are counted (an unknown username
//! writes nothing), and a successful sign-in clears the count.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entity::login_failure::{self, Column};
use crate::error::{AppError, AppResult, Throttle};
use crate::infra::config::LimitsConfig;

#[derive(Debug, Clone, Copy)]
pub struct AccountThrottle {
    failures: u32,
    window: Duration,
}

impl AccountThrottle {
    pub fn new(config: &LimitsConfig) -> Self {
        Self {
            failures: config.account_failures.max(1),
            window: Duration::seconds(config.account_window_secs.min(u64::from(u32::MAX)) as i64),
        }
    }

    /// 429 while the member's failures in the current window reached the limit.
    pub async fn check(
        &self,
        db: &impl ConnectionTrait,
        member_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(row) = login_failure::Entity::find_by_id(member_id.to_owned())
            .one(db)
            .await?
        else {
            return Ok(());
        };
        let ends = row.window_started_at + self.window;
        if ends > now && u32::try_from(row.failures).unwrap_or(0) >= self.failures {
            let secs = (ends - now).num_seconds().max(1);
            crate::infra::metrics::refused(Throttle::Account);
            return Err(AppError::TooMany {
                limit: Throttle::Account,
                retry_after_secs: u64::try_from(secs).unwrap_or(1),
            });
        }
        Ok(())
    }

    /// Counts one failure: the first of a new window, or one more in the current one. One
    /// statement, so that failures counted at once by several instances all count.
    pub async fn failed(
        &self,
        db: &impl ConnectionTrait,
        member_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let window_over =
            Expr::col((login_failure::Entity, Column::WindowStartedAt)).lte(now - self.window);
        let insert = Query::insert()
            .into_table(login_failure::Entity)
            .columns([Column::MemberId, Column::Failures, Column::WindowStartedAt])
            .values_panic([member_id.into(), 1.into(), now.into()])
            .on_conflict(
                OnConflict::column(Column::MemberId)
                    .values([
                        (
                            Column::Failures,
                            Expr::case(window_over.clone(), 1)
                                .finally(
                                    Expr::col((login_failure::Entity, Column::Failures)).add(1),
                                )
                                .into(),
                        ),
                        (
                            Column::WindowStartedAt,
                            Expr::case(window_over, now)
                                .finally(Expr::col((
                                    login_failure::Entity,
                                    Column::WindowStartedAt,
                                )))
                                .into(),
                        ),
                    ])
                    .to_owned(),
            )
            .to_owned();
        db.execute(db.get_database_backend().build(&insert)).await?;
        Ok(())
    }

    /// A successful sign-in starts the count afresh.
    pub async fn succeeded(db: &impl ConnectionTrait, member_id: &str) -> AppResult<()> {
        login_failure::Entity::delete_by_id(member_id.to_owned())
            .exec(db)
            .await?;
        Ok(())
    }
}
