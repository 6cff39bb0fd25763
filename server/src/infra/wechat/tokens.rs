//! The one access token for WeChat's server APIs, shared by every instance through the database.
//!
//! Fetching a new token can invalidate the old one, so instances must not each fetch their own. A
//! token is cached in memory and in the `wechat_token` row until five minutes before it expires.
//! Within an instance one caller refreshes while the others wait on a lock; across instances the
//! refresher first takes a short lease on the row, and the others wait for the row to change.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};
use tokio::sync::Mutex;

use super::client::{WechatClient, WechatError};
use crate::entity::wechat_token;
use crate::infra::db::Db;

/// A token is replaced this long before WeChat would expire it.
const MARGIN_SECS: i64 = 300;
/// How long a refresher may hold the lease before another instance may take over.
const LEASE_SECS: i64 = 30;
/// How long a caller waits for another instance's refresh.
const WAIT: Duration = Duration::from_secs(15);

#[derive(Clone)]
struct Cached {
    token: String,
    expires_at: DateTime<Utc>,
}

pub struct AccessTokens {
    client: Arc<WechatClient>,
    db: Db,
    cached: std::sync::RwLock<Option<Cached>>,
    flight: Mutex<()>,
}

impl AccessTokens {
    pub fn new(client: Arc<WechatClient>, db: Db) -> Self {
        Self {
            client,
            db,
            cached: std::sync::RwLock::new(None),
            flight: Mutex::new(()),
        }
    }

    /// A token valid for at least a few more minutes.
    pub async fn get(&self) -> Result<String, TokenError> {
        if let Some(token) = self.fresh_cached(Utc::now()) {
            return Ok(token);
        }
        self.refresh(None).await
    }

    /// A token other than `rejected`, which WeChat just refused (40001/42001). Many callers may
    /// report the same rejected token; only the first makes WeChat issue a new one.
    pub async fn replace(&self, rejected: &str) -> Result<String, TokenError> {
        {
            let mut cached = self.cached.write().unwrap_or_else(|e| e.into_inner());
            if cached.as_ref().is_some_and(|c| c.token == rejected) {
                *cached = None;
            }
        }
        self.refresh(Some(rejected)).await
    }

    fn fresh_cached(&self, now: DateTime<Utc>) -> Option<String> {
        let cached = self.cached.read().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|c| c.expires_at - chrono::Duration::seconds(MARGIN_SECS) > now)
            .map(|c| c.token.clone())
    }

    async fn refresh(&self, rejected: Option<&str>) -> Result<String, TokenError> {
        let _flight = self.flight.lock().await;
        let started = tokio::time::Instant::now();
        loop {
            let now = Utc::now();
            if let Some(token) = self
                .fresh_cached(now)
                .filter(|t| Some(t.as_str()) != rejected)
            {
                return Ok(token);
            }
            let row = self.load_row(now).await?;
            let stored = row
                .access_token
                .clone()
                .zip(row.expires_at)
                .filter(|(t, at)| {
                    *at - chrono::Duration::seconds(MARGIN_SECS) > now
                        && Some(t.as_str()) != rejected
                });
            if let Some((token, expires_at)) = stored {
                self.remember(&token, expires_at);
                return Ok(token);
            }
            if self.take_lease(now, rejected).await? {
                return self.fetch(rejected.is_some()).await;
            }
            if started.elapsed() > WAIT {
                return Err(TokenError::Wechat(WechatError::Transport(
                    "timed out waiting for another instance to refresh the access token".into(),
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fetches a token from WeChat while holding the lease, and shares it.
    async fn fetch(&self, force_refresh: bool) -> Result<String, TokenError> {
        let fetched = self.client.stable_token(force_refresh).await;
        let now = Utc::now();
        let txn = self.db.begin_write().await?;
        let mut update = wechat_token::Entity::update_many()
            .col_expr(
                wechat_token::Column::LeaseUntil,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(wechat_token::Column::UpdatedAt, Expr::value(now))
            .filter(wechat_token::Column::Appid.eq(self.client.appid()));
        let token = match fetched {
            Ok(token) => {
                let expires_at = now + chrono::Duration::seconds(token.expires_in.max(0));
                update = update
                    .col_expr(
                        wechat_token::Column::AccessToken,
                        Expr::value(token.access_token.clone()),
                    )
                    .col_expr(wechat_token::Column::ExpiresAt, Expr::value(expires_at));
                Ok((token.access_token, expires_at))
            }
            Err(e) => Err(e),
        };
        update.exec(&*txn).await?;
        txn.commit().await?;
        let (token, expires_at) = token?;
        tracing::info!(appid = %self.client.appid(), %expires_at, force_refresh, "WeChat access token refreshed");
        self.remember(&token, expires_at);
        Ok(token)
    }

    fn remember(&self, token: &str, expires_at: DateTime<Utc>) {
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
            token: token.to_owned(),
            expires_at,
        });
    }

    async fn load_row(&self, now: DateTime<Utc>) -> Result<wechat_token::Model, TokenError> {
        let appid = self.client.appid().to_owned();
        if let Some(row) = wechat_token::Entity::find_by_id(appid.clone())
            .one(self.db.conn())
            .await?
        {
            return Ok(row);
        }
        let txn = self.db.begin_write().await?;
        wechat_token::Entity::insert(wechat_token::ActiveModel {
            appid: Set(appid.clone()),
            access_token: Set(None),
            expires_at: Set(None),
            lease_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(wechat_token::Column::Appid)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;
        txn.commit().await?;
        wechat_token::Entity::find_by_id(appid)
            .one(self.db.conn())
            .await?
            .ok_or_else(|| TokenError::Db(sea_orm::DbErr::RecordNotFound("wechat_token".into())))
    }

    /// Takes the refresh lease unless another instance holds an unexpired one, or has meanwhile
    /// stored a token that needs no refresh. Both are checked in the one UPDATE, so an instance
    /// that read the row just before another finished refreshing does not refresh again.
    async fn take_lease(
        &self,
        now: DateTime<Utc>,
        rejected: Option<&str>,
    ) -> Result<bool, TokenError> {
        let mut stale = Condition::any()
            .add(wechat_token::Column::AccessToken.is_null())
            .add(wechat_token::Column::ExpiresAt.is_null())
            .add(wechat_token::Column::ExpiresAt.lte(now + chrono::Duration::seconds(MARGIN_SECS)));
        if let Some(rejected) = rejected {
            stale = stale.add(wechat_token::Column::AccessToken.eq(rejected));
        }
        let txn = self.db.begin_write().await?;
        let taken = wechat_token::Entity::update_many()
            .col_expr(
                wechat_token::Column::LeaseUntil,
                Expr::value(now + chrono::Duration::seconds(LEASE_SECS)),
            )
            .filter(wechat_token::Column::Appid.eq(self.client.appid()))
            .filter(
                Condition::any()
                    .add(wechat_token::Column::LeaseUntil.is_null())
                    .add(wechat_token::Column::LeaseUntil.lt(now)),
            )
            .filter(stale)
            .exec(&*txn)
            .await?
            .rows_affected
            == 1;
        txn.commit().await?;
        Ok(taken)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Wechat(#[from] WechatError),
    #[error("database error while sharing the WeChat access token")]
    Db(#[from] sea_orm::DbErr),
}
