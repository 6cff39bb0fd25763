//! The worker that sends queued subscribe messages.
//!
//! A message is claimed with a short lease (so that several instances never send the same one at
//! once), sent, and then marked `sent`, `refused` (43101: the member has no subscription left;
//! final), `failed` (WeChat refuses the message itself; final), or put back with a longer wait
//! when WeChat is busy or unreachable. A restart loses nothing: pending rows wait in the table.
//!
//! WeChat offers no idempotency key, so one case can still repeat a message: the process dies
//! after WeChat accepted it and before the row is marked sent. The lease then expires and the
//! message goes again. That window is WeChat's answer plus one database write long. The database
//! being away for a moment (a restart, a failover) does not widen it: the mark is tried again
//! until shortly before the lease ends (see `Worker::settle`); only an outage longer than the
//! lease lets the message go again. `server/tests/fault_story.rs` kills an instance and restarts
//! PostgreSQL under load and counts what WeChat received.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use crate::entity::{outbox, wechat_identity};
use crate::infra::config::OutboxConfig;
use crate::infra::db::Db;
use crate::infra::wechat::client::NO_SUBSCRIPTION;
use crate::infra::wechat::tokens::TokenError;
use crate::infra::wechat::{SubscribeMessage, Wechat, WechatError};

/// Where a queued message stands. Every stored word goes through this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Sent,
    /// 43101: the member has no subscription left; final.
    Refused,
    /// WeChat refuses the message itself; final.
    Failed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Refused => "refused",
            OutboxStatus::Failed => "failed",
        }
    }
}

/// What an outbox row carries: the message without its recipient, who is looked up when it is
/// sent (an account may be unbound in between).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payload {
    pub page: String,
    pub data: serde_json::Value,
}

/// Messages claimed per round.
const BATCH: u64 = 16;
/// How long a claim lasts; a sender that dies lets go after this.
const LEASE_SECS: i64 = 60;
/// A mark that fails is given up this long before the lease ends, so that it never lands after
/// another instance may have claimed the message again.
const MARK_MARGIN_SECS: i64 = 5;

/// The running worker, or nothing when WeChat is off.
pub struct Outbox {
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Outbox {
    pub fn start(db: Db, wechat: Option<Arc<Wechat>>, config: OutboxConfig) -> Self {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let task = wechat.map(|wechat| {
            let worker = Worker { db, wechat, config };
            tokio::spawn(worker.run(wake.clone(), stopped))
        });
        Self {
            wake,
            stop,
            task: std::sync::Mutex::new(task),
        }
    }

    /// Tells the worker that messages were queued (call after the commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops the worker after the message it is sending; what is pending stays queued.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            if tokio::time::timeout(Duration::from_secs(15), task)
                .await
                .is_err()
            {
                tracing::warn!("the outbox worker did not stop in time");
            }
        }
    }
}

struct Worker {
    db: Db,
    wechat: Arc<Wechat>,
    config: OutboxConfig,
}

/// How one try went.
enum Outcome {
    Sent,
    /// Final: WeChat says the member has no subscription left (43101).
    Refused(String),
    /// Final: the message itself is wrong, or nobody to send it to.
    Failed(String),
    /// Try again later.
    Retry(String),
}

impl Worker {
    async fn run(self, wake: Arc<Notify>, mut stopped: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.config.poll_ms.max(10));
        tracing::info!("outbox worker started");
        loop {
            if *stopped.borrow() {
                break;
            }
            let handled = match self.round().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox round failed");
                    0
                }
            };
            if handled > 0 {
                continue;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = stopped.changed() => {}
            }
        }
        tracing::info!("outbox worker stopped");
    }

    /// Claims the messages that are due and sends them; returns how many it handled.
    async fn round(&self) -> Result<usize, sea_orm::DbErr> {
        let now = Utc::now();
        let free = Condition::any()
            .add(outbox::Column::LeaseUntil.is_null())
            .add(outbox::Column::LeaseUntil.lt(now));
        let due = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .filter(outbox::Column::NextAttemptAt.lte(now))
            .filter(free.clone())
            .order_by_asc(outbox::Column::NextAttemptAt)
            .limit(BATCH)
            .all(self.db.conn())
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let txn = self.db.begin_write().await?;
        let mut claimed = Vec::with_capacity(due.len());
        let lease_until = now + chrono::Duration::seconds(LEASE_SECS);
        for row in due {
            let taken = outbox::Entity::update_many()
                .col_expr(outbox::Column::LeaseUntil, Expr::value(lease_until))
                .filter(outbox::Column::Id.eq(row.id.as_str()))
                .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
                .filter(free.clone())
                .exec(&*txn)
                .await?
                .rows_affected
                == 1;
            if taken {
                claimed.push(row);
            }
        }
        txn.commit().await?;
        let handled = claimed.len();
        let results = join_all(claimed.into_iter().map(|row| async move {
            let outcome = self.deliver(&row).await;
            self.settle(row, outcome, lease_until).await
        }))
        .await;
        for result in results {
            result?;
        }
        Ok(handled)
    }

    async fn deliver(&self, row: &outbox::Model) -> Outcome {
        let recipient = wechat_identity::Entity::find()
            .filter(wechat_identity::Column::MemberId.eq(row.member_id.as_str()))
            .one(self.db.conn())
            .await;
        let openid = match recipient {
            Ok(Some(identity)) => identity.openid,
            Ok(None) => return Outcome::Failed("the member has no WeChat account bound".into()),
            Err(e) => return Outcome::Retry(format!("database: {e}")),
        };
        let payload: Payload = match serde_json::from_str(&row.payload) {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(format!("unreadable payload: {e}")),
        };
        let message = SubscribeMessage {
            touser: openid,
            template_id: row.template_id.clone(),
            page: payload.page,
            data: payload.data,
            miniprogram_state: self.wechat.config.miniprogram_state.clone(),
            lang: "zh_CN".into(),
        };
        match self.send(&message).await {
            Ok(()) => Outcome::Sent,
            Err(SendError::Token(e)) => Outcome::Retry(format!("access token: {e}")),
            Err(SendError::Wechat(e)) if e.errcode() == Some(NO_SUBSCRIPTION) => {
                Outcome::Refused(e.to_string())
            }
            Err(SendError::Wechat(e)) if e.is_transient() || e.is_token_rejected() => {
                Outcome::Retry(e.to_string())
            }
            Err(SendError::Wechat(e)) => Outcome::Failed(e.to_string()),
        }
    }

    /// Sends with the shared token; a refused token is replaced once and the send tried again.
    async fn send(&self, message: &SubscribeMessage) -> Result<(), SendError> {
        let tokens = &self.wechat.tokens;
        let token = tokens.get().await?;
        match self.wechat.client.send_subscribe(&token, message).await {
            Err(e) if e.is_token_rejected() => {
                tracing::info!(errcode = ?e.errcode(), "WeChat refused the access token; replacing it");
                let fresh = tokens.replace(&token).await?;
                Ok(self.wechat.client.send_subscribe(&fresh, message).await?)
            }
            other => Ok(other?),
        }
    }

    /// Marks how the try went. While the database cannot be written (it restarts, fails over),
    /// the mark is tried again until shortly before the lease ends: a message WeChat accepted and
    /// left unmarked would be sent again once the lease is over.
    async fn settle(
        &self,
        row: outbox::Model,
        outcome: Outcome,
        lease_until: DateTime<Utc>,
    ) -> Result<(), sea_orm::DbErr> {
        let give_up = lease_until - chrono::Duration::seconds(MARK_MARGIN_SECS);
        let mark = self.mark(&row, &outcome);
        let mut wait = Duration::from_millis(100);
        loop {
            let written = async {
                let txn = self.db.begin_write().await?;
                mark.clone().exec(&*txn).await?;
                txn.commit().await
            }
            .await;
            match written {
                Ok(()) => return Ok(()),
                Err(e) if Utc::now() + wait < give_up => {
                    tracing::warn!(outbox = %row.id, error = %e, "cannot mark the message yet; trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The update that records how the try went.
    fn mark(&self, row: &outbox::Model, outcome: &Outcome) -> sea_orm::UpdateMany<outbox::Entity> {
        let now = Utc::now();
        let mut update = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::LeaseUntil,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(outbox::Column::Attempts, Expr::value(row.attempts + 1))
            .filter(outbox::Column::Id.eq(row.id.as_str()));
        match outcome {
            Outcome::Sent => {
                tracing::info!(outbox = %row.id, template = %row.template_id, "subscribe message sent");
                update = update
                    .col_expr(
                        outbox::Column::Status,
                        Expr::value(OutboxStatus::Sent.as_str()),
                    )
                    .col_expr(outbox::Column::SentAt, Expr::value(now))
                    .col_expr(outbox::Column::LastError, Expr::value(None::<String>));
            }
            Outcome::Refused(why) | Outcome::Failed(why) => {
                let status = if matches!(outcome, Outcome::Refused(_)) {
                    OutboxStatus::Refused.as_str()
                } else {
                    OutboxStatus::Failed.as_str()
                };
                tracing::warn!(outbox = %row.id, status, error = %why, "subscribe message not sent");
                update = update
                    .col_expr(outbox::Column::Status, Expr::value(status))
                    .col_expr(outbox::Column::LastError, Expr::value(why.clone()));
            }
            Outcome::Retry(why) => {
                let given_up =
                    now - row.created_at > chrono::Duration::hours(self.config.give_up_hours);
                if given_up {
                    tracing::warn!(outbox = %row.id, error = %why, "subscribe message given up");
                    update = update.col_expr(
                        outbox::Column::Status,
                        Expr::value(OutboxStatus::Failed.as_str()),
                    );
                } else {
                    let wait = backoff(&self.config, row.attempts + 1);
                    tracing::info!(outbox = %row.id, error = %why, retry_in_ms = wait.num_milliseconds(), "subscribe message will be retried");
                    update =
                        update.col_expr(outbox::Column::NextAttemptAt, Expr::value(now + wait));
                }
                update = update.col_expr(outbox::Column::LastError, Expr::value(why.clone()));
            }
        }
        update
    }
}

/// The wait before try number `attempts + 1`: the base, doubling, up to the maximum.
fn backoff(config: &OutboxConfig, attempts: i32) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let ms = config
        .retry_base_ms
        .saturating_mul(1u64 << doublings)
        .min(config.retry_max_secs.saturating_mul(1000));
    chrono::Duration::milliseconds(ms as i64)
}

#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Wechat(#[from] WechatError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_maximum() {
        let config = OutboxConfig {
            retry_base_ms: 1000,
            retry_max_secs: 10,
            ..OutboxConfig::default()
        };
        let waits: Vec<i64> = (1..=6)
            .map(|n| backoff(&config, n).num_milliseconds())
            .collect();
        assert_eq!(waits, vec![1000, 2000, 4000, 8000, 10_000, 10_000]);
    }
}
