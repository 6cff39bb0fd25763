//! One typed configuration, read once: defaults, then an optional TOML file, then `JIFEN_*`
//! variables (the command line sets the same variables through clap's `env`).

use std::net::IpAddr;
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
    /// HMAC key that seals the audit history; never the JWT key, and never kept in the
    /// database. When absent it is read from, or generated into, `audit_key_file`.
    pub audit_key: Option<Secret>,
    /// Where a generated audit key is kept (created with mode 0600).
    pub audit_key_file: PathBuf,
    /// Apply pending migrations at start-up. Off when the serving database role may not change
    /// the schema: the owner role runs `jifen migrate` instead (see the README's deployment).
    pub migrate: bool,
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
    /// What one client, one account or the whole server may ask for; see the README's "Limits".
    pub limits: LimitsConfig,
    /// The address the public reaches this server at (`https://jifen.example.cn`), for the QR
    /// codes printed on boards and statements. When absent, the address the request came to.
    pub public_url: Option<String>,
}

/// So many requests a minute, with bursts of up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const fn new(per_minute: u32, burst: u32) -> Self {
        Self { per_minute, burst }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// The header a reverse proxy puts the client's address in (`x-forwarded-for` or
    /// `x-real-ip`); believed only from `trusted_proxies`. None: the connection's peer address.
    pub client_ip_header: Option<String>,
    /// Proxies whose `client_ip_header` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Password sign-ins per client address.
    pub login: Rate,
    /// Refresh-token and sign-out requests per client address.
    pub refresh: Rate,
    /// WeChat sign-ins and bindings per client address.
    pub wechat: Rate,
    /// Feedback on public boards per client address.
    pub feedback: Rate,
    /// Photo uploads per client address.
    pub upload: Rate,
    /// Statement check codes looked up per client address (`/verify/{code}`), so that codes
    /// cannot be guessed by trying many.
    pub verify: Rate,
    /// Failed sign-ins one account may have within `account_window_secs`, counted in the
    /// database so that every instance sees them.
    pub account_failures: u32,
    pub account_window_secs: u64,
    /// Passwords hashed or checked at once; 0 means half the cores (at least one), so that
    /// sign-ins can never take every core from the members' requests.
    pub password_hashers: usize,
    /// How long a sign-in waits for a free hasher before it is answered 503.
    pub password_wait_ms: u64,
    /// Password hashes the whole server starts per second (each takes a core for tens of
    /// milliseconds); past it sign-ins are answered 503, so a flood of junk sign-ins from many
    /// addresses cannot take the cores from the members already signed in.
    pub password_hashes_per_second: u32,
    /// Refresh-token lookups (refresh, sign-out) run at once by this instance; more are
    /// answered 503 at once.
    pub token_lookups: usize,
    /// Photo uploads received at once by this instance.
    pub concurrent_uploads: usize,
    /// Photos one member may keep, in megabytes.
    pub photo_quota_mb: u64,
    /// Photos never attached to a deed are removed after this many hours.
    pub unattached_photo_hours: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            client_ip_header: None,
            trusted_proxies: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from([0, 0, 0, 0, 0, 0, 0, 1]),
            ],
            login: Rate::new(10, 10),
            refresh: Rate::new(60, 30),
            wechat: Rate::new(20, 10),
            feedback: Rate::new(6, 3),
            upload: Rate::new(30, 10),
            verify: Rate::new(20, 10),
            account_failures: 10,
            account_window_secs: 15 * 60,
            password_hashers: 0,
            password_wait_ms: 100,
            password_hashes_per_second: 4,
            token_lookups: 4,
            concurrent_uploads: 8,
            photo_quota_mb: 200,
            unattached_photo_hours: 24,
        }
    }
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
    /// Subscribe-message template for a member falling behind (积分预警).
    pub template_points_alert: Option<String>,
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
            template_points_alert: None,
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
            audit_key: None,
            audit_key_file: "jifen-audit.key".into(),
            migrate: true,
            photo_dir: "photos".into(),
            app_dir: "app/dist".into(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            workers: 0,
            wechat: WechatConfig::default(),
            outbox: OutboxConfig::default(),
            limits: LimitsConfig::default(),
            public_url: None,
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
    #[error("{name} must be true or false, got {value:?}")]
    NotABoolean { name: &'static str, value: String },
    #[error("{name} must be a comma-separated list of IP addresses, got {value:?}")]
    NotAddresses { name: &'static str, value: String },
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
        if let Some(v) = var("JIFEN_AUDIT_KEY") {
            self.audit_key = Some(Secret(v));
        }
        if let Some(v) = var("JIFEN_AUDIT_KEY_FILE") {
            self.audit_key_file = v.into();
        }
        if let Some(v) = var("JIFEN_MIGRATE") {
            self.migrate = match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    return Err(ConfigError::NotABoolean {
                        name: "JIFEN_MIGRATE",
                        value: v,
                    })
                }
            };
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
        if let Some(v) = var("JIFEN_PUBLIC_URL") {
            self.public_url =
                Some(v.trim().trim_end_matches('/').to_owned()).filter(|v| !v.is_empty());
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
        if let Some(v) = var("JIFEN_WECHAT_TEMPLATE_POINTS_ALERT") {
            self.wechat.template_points_alert = Some(v);
        }
        if let Some(v) = var("JIFEN_WECHAT_MINIPROGRAM_STATE") {
            self.wechat.miniprogram_state = v;
        }
        if let Some(v) = var("JIFEN_CLIENT_IP_HEADER") {
            self.limits.client_ip_header = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(v) = var("JIFEN_TRUSTED_PROXIES") {
            self.limits.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| ConfigError::NotAddresses {
                    name: "JIFEN_TRUSTED_PROXIES",
                    value: v.clone(),
                })?;
        }
        if let Some(v) = var("JIFEN_WECHAT_TIMEOUT_SECS") {
            self.wechat.timeout_secs = number("JIFEN_WECHAT_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = var("JIFEN_ACCOUNT_FAILURES") {
            self.limits.account_failures = number("JIFEN_ACCOUNT_FAILURES", v)?;
        }
        if let Some(v) = var("JIFEN_ACCOUNT_WINDOW_SECS") {
            self.limits.account_window_secs = number("JIFEN_ACCOUNT_WINDOW_SECS", v)?;
        }
        if let Some(v) = var("JIFEN_PASSWORD_HASHERS") {
            self.limits.password_hashers = number("JIFEN_PASSWORD_HASHERS", v)?;
        }
        if let Some(v) = var("JIFEN_PASSWORD_HASHES_PER_SECOND") {
            self.limits.password_hashes_per_second = number("JIFEN_PASSWORD_HASHES_PER_SECOND", v)?;
        }
        if let Some(v) = var("JIFEN_PASSWORD_WAIT_MS") {
            self.limits.password_wait_ms = number("JIFEN_PASSWORD_WAIT_MS", v)?;
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
