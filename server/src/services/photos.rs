//! Photos that members attach to deeds as evidence. The app downsizes pictures before upload;
//! the server still checks that what arrives is a JPEG, PNG or WebP image of sane size, stores it
//! durably (written, synced, then renamed into place) and shows it only to those who may see it.

use chrono::{DateTime, Utc};
use jifen_shared::words::Word;
use std::io::Write;
use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};

use crate::entity::photo;
use crate::error::{AppError, AppResult, FieldIssue, Missing};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;

/// Largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 8192;

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
        if w.max(h) > MAX_SIDE {
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

fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(id)
}

/// Stores an upload for the member and registers it.
pub async fn store(
    db: &Db,
    now: DateTime<Utc>,
    dir: &Path,
    access: &Access,
    bytes: Vec<u8>,
) -> AppResult<photo::Model> {
    if bytes.is_empty() {
        return Err(issue("photo.empty", Word::PhotoEmpty));
    }
    if bytes.len() > MAX_BYTES {
        return Err(too_large());
    }
    let (content_type, _) = sniff(&bytes)?;
    let id = ids::new();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let dir = dir.to_owned();
    let byte_size = bytes.len() as i64;
    let file_id = id.clone();
    tokio::task::spawn_blocking(move || write_durably(&dir, &file_id, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("storing photo: {e}")))?;
    let row = photo::Model {
        id,
        member_id: access.member.id.clone(),
        branch_id: access.member.home_branch_id.clone(),
        content_type: content_type.to_owned(),
        byte_size,
        sha256,
        created_at: now,
    };
    let txn = db.begin_write().await?;
    photo::Entity::insert(photo::ActiveModel::from(row.clone()))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(row)
}

fn write_durably(dir: &Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{id}.part"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path_of(dir, id))?;
    std::fs::File::open(dir)?.sync_all()
}

/// A photo and its bytes, for its owner and for those who review the owner's branch.
pub async fn load(
    db: &impl ConnectionTrait,
    dir: &Path,
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
    let path = path_of(dir, &row.id);
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        AppError::Internal(anyhow::anyhow!("reading photo {}: {e}", path.display()))
    })?;
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
        png.extend(20_000u32.to_be_bytes());
        png.extend(100u32.to_be_bytes());
        assert!(sniff(&png).is_err());
    }
}
