//! Which signed-in sessions have ended since their access tokens were issued: the revoked
//! refresh-token families (sign-out, a refresh token reused, a password changed) and the
//! transferred members. Every authenticated request is checked against it.
//!
//! The view is kept in memory and read again from the database only when sessions or everything
//! moved ([`crate::infra::changes::SESSIONS`]: this process ended a session, or the watch saw
//! another process do so; see [`crate::infra::changes`]) or when it is older than [`MAX_AGE`]: an ended session is refused
//! everywhere within about a second, without a query per request. Only families revoked within
//! the access tokens' lifetime are kept: older ones have no live access token left.

use std::collections::HashSet;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jifen_shared::domain::MemberStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{member, refresh_token};
use crate::error::{AppError, AppResult, AuthFailure};
use crate::infra::changes::{Changes, Deps, SESSIONS};
use crate::services::auth::tokens::Bearer;

/// The view is read again at least this often, even when no change was seen (the watch may be
/// down, or a change may fall between two of its reads).
pub const MAX_AGE: Duration = Duration::from_secs(2);

/// Kept a little longer than the access tokens live, for clocks that differ between instances.
const SLACK_SECS: i64 = 60;

#[derive(Debug)]
struct View {
    families: HashSet<String>,
    transferred: HashSet<String>,
    /// The change stamp read before the view was loaded.
    stamp: Option<u64>,
    loaded: Instant,
}

impl View {
    /// Whether no session ended since the view was read. While the watch is down (no stamp),
    /// only its age counts, so that requests do not each read the database.
    fn current(&self, changes: &Changes) -> bool {
        let unchanged = match self.stamp {
            Some(stamp) => changes.unchanged_since(stamp, &sessions()),
            None => changes.stamp().is_none(),
        };
        unchanged && self.loaded.elapsed() < MAX_AGE
    }

    fn refuses(&self, bearer: &Bearer) -> bool {
        self.families.contains(&bearer.session_id) || self.transferred.contains(&bearer.member_id)
    }
}

/// What the view depends on: ended sessions (transfers move everything).
fn sessions() -> Deps {
    Deps::Scopes(vec![SESSIONS.to_owned()])
}

pub struct Revocations {
    view: RwLock<Option<View>>,
    /// One reload at a time; the others wait for it and use its result.
    loading: tokio::sync::Mutex<()>,
    changes: Changes,
    access_ttl_secs: i64,
}

impl Revocations {
    pub fn new(changes: Changes, access_ttl_secs: i64) -> Self {
        Self {
            view: RwLock::new(None),
            loading: tokio::sync::Mutex::new(()),
            changes,
            access_ttl_secs,
        }
    }

    /// `auth.session_ended` when the bearer's session has ended or the member was transferred.
    pub async fn check(
        &self,
        db: &impl ConnectionTrait,
        bearer: &Bearer,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let refused = match self.cached(bearer) {
            Some(refused) => refused,
            None => self.reload(db, bearer, now).await?,
        };
        if refused {
            return Err(AppError::Unauthorized(AuthFailure::SessionEnded));
        }
        Ok(())
    }

    /// The answer from the view in memory, when that is current.
    fn cached(&self, bearer: &Bearer) -> Option<bool> {
        let view = self.view.read().unwrap_or_else(|p| p.into_inner());
        view.as_ref()
            .filter(|v| v.current(&self.changes))
            .map(|v| v.refuses(bearer))
    }

    async fn reload(
        &self,
        db: &impl ConnectionTrait,
        bearer: &Bearer,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let _loading = self.loading.lock().await;
        // Someone else may have reloaded while this request waited.
        if let Some(refused) = self.cached(bearer) {
            return Ok(refused);
        }
        // Read before the query: a commit after this moves the sessions past it, so the view is
        // loaded again rather than taken for current.
        let stamp = self.changes.stamp();
        let since = now - chrono::Duration::seconds(self.access_ttl_secs + SLACK_SECS);
        let families: HashSet<String> = refresh_token::Entity::find()
            .select_only()
            .column(refresh_token::Column::FamilyId)
            .filter(refresh_token::Column::RevokedAt.gt(since))
            .distinct()
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let transferred: HashSet<String> = member::Entity::find()
            .select_only()
            .column(member::Column::Id)
            .filter(member::Column::Status.eq(MemberStatus::Transferred.as_str()))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let view = View {
            families,
            transferred,
            stamp,
            loaded: Instant::now(),
        };
        let refused = view.refuses(bearer);
        *self.view.write().unwrap_or_else(|p| p.into_inner()) = Some(view);
        Ok(refused)
    }
}
