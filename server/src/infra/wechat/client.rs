//! WeChat's server API over HTTP: `jscode2session`, `stable_token` and `subscribeMessage.send`.
//!
//! WeChat answers HTTP 200 for errors too, often labelled `text/plain`, so every body is parsed as
//! JSON whatever its content type says, and a non-zero `errcode` is the error. Request URLs carry
//! the app secret or the access token, so they are never logged: transport errors drop the URL.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::infra::config::{Secret, WechatConfig};

/// errcode: the system is busy; try again.
pub const BUSY: i64 = -1;
/// errcode: the access token is not valid (40001) or has expired (42001).
pub const TOKEN_INVALID: i64 = 40001;
pub const TOKEN_EXPIRED: i64 = 42001;
/// errcode: the js_code is not valid.
pub const INVALID_CODE: i64 = 40029;
/// errcode: the js_code was used already.
pub const CODE_USED: i64 = 40163;
/// errcode: too many calls.
pub const RATE_LIMITED: i64 = 45011;
/// errcode: WeChat blocks this high-risk user.
pub const HIGH_RISK_USER: i64 = 40226;
/// errcode: the member has no subscription left for the template (or refused it).
pub const NO_SUBSCRIPTION: i64 = 43101;

#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    #[error("WeChat answered errcode {errcode}: {errmsg}")]
    Api { errcode: i64, errmsg: String },
    #[error("WeChat could not be reached: {0}")]
    Transport(String),
    #[error("WeChat answered HTTP {0}")]
    Status(u16),
    #[error("WeChat's answer was not understood: {0}")]
    Body(String),
}

impl WechatError {
    pub fn errcode(&self) -> Option<i64> {
        match self {
            WechatError::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// Worth trying again later: WeChat was busy, unreachable or failing.
    pub fn is_transient(&self) -> bool {
        match self {
            WechatError::Api { errcode, .. } => *errcode == BUSY,
            WechatError::Transport(_) => true,
            WechatError::Status(status) => *status >= 500 || *status == 429,
            WechatError::Body(_) => false,
        }
    }

    /// The access token was refused; a fresh one may succeed.
    pub fn is_token_rejected(&self) -> bool {
        matches!(self.errcode(), Some(TOKEN_INVALID | TOKEN_EXPIRED))
    }
}

/// Who signed in: `jscode2session`'s answer. The session key stays here: it is never logged,
/// stored or returned.
pub struct Session {
    pub openid: String,
    pub unionid: Option<String>,
    #[allow(dead_code)]
    session_key: Secret,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("openid", &self.openid)
            .field("unionid", &self.unionid)
            .finish_non_exhaustive()
    }
}

/// A subscribe message without its access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeMessage {
    pub touser: String,
    pub template_id: String,
    pub page: String,
    /// `{key: {value}}`, each value within its type's limits (see [`crate::services::notify::message`]).
    pub data: Value,
    pub miniprogram_state: String,
    pub lang: String,
}

/// A token for WeChat's server APIs and its lifetime in seconds.
#[derive(Debug, Clone, Deserialize)]
pub struct AccessToken {
    pub access_token: String,
    pub expires_in: i64,
}

pub struct WechatClient {
    http: reqwest::Client,
    base: String,
    appid: String,
    secret: Secret,
}

impl WechatClient {
    /// A client when the app id and secret are configured; `None` means WeChat is off.
    pub fn from_config(config: &WechatConfig) -> anyhow::Result<Option<Self>> {
        let (Some(appid), Some(secret)) = (&config.appid, &config.secret) else {
            return Ok(None);
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(config.timeout_secs.clamp(1, 3)))
            .build()?;
        Ok(Some(Self {
            http,
            base: config.api_base.trim_end_matches('/').to_owned(),
            appid: appid.clone(),
            secret: secret.clone(),
        }))
    }

    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// Trades a mini program's `wx.login()` code for the user's openid.
    pub async fn code2session(&self, code: &str) -> Result<Session, WechatError> {
        #[derive(Deserialize)]
        struct Answer {
            openid: String,
            unionid: Option<String>,
            #[serde(default)]
            session_key: String,
        }
        let request = self
            .http
            .get(format!("{}/sns/jscode2session", self.base))
            .query(&[
                ("appid", self.appid.as_str()),
                ("secret", self.secret.expose()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ]);
        let answer: Answer = call(request).await?;
        Ok(Session {
            openid: answer.openid,
            unionid: answer.unionid.filter(|u| !u.is_empty()),
            session_key: Secret::new(answer.session_key),
        })
    }

    /// Fetches the shared access token. `force_refresh` replaces a token WeChat still thinks is
    /// valid, which it allows a few times a day.
    pub async fn stable_token(&self, force_refresh: bool) -> Result<AccessToken, WechatError> {
        let request = self
            .http
            .post(format!("{}/cgi-bin/stable_token", self.base))
            .json(&serde_json::json!({
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret.expose(),
                "force_refresh": force_refresh,
            }));
        call(request).await
    }

    pub async fn send_subscribe(
        &self,
        access_token: &str,
        message: &SubscribeMessage,
    ) -> Result<(), WechatError> {
        let request = self
            .http
            .post(format!("{}/cgi-bin/message/subscribe/send", self.base))
            .query(&[("access_token", access_token)])
            .json(message);
        let _: Value = call(request).await?;
        Ok(())
    }
}

async fn call<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, WechatError> {
    let response = request
        .send()
        .await
        .map_err(|e| WechatError::Transport(e.without_url().to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(WechatError::Status(status.as_u16()));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| WechatError::Transport(e.without_url().to_string()))?;
    parse(&body)
}

/// Reads a WeChat answer: JSON whatever the content type, a non-zero `errcode` as the error.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, WechatError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| WechatError::Body(e.to_string()))?;
    let errcode = value.get("errcode").and_then(Value::as_i64).unwrap_or(0);
    if errcode != 0 {
        let errmsg = value
            .get("errmsg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        return Err(WechatError::Api { errcode, errmsg });
    }
    serde_json::from_value(value).map_err(|e| WechatError::Body(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_errcode_is_the_error_even_with_http_200() {
        let err =
            parse::<AccessToken>(br#"{"errcode":40029,"errmsg":"invalid code"}"#).unwrap_err();
        assert_eq!(err.errcode(), Some(INVALID_CODE));
        assert!(!err.is_transient());
    }

    #[test]
    fn errcode_zero_is_success() {
        let token: AccessToken =
            parse(br#"{"errcode":0,"access_token":"T","expires_in":7200}"#).unwrap();
        assert_eq!(token.access_token, "T");
    }

    #[test]
    fn busy_and_unreachable_are_worth_retrying_but_refusals_are_not() {
        assert!(WechatError::Api {
            errcode: BUSY,
            errmsg: String::new()
        }
        .is_transient());
        assert!(WechatError::Status(502).is_transient());
        assert!(!WechatError::Api {
            errcode: NO_SUBSCRIPTION,
            errmsg: String::new()
        }
        .is_transient());
        assert!(WechatError::Api {
            errcode: TOKEN_EXPIRED,
            errmsg: String::new()
        }
        .is_token_rejected());
    }

    #[test]
    fn the_session_key_never_prints() {
        let session = Session {
            openid: "o1".into(),
            unionid: None,
            session_key: Secret::new("very-secret"),
        };
        assert!(!format!("{session:?}").contains("very-secret"));
    }
}
