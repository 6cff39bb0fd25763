//! Photos that members attach to deeds as evidence. The app downsizes pictures before upload;
//! the server still decodes what arrives, keeps only JPEG, PNG or WebP pictures of sane size,
//! encodes them again without any metadata (see [`crate::services::evidence::clean`]; the capture
//! time and place are kept as columns for the reviewing committee), stores the result durably in
//! the photo store (a directory, or a bucket every instance shares: [`PhotoStore`]) under its
//! content hash, so that one picture is stored once however often it is uploaded, and shows it
//! only to those who may see it.
//!
//! A row never names a missing object. The object is written inside the transaction that inserts
//! the row, before it commits: a failed write rolls the row back, and a crash leaves at most an
//! object without a row. Deleting goes the other way: rows first, then each object no row names
//! any more. Both hold the object's name meanwhile (PostgreSQL: an advisory lock on the name;
//! SQLite: its single writer), so a sweep cannot remove a picture that an upload of the same
//! picture is about to name. Objects left without a row by a crash are found by listing the store
//! ([`sweep_orphans`]).
//!
//! Uploads cannot fill the disk: each member may keep at most `photo_quota_mb` of photos, an
//! instance receives at most `concurrent_uploads` at once (more are answered 503 at once), and
//! photos never attached to a deed are removed by [`Sweeper`] once `unattached_photo_hours` old.

use chrono::{DateTime, Utc};
use jifen_shared::words::Word;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use sea_orm::sea_query::{Alias, Expr, Func, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use crate::entity::{audit_event, deed, member, photo};
use crate::error::{AppError, AppResult, FieldIssue, Missing};
use crate::infra::clock::Clock;
use crate::infra::config::LimitsConfig;
use crate::infra::db::Db;
use crate::infra::ids;
use crate::infra::photo_store::PhotoStore;
use crate::services::access::Access;
use crate::services::evidence::clean::{self, Unfit, MAX_PIXELS};

/// Largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest request body of an upload: the photo and the multipart framing around it.
pub const MAX_BODY_BYTES: usize = MAX_BYTES + 64 * 1024;
/// How long one upload may take to arrive before it gives its slot back.
pub const UPLOAD_DEADLINE: Duration = Duration::from_secs(120);
/// How often the sweep of unattached photos runs.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);
/// Photos looked at per round of the sweep.
const SWEEP_BATCH: u64 = 200;
/// How often the store is listed for objects no row names (rare: a crash between writing a
/// picture and committing its row). Listing a bucket costs a request per thousand objects.
pub const ORPHAN_SWEEP_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// An object without a row is removed once this old, so an upload still under way is left alone
/// without even waiting for its lock.
pub const ORPHAN_AGE: chrono::Duration = chrono::Duration::hours(1);

/// What uploads this instance may receive at once, and the quotas they are held to.
pub struct Uploads {
    slots: Arc<Semaphore>,
    /// Bytes of photos one member may keep.
    pub quota_bytes: i64,
    /// Photos never attached to a deed are removed once this old.
    pub keep_unattached: chrono::Duration,
}

impl Uploads {
    pub fn new(limits: &LimitsConfig) -> Self {
        let hours = i64::try_from(limits.unattached_photo_hours).unwrap_or(i64::MAX / 3_600_000);
        Self {
            slots: Arc::new(Semaphore::new(limits.concurrent_uploads.max(1))),
            quota_bytes: i64::try_from(limits.photo_quota_mb.saturating_mul(1024 * 1024))
                .unwrap_or(i64::MAX),
            keep_unattached: chrono::Duration::try_hours(hours).unwrap_or(chrono::Duration::MAX),
        }
    }

    /// Slots free now: no more uploads than this may start.
    pub fn free_slots(&self) -> usize {
        self.slots.available_permits()
    }

    /// A slot to receive one upload in, held until it is dropped; 503 at once when all are taken
    /// (a queue would only hold more bodies in memory).
    pub fn slot(&self) -> AppResult<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().map_err(|_| {
            // Issue 15: operations
            crate::infra::metrics::refused(crate::infra::metrics::Limit::ConcurrentUploads);
            AppError::Busy {
                retry_after_secs: 1,
            }
        })
    }
}
fn issue(code: &'static str, word: Word) -> AppError {
    AppError::Validation(vec![FieldIssue::worded("file", code, word)])
}

pub fn too_large() -> AppError {
    issue("photo.too_large", Word::PhotoTooLarge)
}

/// The image type and, where the header tells, its pixel size.
pub fn sniff(bytes: &[u8]) -> AppResult<(&'static str, Option<(u32, u32)>)> {
    let not_an_image = || issue("photo.not_an_image", Word::PhotoNotAnImage);
    let (kind, size) = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", jpeg_size(bytes))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 {
        let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
        let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        ("image/png", Some((w, h)))
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        ("image/webp", None)
    } else {
        return Err(not_an_image());
    };
    if let Some((w, h)) = size {
        if w == 0 || h == 0 {
            return Err(not_an_image());
        }
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(issue("photo.too_many_pixels", Word::PhotoTooManyPixels));
        }
    }
    Ok((kind, size))
}

/// Reads width and height from a JPEG's start-of-frame marker.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let is_sof = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u32;
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u32;
            return Some((w, h));
        }
        i += 2 + len;
    }
    None
}

/// Holds the object `name` until the transaction ends, against an upload of the same picture and
/// the sweeps. On PostgreSQL a transaction-scoped advisory lock keyed by the name (two names that
/// share a key only take turns needlessly); SQLite's write transactions take turns already.
async fn hold_object(txn: &impl ConnectionTrait, name: &str) -> AppResult<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let digest = Sha256::digest(name.as_bytes());
    let key = i64::from_be_bytes(digest[..8].try_into().expect("a SHA-256 has 8 bytes"));
    txn.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [key.into()],
    ))
    .await?;
    Ok(())
}

fn unfit(why: Unfit) -> AppError {
    match why {
        Unfit::NotAnImage => issue("photo.not_an_image", Word::PhotoNotAnImage),
        Unfit::Undecodable => issue("photo.undecodable", Word::PhotoUndecodable),
        Unfit::TooManyPixels => issue("photo.too_many_pixels", Word::PhotoTooManyPixels),
    }
}

fn quota_exceeded(uploads: &Uploads) -> AppError {
    let quota_mb = uploads.quota_bytes / (1024 * 1024);
    let hours = uploads.keep_unattached.num_hours();
    AppError::Validation(vec![FieldIssue::filled(
        "file",
        "photo.quota_exceeded",
        Word::PhotoQuotaExceeded,
        &[("quota", &quota_mb), ("hours", &hours)],
    )])
}

/// Bytes of photos the member keeps now.
pub async fn stored_bytes(db: &impl ConnectionTrait, member_id: &str) -> AppResult<i64> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast it back.
    let total = Func::coalesce([
        Expr::col(photo::Column::ByteSize).sum(),
        Expr::val(0i64).into(),
    ]);
    let sum: Option<i64> = photo::Entity::find()
        .select_only()
        .expr_as(Expr::expr(total).cast_as(Alias::new("BIGINT")), "total")
        .filter(photo::Column::MemberId.eq(member_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(sum.unwrap_or(0))
}

/// Stores an upload for the member and registers it, unless it would take the member's photos
/// past their quota (then nothing is kept). The picture is in the store, durably, before its row
/// commits; when the store fails the row is rolled back and the member told so (503).
pub async fn store(
    db: &Db,
    now: DateTime<Utc>,
    photos: &PhotoStore,
    uploads: &Uploads,
    access: &Access,
    bytes: Vec<u8>,
) -> AppResult<photo::Model> {
    if bytes.is_empty() {
        return Err(issue("photo.empty", Word::PhotoEmpty));
    }
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    // The header first: what is no picture, or claims too many pixels, costs no decoding.
    sniff(&bytes)?;
    // Decoding is CPU work; the upload's slot (held by the caller) bounds how much runs at once.
    let cleaned = tokio::task::spawn_blocking(move || clean::clean(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(unfit)?;
    let member_id = access.member.id.clone();
    let byte_size = cleaned.bytes.len() as i64;
    let fits = |kept: i64| kept.saturating_add(byte_size) <= uploads.quota_bytes;
    // Checked before the transaction so a member over quota costs nothing; again below, under the lock.
    if !fits(stored_bytes(db.conn(), &member_id).await?) {
        return Err(quota_exceeded(uploads));
    }
    let row = photo::Model {
        id: ids::new(),
        member_id,
        branch_id: access.member.home_branch_id.clone(),
        content_type: cleaned.content_type.to_owned(),
        byte_size,
        sha256: hex::encode(Sha256::digest(&cleaned.bytes)),
        created_at: now,
        taken_at: cleaned.capture.taken_at,
        taken_lat: cleaned.capture.place.map(|p| p.lat),
        taken_lng: cleaned.capture.place.map(|p| p.lng),
    };
    let txn = db.begin_write().await?;
    // Two uploads of one member at once: on PostgreSQL the member's row makes them take
    // turns (SQLite has one writer), so together they cannot pass the quota either.
    if db.backend() == DbBackend::Postgres {
        member::Entity::find_by_id(row.member_id.clone())
            .lock(LockType::Update)
            .one(&*txn)
            .await?;
    }
    hold_object(&*txn, &row.sha256).await?;
    if !fits(stored_bytes(&*txn, &row.member_id).await?) {
        return Err(quota_exceeded(uploads));
    }
    photo::Entity::insert(photo::ActiveModel::from(row.clone()))
        .exec(&*txn)
        .await?;
    // Written before the commit, under the picture's lock: a sweep that just removed the last
    // other photo of this picture cannot take the object from under this row, and a failed write
    // leaves no row (dropping the transaction rolls it back). Only the uploader knows the id
    // until this returns, so nobody asks for the object before it exists.
    photos.put(&row.sha256, &row.id, cleaned.bytes).await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes the objects in `names` that no photo row names (by content hash, or by id for photos
/// stored before content hashing), each under its lock so that an upload of the same picture
/// either committed its row before (the object stays) or writes the object again after. Answers
/// how many went; a store that fails stops the round (the sweep of orphans finds the rest).
async fn remove_unnamed(
    db: &Db,
    photos: &PhotoStore,
    names: impl IntoIterator<Item = String>,
) -> AppResult<u64> {
    let mut removed = 0;
    for name in names {
        let txn = db.begin_write().await?;
        hold_object(&*txn, &name).await?;
        let named = photo::Entity::find()
            .filter(
                Condition::any()
                    .add(photo::Column::Sha256.eq(name.as_str()))
                    .add(photo::Column::Id.eq(name.as_str())),
            )
            .count(&*txn)
            .await?;
        if named == 0 {
            photos.delete(&name).await?;
            removed += 1;
        }
        txn.commit().await?;
    }
    Ok(removed)
}

/// Which of `candidates` (ids of photos of `members`) a deed of those members refers to now or
/// did at any time (its audit events keep every version's `photo_ids`). Photos are attached only
/// by their owner, so only the owners' deeds are read.
async fn referenced(
    db: &impl ConnectionTrait,
    members: &BTreeSet<String>,
    candidates: &[String],
) -> AppResult<BTreeSet<String>> {
    let mut texts: Vec<String> = Vec::new();
    let mut deed_ids: Vec<String> = Vec::new();
    let members: Vec<String> = members.iter().cloned().collect();
    for chunk in members.chunks(500) {
        let rows: Vec<(String, String)> = deed::Entity::find()
            .select_only()
            .column(deed::Column::Id)
            .column(deed::Column::PhotoIds)
            // A deed names its member's photos, or those of whoever registered it for them.
            .filter(
                sea_orm::Condition::any()
                    .add(deed::Column::MemberId.is_in(chunk.to_vec()))
                    .add(deed::Column::SubmittedBy.is_in(chunk.to_vec())),
            )
            .into_tuple()
            .all(db)
            .await?;
        for (id, photo_ids) in rows {
            deed_ids.push(id);
            texts.push(photo_ids);
        }
    }
    for chunk in deed_ids.chunks(500) {
        let rows: Vec<(Option<String>, Option<String>)> = audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Before)
            .column(audit_event::Column::After)
            .filter(audit_event::Column::EntityType.eq("deed"))
            .filter(audit_event::Column::EntityId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        texts.extend(rows.into_iter().flat_map(|(b, a)| b.into_iter().chain(a)));
    }
    // Ids are UUIDs: one appearing anywhere in a deed's photo list is that photo.
    Ok(candidates
        .iter()
        .filter(|id| texts.iter().any(|t| t.contains(id.as_str())))
        .cloned()
        .collect())
}

/// Removes the photos uploaded before `now - keep` that no deed refers to or ever did, rows and
/// objects; answers how many went.
pub async fn sweep_unattached(
    db: &Db,
    photos: &PhotoStore,
    now: DateTime<Utc>,
    keep: chrono::Duration,
) -> AppResult<u64> {
    let cutoff = now - keep;
    let mut removed = 0;
    let mut after = String::new();
    loop {
        let batch = photo::Entity::find()
            .filter(photo::Column::CreatedAt.lt(cutoff))
            .filter(photo::Column::Id.gt(after.clone()))
            .order_by_asc(photo::Column::Id)
            .limit(SWEEP_BATCH)
            .all(db.conn())
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.id.clone();
        let members: BTreeSet<String> = batch.iter().map(|p| p.member_id.clone()).collect();
        let ids: Vec<String> = batch.iter().map(|p| p.id.clone()).collect();
        let attached = referenced(db.conn(), &members, &ids).await?;
        let doomed: Vec<String> = ids
            .into_iter()
            .filter(|id| !attached.contains(id))
            .collect();
        if !doomed.is_empty() {
            let txn = db.begin_write().await?;
            // On PostgreSQL a deed being written holds its photos share-locked until it commits
            // (see `deeds::evidence::own_photos_present`): wait for it, then look again.
            if txn.get_database_backend() == DbBackend::Postgres {
                photo::Entity::find()
                    .filter(photo::Column::Id.is_in(doomed.clone()))
                    .lock(LockType::Update)
                    .all(&*txn)
                    .await?;
            }
            // Looked at again inside the transaction: a deed written since still keeps its photos.
            let attached = referenced(&*txn, &members, &doomed).await?;
            let doomed: Vec<String> = doomed
                .into_iter()
                .filter(|id| !attached.contains(id))
                .collect();
            let gone = photo::Entity::delete_many()
                .filter(photo::Column::Id.is_in(doomed.clone()))
                .exec(&*txn)
                .await?;
            txn.commit().await?;
            removed += gone.rows_affected;
            let gone: Vec<photo::Model> = batch
                .iter()
                .filter(|p| doomed.contains(&p.id))
                .cloned()
                .collect();
            // A picture's object once no row of its hash is left (another member, or the same
            // one, may have uploaded the same picture), and any object named by a removed
            // photo's id (stored before content hashing).
            let names: BTreeSet<String> = gone
                .iter()
                .flat_map(|p| [p.sha256.clone(), p.id.clone()])
                .collect();
            remove_unnamed(db, photos, names).await?;
        }
        if (batch.len() as u64) < SWEEP_BATCH {
            break;
        }
    }
    Ok(removed)
}

/// Removes the objects written before `now - ORPHAN_AGE` that no photo row names: left by an
/// instance that died between writing a picture and committing its row, or between removing rows
/// and their objects. The store is read as a stream, a few hundred names at a time.
pub async fn sweep_orphans(db: &Db, photos: &PhotoStore, now: DateTime<Utc>) -> AppResult<u64> {
    const PAGE: usize = 500;
    let mut listed = photos.list_before(now - ORPHAN_AGE).chunks(PAGE);
    let mut removed = 0;
    while let Some(page) = listed.next().await {
        let names = page
            .into_iter()
            .map(|stored| stored.map(|s| s.name))
            .collect::<Result<BTreeSet<String>, _>>()?;
        let named: BTreeSet<String> = photo::Entity::find()
            .select_only()
            .column(photo::Column::Sha256)
            .column(photo::Column::Id)
            .filter(
                Condition::any()
                    .add(photo::Column::Sha256.is_in(names.clone()))
                    .add(photo::Column::Id.is_in(names.clone())),
            )
            .into_tuple::<(String, String)>()
            .all(db.conn())
            .await?
            .into_iter()
            .flat_map(|(hash, id)| [hash, id])
            .collect();
        // Looked at again, under each name's lock, before anything goes.
        removed += remove_unnamed(db, photos, names.difference(&named).cloned()).await?;
    }
    Ok(removed)
}

/// The background task that runs [`sweep_unattached`] every [`SWEEP_EVERY`], and
/// [`sweep_orphans`] every [`ORPHAN_SWEEP_EVERY`], stopped with the server.
pub struct Sweeper {
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Sweeper {
    /// Starts the sweep on the current Tokio runtime; the first round runs at once.
    pub fn start(db: Db, clock: Clock, photos: PhotoStore, keep: chrono::Duration) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut orphans_swept: Option<tokio::time::Instant> = None;
            loop {
                tokio::select! {
                    _ = every.tick() => {}
                    _ = stopped.changed() => break,
                }
                match sweep_unattached(&db, &photos, clock.now(), keep).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "removed photos never attached to a deed"),
                    Err(e) => tracing::warn!(error = %e, "sweeping unattached photos"),
                }
                if orphans_swept.is_none_or(|at| at.elapsed() >= ORPHAN_SWEEP_EVERY) {
                    orphans_swept = Some(tokio::time::Instant::now());
                    match sweep_orphans(&db, &photos, clock.now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(removed = n, "removed stored photos no row names"),
                        Err(e) => tracing::warn!(error = %e, "sweeping stored photos no row names"),
                    }
                }
                if *stopped.borrow() {
                    break;
                }
            }
        });
        Self {
            stop,
            task: Mutex::new(Some(task)),
        }
    }

    /// Stops the sweep after the round it is in, if any.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            if tokio::time::timeout(Duration::from_secs(15), task)
                .await
                .is_err()
            {
                tracing::warn!("the photo sweep did not stop in time");
            }
        }
    }
}

/// A photo and its bytes, for its owner and for those who review the owner's branch.
pub async fn load(
    db: &impl ConnectionTrait,
    photos: &PhotoStore,
    access: &Access,
    id: &str,
) -> AppResult<(photo::Model, Vec<u8>)> {
    let not_found = AppError::NotFound(Missing::Photo);
    if !ids::is_valid(id) {
        return Err(not_found);
    }
    let row = photo::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(not_found)?;
    if row.member_id != access.id() && !access.can_review(db, &row.branch_id).await? {
        return Err(AppError::NotFound(Missing::Photo));
    }
    let bytes = match photos.get(&row.sha256).await? {
        Some(bytes) => bytes,
        // Stored before content hashing, under its id.
        None => photos.get(&row.id).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "photo {} has no object {} in {}",
                row.id,
                row.sha256,
                photos.describe()
            ))
        })?,
    };
    Ok((row, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_and_png_headers_give_their_size() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03]);
        assert_eq!(sniff(&jpeg).unwrap(), ("image/jpeg", Some((800, 600))));
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(1600u32.to_be_bytes());
        png.extend(1200u32.to_be_bytes());
        assert_eq!(sniff(&png).unwrap(), ("image/png", Some((1600, 1200))));
    }

    #[test]
    fn other_files_and_huge_images_are_refused() {
        assert!(sniff(b"%PDF-1.7 not a photo").is_err());
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(10_000u32.to_be_bytes());
        png.extend(5_000u32.to_be_bytes());
        assert!(sniff(&png).is_err(), "50 megapixels");
    }
}
