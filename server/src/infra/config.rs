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
    // Issue 15: operations
    /// `text` (default) or `json`: one JSON object per log line, for a log collector.
    pub log_format: LogFormat,
    /// Where and to whom `/metrics` is served; see the README's "Deployment".
    pub metrics: MetricsConfig,
    // Issue 15: photos in object storage
    /// `s3://bucket/prefix`: photos in an S3-compatible bucket that every instance shares.
    /// When absent, photos are files in `photo_dir` (one machine).
    pub photo_store: Option<S3Location>,
    /// How the bucket of `photo_store` is reached.
    pub s3: S3Config,
}

// Issue 15: operations
/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, with the request's span (and so its request id) in it.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(()),
        }
    }
}

/// `/metrics` (Prometheus text). With neither field set it is served nowhere.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// A second, small listener serving only `/metrics`, without a token (`127.0.0.1:9100`):
    /// for a scraper on the same host or a private network.
    pub bind: Option<String>,
    /// Serves `/metrics` on the main address too, to requests bearing
    /// `Authorization: Bearer <token>`.
    pub token: Option<Secret>,
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

// Issue 15: photos in object storage
/// A bucket and a key prefix, from `s3://bucket/prefix`: checked once, when read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct S3Location {
    bucket: String,
    prefix: String,
}

impl S3Location {
    /// `s3://bucket` or `s3://bucket/some/prefix` (a trailing `/` is dropped). The bucket follows
    /// S3's naming rules (3 to 63 lower-case letters, digits, dots and hyphens, starting and
    /// ending with a letter or digit); the prefix has no empty, `.` or `..` segments.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .trim()
            .strip_prefix("s3://")
            .ok_or("it must start with s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let edge =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
            && edge(bucket.chars().next())
            && edge(bucket.chars().last());
        if !bucket_ok {
            return Err(format!(
                "{bucket:?} is no bucket name: 3 to 63 lower-case letters, digits, dots and \
                 hyphens, starting and ending with a letter or digit"
            ));
        }
        let prefix = prefix.trim_end_matches('/');
        let bad_segment = prefix
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == ".." || s.chars().any(char::is_control));
        if !prefix.is_empty() && bad_segment {
            return Err(format!(
                "the prefix {prefix:?} has an empty, `.` or `..` segment"
            ));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Key prefix of every photo, without slashes at either end; empty for the bucket's root.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

impl TryFrom<String> for S3Location {
    type Error = String;

    fn try_from(url: String) -> Result<Self, String> {
        Self::parse(&url).map_err(|why| format!("photo_store {url:?}: {why}"))
    }
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix.as_str() {
            "" => write!(f, "s3://{}", self.bucket),
            prefix => write!(f, "s3://{}/{prefix}", self.bucket),
        }
    }
}

/// How an S3-compatible store is reached; the usual AWS variables fill it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    /// The S3 API's address (`https://oss-cn-beijing.aliyuncs.com`, `http://127.0.0.1:8014`);
    /// AWS's own for the region when absent.
    pub endpoint: Option<String>,
    /// The region requests are signed for; `us-east-1` when absent (what most S3-compatible
    /// stores accept).
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    pub session_token: Option<Secret>,
    /// Allows an `http://` endpoint: a store on this machine or a private network.
    pub allow_http: bool,
    /// `https://endpoint/bucket/key` (true, what self-hosted stores expect) rather than
    /// `https://bucket.endpoint/key`.
    pub path_style: bool,
}

impl Default for S3Config {
    fn default() -> Self {
        Self {
            endpoint: None,
            region: None,
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            allow_http: false,
            path_style: true,
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
            log_format: LogFormat::default(),
            metrics: MetricsConfig::default(),
            // Issue 15: photos in object storage
            photo_store: None,
            s3: S3Config::default(),
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
    #[error("{name} must be one of {choices}, got {value:?}")]
    NotAChoice {
        name: &'static str,
        choices: &'static str,
        value: String,
    },
    // Issue 15: photos in object storage
    #[error("JIFEN_PHOTO_STORE must be s3://bucket or s3://bucket/prefix (or empty for JIFEN_PHOTO_DIR), got {value:?}: {why}")]
    BadPhotoStore { value: String, why: String },
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
        // Issue 15: photos in object storage
        fn boolean(name: &'static str, v: String) -> Result<bool, ConfigError> {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(ConfigError::NotABoolean { name, value: v }),
            }
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
        // Issue 15: photos in object storage
        if let Some(v) = var("JIFEN_PHOTO_STORE") {
            self.photo_store = match v.trim() {
                "" => None,
                url => Some(
                    S3Location::parse(url).map_err(|why| ConfigError::BadPhotoStore {
                        value: v.clone(),
                        why,
                    })?,
                ),
            };
        }
        let endpoint = var("JIFEN_S3_ENDPOINT")
            .or_else(|| var("AWS_ENDPOINT_URL_S3"))
            .or_else(|| var("AWS_ENDPOINT_URL"));
        if let Some(v) = endpoint.filter(|v| !v.trim().is_empty()) {
            self.s3.endpoint = Some(v.trim().trim_end_matches('/').to_owned());
        }
        if let Some(v) = var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")) {
            self.s3.region = Some(v).filter(|v| !v.trim().is_empty());
        }
        if let Some(v) = var("AWS_ACCESS_KEY_ID") {
            self.s3.access_key_id = Some(v).filter(|v| !v.is_empty());
        }
        if let Some(v) = var("AWS_SECRET_ACCESS_KEY") {
            self.s3.secret_access_key = Some(Secret(v)).filter(|s| !s.0.is_empty());
        }
        if let Some(v) = var("AWS_SESSION_TOKEN") {
            self.s3.session_token = Some(Secret(v)).filter(|s| !s.0.is_empty());
        }
        if let Some(v) = var("JIFEN_S3_ALLOW_HTTP") {
            self.s3.allow_http = boolean("JIFEN_S3_ALLOW_HTTP", v)?;
        }
        if let Some(v) = var("JIFEN_S3_PATH_STYLE") {
            self.s3.path_style = boolean("JIFEN_S3_PATH_STYLE", v)?;
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
        // Issue 15: operations
        if let Some(v) = var("JIFEN_LOG_FORMAT") {
            self.log_format = v.parse().map_err(|()| ConfigError::NotAChoice {
                name: "JIFEN_LOG_FORMAT",
                choices: "text, json",
                value: v.clone(),
            })?;
        }
        if let Some(v) = var("JIFEN_METRICS_BIND") {
            self.metrics.bind = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        }
        if let Some(v) = var("JIFEN_METRICS_TOKEN") {
            self.metrics.token = Some(Secret(v)).filter(|t| !t.0.trim().is_empty());
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
    fn log_format_and_metrics_come_from_the_environment() {
        let mut c = Config::default();
        assert_eq!(c.log_format, LogFormat::Text);
        c.apply_env(|n| match n {
            "JIFEN_LOG_FORMAT" => Some("JSON".into()),
            "JIFEN_METRICS_BIND" => Some("127.0.0.1:9100".into()),
            "JIFEN_METRICS_TOKEN" => Some("scrape-me".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.metrics.bind.as_deref(), Some("127.0.0.1:9100"));
        assert_eq!(
            c.metrics.token.as_ref().map(Secret::expose),
            Some("scrape-me")
        );
        let err = Config::default()
            .apply_env(|n| (n == "JIFEN_LOG_FORMAT").then(|| "xml".to_string()))
            .unwrap_err();
        assert!(err.to_string().contains("JIFEN_LOG_FORMAT"), "{err}");
    }

    // Issue 15: photos in object storage
    #[test]
    fn the_photo_store_is_a_bucket_and_prefix_or_a_clear_error() {
        let mut c = Config::default();
        assert!(
            c.photo_store.is_none(),
            "photos stay in photo_dir by default"
        );
        c.apply_env(|n| match n {
            "JIFEN_PHOTO_STORE" => Some("s3://jifen-photos/county/".into()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:8014/".into()),
            "JIFEN_S3_ALLOW_HTTP" => Some("true".into()),
            "AWS_ACCESS_KEY_ID" => Some("id".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("secret".into()),
            _ => None,
        })
        .unwrap();
        let store = c.photo_store.as_ref().unwrap();
        assert_eq!((store.bucket(), store.prefix()), ("jifen-photos", "county"));
        assert_eq!(store.to_string(), "s3://jifen-photos/county");
        assert_eq!(c.s3.endpoint.as_deref(), Some("http://127.0.0.1:8014"));
        assert!(c.s3.allow_http && c.s3.path_style);
        assert_eq!(format!("{:?}", c.s3.secret_access_key), "Some(Secret(***))");

        for (url, why) in [
            ("https://bucket/x", "not s3://"),
            ("s3://", "no bucket"),
            ("s3://Photos", "upper case"),
            ("s3://ab", "too short"),
            ("s3://-photos", "starts with a hyphen"),
            ("s3://photos/a//b", "an empty segment"),
            ("s3://photos/../other", "a parent segment"),
        ] {
            let err = Config::default()
                .apply_env(|n| (n == "JIFEN_PHOTO_STORE").then(|| url.to_string()))
                .unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("JIFEN_PHOTO_STORE") && text.contains(url),
                "{why}: {text}"
            );
        }
        let from_toml: Result<Config, _> = toml::from_str("photo_store = \"s3://Bad\"");
        assert!(from_toml.is_err(), "the TOML file is checked too");
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
