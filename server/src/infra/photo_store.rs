//! Where photo bytes live (issue 15, part 4): a local directory, the embedded default, or an
//! S3-compatible bucket shared by every instance behind a load balancer, chosen by
//! `JIFEN_PHOTO_STORE`. Objects are named by the photo service (a picture's content hash, or the
//! id of a photo stored before content hashing); the store only keeps bytes under names.
//!
//! Every `put` is durable when it returns: the local directory writes a temporary file, syncs it,
//! renames it into place and syncs the directory (object_store's `LocalFileSystem` renames without
//! syncing, so this directory keeps its own writer); S3 acknowledges a PUT once the object is
//! stored. The ordering of rows and objects, and the locks that keep a row from ever pointing at a
//! missing object, are the photo service's: see [`crate::services::photos`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

use crate::infra::config::{Config, S3Config, S3Location};

/// The store could not be read or written: the bucket is unreachable, refuses our credentials,
/// or the disk failed. Answered 503 `photo.store_unavailable`.
#[derive(Debug, thiserror::Error)]
#[error("the photo store failed: {0}")]
pub struct StoreError(#[source] Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    fn of(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(e))
    }
}

/// One stored object: its name and when it was last written.
#[derive(Debug, Clone)]
pub struct Stored {
    pub name: String,
    pub modified: DateTime<Utc>,
}

/// Photo bytes by name, in a directory or a bucket; cheap to clone.
#[derive(Clone)]
pub struct PhotoStore(Kind);

#[derive(Clone)]
enum Kind {
    Directory(PathBuf),
    S3 {
        store: Arc<AmazonS3>,
        prefix: Option<ObjectPath>,
        described: String,
    },
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// How long one request to the bucket may take, and how long connecting may.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

impl PhotoStore {
    /// The store the configuration names: the bucket of `photo_store`, else `photo_dir`. A
    /// configuration that cannot work (an `http://` endpoint without `allow_http`, a key without
    /// its secret) is refused here, at start-up.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        match &config.photo_store {
            None => Ok(Self::directory(config.photo_dir.clone())),
            Some(location) => Self::s3(location, &config.s3),
        }
    }

    /// Photos as files in `dir`.
    pub fn directory(dir: PathBuf) -> Self {
        Self(Kind::Directory(dir))
    }

    fn s3(location: &S3Location, s3: &S3Config) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(location.bucket())
            .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
            .with_virtual_hosted_style_request(!s3.path_style)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(REQUEST_TIMEOUT)
                    .with_connect_timeout(CONNECT_TIMEOUT)
                    .with_allow_http(s3.allow_http),
            )
            // A store that is down is told to the member within about a second, not after
            // object_store's default of ten retries over three minutes.
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &s3.endpoint {
            let scheme = endpoint.split_once("://").map(|(s, _)| s);
            match scheme {
                Some("https") => {}
                Some("http") if s3.allow_http => {}
                Some("http") => anyhow::bail!(
                    "the S3 endpoint {endpoint} is plain http: set JIFEN_S3_ALLOW_HTTP=true \
                     if that is meant (a store on this machine or a private network)"
                ),
                _ => anyhow::bail!(
                    "the S3 endpoint must be an http:// or https:// address, got {endpoint:?}"
                ),
            }
            builder = builder.with_endpoint(endpoint);
        }
        match (&s3.access_key_id, &s3.secret_access_key) {
            (Some(id), Some(secret)) => {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret.expose());
                if let Some(token) = &s3.session_token {
                    builder = builder.with_token(token.expose());
                }
            }
            (None, None) => {} // the machine's role (instance metadata), as AWS's own tools do
            _ => anyhow::bail!(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be given together for the \
                 photo store"
            ),
        }
        let store = builder
            .build()
            .map_err(|e| anyhow::anyhow!("the photo store {location}: {e}"))?;
        let prefix = (!location.prefix().is_empty()).then(|| ObjectPath::from(location.prefix()));
        Ok(Self(Kind::S3 {
            store: Arc::new(store),
            prefix,
            described: location.to_string(),
        }))
    }

    /// Where the photos are, for logs: the directory or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match &self.0 {
            Kind::Directory(dir) => dir.display().to_string(),
            Kind::S3 { described, .. } => described.clone(),
        }
    }

    fn object(prefix: &Option<ObjectPath>, name: &str) -> ObjectPath {
        match prefix {
            Some(p) => p.clone().join(name),
            None => ObjectPath::from(name),
        }
    }

    /// Stores `bytes` as `name`, durably before it returns; a second put of a name replaces it.
    /// `unique` names this write's temporary file in a directory, so that two uploads of one
    /// picture at once each rename a whole file into place.
    pub async fn put(&self, name: &str, unique: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        match &self.0 {
            Kind::Directory(dir) => {
                let (dir, unique, name) = (dir.clone(), unique.to_owned(), name.to_owned());
                tokio::task::spawn_blocking(move || write_durably(&dir, &unique, &name, &bytes))
                    .await
                    .map_err(StoreError::of)?
                    .map_err(StoreError::of)
            }
            Kind::S3 { store, prefix, .. } => store
                .put(&Self::object(prefix, name), PutPayload::from(bytes))
                .await
                .map(|_| ())
                .map_err(StoreError::of),
        }
    }

    /// The bytes stored as `name`, or `None` when there is no such object.
    pub async fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match &self.0 {
            Kind::Directory(dir) => match tokio::fs::read(dir.join(name)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(StoreError::of(e)),
            },
            Kind::S3 { store, prefix, .. } => match store.get(&Self::object(prefix, name)).await {
                Ok(got) => got
                    .bytes()
                    .await
                    .map(|b| Some(b.to_vec()))
                    .map_err(StoreError::of),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(StoreError::of(e)),
            },
        }
    }

    /// Removes `name`; one already gone is fine.
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        match &self.0 {
            Kind::Directory(dir) => match tokio::fs::remove_file(dir.join(name)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError::of(e)),
            },
            Kind::S3 { store, prefix, .. } => {
                match store.delete(&Self::object(prefix, name)).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(StoreError::of(e)),
                }
            }
        }
    }

    /// Every object written before `cutoff`, as a stream (a bucket may hold millions), for the
    /// sweep of objects no row names. Only names this server writes are listed (a content hash,
    /// an id, a temporary file of the directory): whatever else shares the prefix is never touched.
    pub fn list_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Stored, StoreError>> {
        let ours = move |s: &Stored| s.modified < cutoff && is_ours(&s.name);
        match &self.0 {
            Kind::Directory(dir) => {
                let dir = dir.clone();
                stream::once(async move {
                    tokio::task::spawn_blocking(move || list_directory(&dir))
                        .await
                        .map_err(StoreError::of)?
                        .map_err(StoreError::of)
                })
                .flat_map(move |listed| match listed {
                    Ok(all) => {
                        stream::iter(all.into_iter().filter(ours).map(Ok).collect::<Vec<_>>())
                    }
                    Err(e) => stream::iter(vec![Err(e)]),
                })
                .boxed()
            }
            Kind::S3 { store, prefix, .. } => {
                let prefix = prefix.clone();
                store
                    .list(prefix.as_ref())
                    .filter_map(move |meta| {
                        let listed = match meta {
                            Err(e) => Some(Err(StoreError::of(e))),
                            Ok(meta) => {
                                let depth = match &prefix {
                                    Some(p) => {
                                        meta.location.prefix_match(p).map(|rest| rest.count())
                                    }
                                    None => Some(meta.location.parts().count()),
                                };
                                let stored = meta.location.filename().map(|name| Stored {
                                    name: name.to_owned(),
                                    modified: meta.last_modified,
                                });
                                stored.filter(|s| depth == Some(1) && ours(s)).map(Ok)
                            }
                        };
                        std::future::ready(listed)
                    })
                    .boxed()
            }
        }
    }
}

/// A name this server writes: a SHA-256 in hex, a photo id (UUID), or a directory's temporary
/// file `.<id>.part`.
fn is_ours(name: &str) -> bool {
    let hash = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let part = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".part"))
        .is_some_and(crate::infra::ids::is_valid);
    hash || part || crate::infra::ids::is_valid(name)
}

fn list_directory(dir: &Path) -> std::io::Result<Vec<Stored>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut listed = Vec::new();
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        if let Some(name) = entry.file_name().to_str() {
            listed.push(Stored {
                name: name.to_owned(),
                modified: meta.modified()?.into(),
            });
        }
    }
    Ok(listed)
}

/// Writes `bytes` as `name` in `dir`, through a temporary file only this upload uses (`unique`).
fn write_durably(dir: &Path, unique: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{unique}.part"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(name))?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_the_server_writes_are_its_own() {
        let hash = "a".repeat(64);
        let id = crate::infra::ids::new();
        assert!(is_ours(&hash));
        assert!(is_ours(&id));
        assert!(is_ours(&format!(".{id}.part")));
        assert!(
            !is_ours("backup.tar"),
            "another program's file in the prefix"
        );
        assert!(!is_ours(&"g".repeat(64)));
    }

    #[tokio::test]
    async fn a_directory_keeps_bytes_by_name_until_they_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::directory(dir.path().join("photos"));
        assert_eq!(store.get("missing").await.unwrap(), None);
        store.put("abc", "u1", b"bytes".to_vec()).await.unwrap();
        assert_eq!(
            store.get("abc").await.unwrap().as_deref(),
            Some(&b"bytes"[..])
        );
        store.delete("abc").await.unwrap();
        store.delete("abc").await.unwrap();
        assert_eq!(store.get("abc").await.unwrap(), None);
    }
}
