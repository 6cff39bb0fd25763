//! One typed configuration, read once: defaults, then an optional TOML file, then `JIFEN_*`
//! variables (the command line sets the same variables through clap's `env`).

use std::path::PathBuf;

use serde::Deserialize;

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// `sqlite://FILE?mode=rwc` (embedded) or `postgres://...`.
    pub database_url: String,
    /// HMAC key for access tokens. When absent it is read from, or generated into, `secret_file`.
    pub jwt_secret: Option<Secret>,
    /// Where a generated JWT key is kept (created with mode 0600).
    pub secret_file: PathBuf,
    /// Where uploaded photos are stored.
    pub photo_dir: PathBuf,
    /// Directory of the built web app, served at `/`.
    pub app_dir: PathBuf,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: i64,
    /// Lifetime of a refresh token, in days.
    pub refresh_token_ttl_days: i64,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// The WeChat mini program; WeChat sign-in and messages are off until `appid` and `secret` are set.
    pub wechat: WechatConfig,
    /// How the outbox worker sends queued messages.
    pub outbox: OutboxConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WechatConfig {
    pub appid: Option<String>,
    pub secret: Option<Secret>,
    /// Where WeChat's server API lives; tests and staging point this at a fake.
    pub api_base: String,
    /// Subscribe-message template for a decision on a deed (approved, rejected, returned, revoked).
    pub template_deed_result: Option<String>,
    /// Subscribe-message template for a quarter posted on the public board.
    pub template_board_published: Option<String>,
    /// `formal`, `trial` or `developer`: which build of the mini program a message opens.
    pub miniprogram_state: String,
    /// Timeout of one call to WeChat, in seconds.
    pub timeout_secs: u64,
}

impl Default for WechatConfig {
    fn default() -> Self {
        Self {
            appid: None,
            secret: None,
            api_base: "https://api.weixin.qq.com".into(),
            template_deed_result: None,
            template_board_published: None,
            miniprogram_state: "formal".into(),
            timeout_secs: 5,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// How often to look for due messages when nothing wakes the worker, in milliseconds.
    pub poll_ms: u64,
    /// The first retry waits this long, in milliseconds; each further one waits twice as long.
    pub retry_base_ms: u64,
    /// The longest wait between two tries, in seconds.
    pub retry_max_secs: u64,
    /// A message still not delivered after this many hours is given up and marked failed.
    pub give_up_hours: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            poll_ms: 5_000,
            retry_base_ms: 5_000,
            retry_max_secs: 30 * 60,
            give_up_hours: 72,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://jifen.db?mode=rwc".into(),
            jwt_secret: None,
            secret_file: "jifen.secret".into(),
            photo_dir: "photos".into(),
            app_dir: "app/dist".into(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            workers: 0,
            wechat: WechatConfig::default(),
            outbox: OutboxConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{name} must be a number, got {value:?}")]
    NotANumber { name: &'static str, value: String },
}

impl Config {
    /// Defaults, then the TOML file named by `JIFEN_CONFIG` (if any), then `JIFEN_*` variables.
    pub fn load() -> Result<Self, ConfigError> {
        let mut config = match std::env::var_os("JIFEN_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path, source })?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn number<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError> {
            v.parse()
                .map_err(|_| ConfigError::NotANumber { name, value: v })
        }
        if let Some(v) = var("JIFEN_BIND") {
            self.bind = v;
        }
        if let Some(v) = var("JIFEN_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = var("JIFEN_JWT_SECRET") {
            self.jwt_secret = Some(Secret(v));
        }
        if let Some(v) = var("JIFEN_SECRET_FILE") {
            self.secret_file = v.into();
        }
        if let Some(v) = var("JIFEN_PHOTO_DIR") {
            self.photo_dir = v.into();
        }
        if let Some(v) = var("JIFEN_APP_DIR") {
            self.app_dir = v.into();
        }
        if let Some(v) = var("JIFEN_ACCESS_TOKEN_TTL_SECS") {
            self.access_token_ttl_secs = number("JIFEN_ACCESS_TOKEN_TTL_SECS", v)?;
        }
        if let Some(v) = var("JIFEN_REFRESH_TOKEN_TTL_DAYS") {
            self.refresh_token_ttl_days = number("JIFEN_REFRESH_TOKEN_TTL_DAYS", v)?;
        }
        if let Some(v) = var("JIFEN_WORKERS") {
            self.workers = number("JIFEN_WORKERS", v)?;
        }
        if let Some(v) = var("JIFEN_WECHAT_APPID") {
            self.wechat.appid = Some(v);
        }
        if let Some(v) = var("JIFEN_WECHAT_SECRET") {
            self.wechat.secret = Some(Secret(v));
        }
        if let Some(v) = var("JIFEN_WECHAT_API_BASE") {
            self.wechat.api_base = v;
        }
        if let Some(v) = var("JIFEN_WECHAT_TEMPLATE_DEED_RESULT") {
            self.wechat.template_deed_result = Some(v);
        }
        if let Some(v) = var("JIFEN_WECHAT_TEMPLATE_BOARD_PUBLISHED") {
            self.wechat.template_board_published = Some(v);
        }
        if let Some(v) = var("JIFEN_WECHAT_MINIPROGRAM_STATE") {
            self.wechat.miniprogram_state = v;
        }
        if let Some(v) = var("JIFEN_WECHAT_TIMEOUT_SECS") {
            self.wechat.timeout_secs = number("JIFEN_WECHAT_TIMEOUT_SECS", v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let mut c = Config::default();
        c.apply_env(|n| match n {
            "JIFEN_BIND" => Some("0.0.0.0:9000".into()),
            "JIFEN_WORKERS" => Some("3".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.bind, "0.0.0.0:9000");
        assert_eq!(c.workers, 3);
        assert_eq!(c.database_url, "sqlite://jifen.db?mode=rwc");
    }

    #[test]
    fn a_bad_number_is_named() {
        let mut c = Config::default();
        let err = c
            .apply_env(|n| (n == "JIFEN_WORKERS").then(|| "many".to_string()))
            .unwrap_err();
        assert!(err.to_string().contains("JIFEN_WORKERS"));
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
