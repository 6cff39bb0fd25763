//! The WeChat mini program: sign-in by `wx.login()` code, binding a WeChat account to a member
//! with a one-time invite code, and the shared access token for sending subscribe messages.

pub mod client;
pub mod tokens;

use std::sync::Arc;

use crate::infra::config::WechatConfig;
use crate::infra::db::Db;

pub use client::{SubscribeMessage, WechatClient, WechatError};
pub use tokens::AccessTokens;

/// WeChat as configured for this server.
pub struct Wechat {
    pub client: Arc<WechatClient>,
    pub tokens: AccessTokens,
    pub config: WechatConfig,
}

impl Wechat {
    /// `None` unless an app id and secret are configured.
    pub fn from_config(config: &WechatConfig, db: &Db) -> anyhow::Result<Option<Self>> {
        Ok(WechatClient::from_config(config)?.map(|client| {
            let client = Arc::new(client);
            Self {
                tokens: AccessTokens::new(client.clone(), db.clone()),
                client,
                config: config.clone(),
            }
        }))
    }
}
