//! The HMAC keys: one for access tokens, one that seals the audit history. Each comes from
//! configuration, or is generated once and kept in a file only its owner can read. There is no
//! default key in the code, and the two are never the same key.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use rand::RngCore;

use crate::infra::config::{Config, Secret};

pub fn load_or_create(config: &Config) -> anyhow::Result<Secret> {
    if let Some(secret) = &config.jwt_secret {
        anyhow::ensure!(
            secret.expose().len() >= 32,
            "JIFEN_JWT_SECRET must be at least 32 characters long"
        );
        return Ok(secret.clone());
    }
    read_or_generate(&config.secret_file, "token signing key")
}

/// The audit key for a process that writes events (the server, `jifen admin`, `jifen
/// seed-demo`): generated into `audit_key_file` on first use.
pub fn audit_key(config: &Config) -> anyhow::Result<Secret> {
    let key = match &config.audit_key {
        Some(key) => key.clone(),
        None => {
            check_separate_files(config)?;
            read_or_generate(&config.audit_key_file, "audit seal key")?
        }
    };
    check_audit_key(config, key)
}

/// The audit key for checking seals (`jifen audit verify`): never generated, since a new key
/// would only find every seal wrong.
pub fn existing_audit_key(config: &Config) -> anyhow::Result<Secret> {
    let key = match &config.audit_key {
        Some(key) => key.clone(),
        None => {
            check_separate_files(config)?;
            let path = &config.audit_key_file;
            match std::fs::metadata(path) {
                Ok(_) => read_or_generate(path, "audit seal key")?,
                Err(e) => anyhow::bail!(
                    "cannot read the audit key {} ({e}): run verify where the server's key is \
                     (JIFEN_AUDIT_KEY_FILE or JIFEN_AUDIT_KEY), or pass --without-key to skip \
                     the seals",
                    path.display()
                ),
            }
        }
    };
    check_audit_key(config, key)
}

fn check_separate_files(config: &Config) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.audit_key_file != config.secret_file,
        "JIFEN_AUDIT_KEY_FILE must not be the JWT key's file ({})",
        config.secret_file.display()
    );
    Ok(())
}

fn check_audit_key(config: &Config, key: Secret) -> anyhow::Result<Secret> {
    anyhow::ensure!(
        key.expose().len() >= 32,
        "the audit key must be at least 32 characters long"
    );
    if let Some(jwt) = &config.jwt_secret {
        anyhow::ensure!(
            jwt.expose() != key.expose(),
            "the audit key must not be the JWT key: whoever can sign tokens must not be able \
             to vouch for history"
        );
    }
    Ok(key)
}

fn read_or_generate(path: &Path, what: &str) -> anyhow::Result<Secret> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let text = text.trim().to_owned();
            anyhow::ensure!(
                text.len() >= 32,
                "secret file {} is too short",
                path.display()
            );
            warn_if_readable_by_others(path);
            return Ok(Secret::new(text));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(anyhow::anyhow!(
                "reading secret file {}: {e}",
                path.display()
            ))
        }
    }
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("creating secret file {}: {e}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "generated a new {what}");
    Ok(Secret::new(secret))
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "secret file is readable by other users; chmod 600 it");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("jifen-secret-{}", uuid::Uuid::new_v4()));
        let path = dir.join("jifen.secret");
        let first = read_or_generate(&path, "key").unwrap();
        let second = read_or_generate(&path, "key").unwrap();
        assert_eq!(first.expose(), second.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_audit_key_is_its_own() {
        let dir = std::env::temp_dir().join(format!("jifen-secret-{}", uuid::Uuid::new_v4()));
        let mut config = Config {
            secret_file: dir.join("jifen.secret"),
            audit_key_file: dir.join("jifen-audit.key"),
            ..Config::default()
        };
        assert!(
            existing_audit_key(&config).is_err(),
            "verify does not make up a key"
        );
        let made = audit_key(&config).unwrap();
        assert_eq!(existing_audit_key(&config).unwrap().expose(), made.expose());
        let jwt = load_or_create(&config).unwrap();
        assert_ne!(jwt.expose(), made.expose());
        config.jwt_secret = Some(made.clone());
        assert!(audit_key(&config).is_err(), "the JWT key is refused");
        config.audit_key_file = config.secret_file.clone();
        config.jwt_secret = None;
        assert!(audit_key(&config).is_err(), "the JWT key's file is refused");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
