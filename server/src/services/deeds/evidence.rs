//! The photos a deed names as evidence: there, and the member's own.

use jifen_shared::words::Word;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::photo;
use crate::error::{AppError, AppResult, FieldIssue};

/// The photos a deed names are there and are the member's own uploads; inside the transaction
/// that writes the deed they also stay there until it commits. The unattached-photo sweep
/// ([`crate::services::photos`]) may remove a photo between the check before the write and the
/// write itself; on SQLite the write gate puts the two in order, on PostgreSQL the photos are
/// share-locked here and the sweep locks them for update before it looks for deeds naming them.
pub async fn own_photos_present(
    txn: &impl ConnectionTrait,
    photo_ids: &[String],
    member_id: &str,
) -> AppResult<()> {
    if photo_ids.is_empty() {
        return Ok(());
    }
    let mut query = photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .filter(photo::Column::Id.is_in(photo_ids.to_vec()))
        .filter(photo::Column::MemberId.eq(member_id));
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_shared();
    }
    let present: Vec<String> = query.into_tuple().all(txn).await?;
    let wanted: std::collections::HashSet<&String> = photo_ids.iter().collect();
    if present.len() < wanted.len() {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "photo_ids",
            "photo.unknown",
            Word::PhotoMissing,
        )]));
    }
    Ok(())
}
