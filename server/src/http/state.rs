//! What every request handler can reach. Only the HTTP layer, startup and the CLI know this
//! type; handlers hand each service just the parts it needs.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::{AppError, AppResult, WechatFailure};
use crate::infra::clock::Clock;
use crate::infra::config::Config;
use crate::infra::db::Db;
use crate::infra::outbox::Outbox;
use crate::infra::read_cache::ReadCache;
use crate::infra::wechat::Wechat;
use crate::services::auth::tokens::TokenKeys;
use crate::services::deeds::writer::SubmissionWriter;
use crate::services::notify::{Queued, Templates};

pub struct AppState {
    pub config: Config,
    pub db: Db,
    pub keys: TokenKeys,
    /// Password hashers, the per-account sign-in throttle and the view of ended sessions; see
    /// [`crate::services::auth::Guards`].
    pub auth: crate::services::auth::Guards,
    pub clock: Clock,
    /// Writes submitted deeds in batches; see [`crate::services::deeds::writer`].
    pub submissions: SubmissionWriter,
    /// The WeChat mini program, when configured.
    pub wechat: Option<Arc<Wechat>>,
    /// The subscribe-message templates notices are sent with (none without WeChat).
    pub templates: Templates,
    /// Sends queued WeChat messages; see [`crate::infra::outbox`].
    pub outbox: Outbox,
    /// Requests per client address on the anonymous entry points; see [`crate::http::limits`].
    pub limits: crate::http::limits::Limits,
    /// Answers of hot reads while the database has not changed; see [`crate::infra::read_cache`].
    pub reads: Arc<ReadCache>,
    /// Issue 15: each branch's counted records for the statistics, while current; see
    /// [`crate::services::stats::KeptBranches`].
    pub stats: Arc<crate::services::stats::KeptBranches>,
    /// Issue 15: members' role grants and reviewed branches, while no role or unit changed;
    /// see [`crate::services::access::KeptReach`].
    pub reach: Arc<crate::services::access::KeptReach>,
    /// Hashes senders' addresses for the feedback each may keep waiting; see
    /// [`crate::services::feedback::ClientKey`].
    pub feedback_senders: crate::services::feedback::ClientKey,
    /// Uploads received at once and the photo quota; see [`crate::services::photos`].
    pub uploads: crate::services::photos::Uploads,
    /// Removes photos never attached to a deed.
    pub photo_sweep: crate::services::photos::Sweeper,
    // Issue 15: photos in object storage
    /// Where photo bytes live: the photo directory or a shared bucket; see
    /// [`crate::infra::photo_store`].
    pub photo_store: crate::infra::photo_store::PhotoStore,
    /// Opens the points year on the first request after New Year; see
    /// [`crate::services::years::new_year`].
    pub new_year: crate::services::years::NewYearWatch,
    /// Makes and checks the check codes of points statements; see
    /// [`crate::services::statements`].
    pub statements: crate::services::statements::StatementKey,
    /// Makes and checks meetings' rotating check-in codes; see
    /// [`crate::services::meetings::code`].
    pub checkin_codes: crate::services::meetings::code::CheckinKey,
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// WeChat, or 503-style `wechat.not_configured` when this server has no mini program.
    pub fn wechat(&self) -> AppResult<&Wechat> {
        self.wechat
            .as_deref()
            .ok_or(AppError::Wechat(WechatFailure::NotConfigured))
    }

    /// The templates members subscribe to, or `wechat.not_configured` without WeChat.
    pub fn wechat_templates(&self) -> AppResult<&Templates> {
        self.wechat()?;
        Ok(&self.templates)
    }

    /// Wakes the outbox worker when a service queued a WeChat message (after its commit).
    pub fn sent(&self, queued: Queued) {
        if queued.0 {
            self.outbox.wake();
        }
    }
}
