//! Submissions are written in batches (group commit). Members on weak networks retry, and a
//! branch's members report in bursts after a meeting; one transaction per report would spend most
//! of its time waiting for its own fsync and for the single SQLite writer. The writer task takes
//! whatever reports are waiting, writes each (deed and audit event) under its own savepoint, and
//! commits once; every caller hears back only after that commit, so an acknowledged report is
//! durable. A report whose `client_request_id` was already used comes back as a duplicate.

use sea_orm::{DatabaseTransaction, EntityTrait, SqlErr, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::entity::deed;
use crate::error::{AppError, AppResult};
use crate::infra::db::Db;
use crate::services::audit::{self, Event};

/// Most reports in one transaction.
const MAX_BATCH: usize = 128;

/// Whether the write made the deed or found an earlier one with the same client request id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Duplicate,
}

struct Pending {
    row: deed::Model,
    reply: oneshot::Sender<AppResult<Written>>,
}

/// The handle services use; cheap to clone.
#[derive(Clone)]
pub struct SubmissionWriter {
    tx: mpsc::Sender<Pending>,
}

impl SubmissionWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: Db) -> Self {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, rx));
        Self { tx }
    }

    pub async fn write(&self, row: deed::Model) -> AppResult<Written> {
        let stopped = || AppError::Internal(anyhow::anyhow!("the submission writer has stopped"));
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { row, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        // One lock order for every batch, so two server instances cannot deadlock on PostgreSQL.
        batch.sort_by(|a, b| a.row.branch_id.cmp(&b.row.branch_id));
        let rows: Vec<&deed::Model> = batch.iter().map(|p| &p.row).collect();
        match write_batch(&db, &rows).await {
            Ok(outcomes) => {
                for (p, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = p.reply.send(Ok(outcome));
                }
            }
            // Something failed for the batch as a whole: give each report its own transaction,
            // so one bad report cannot fail the others.
            Err(_) if batch.len() > 1 => {
                for p in batch {
                    let outcome = write_batch(&db, &[&p.row]).await.map(|o| o[0]);
                    let _ = p.reply.send(outcome);
                }
            }
            Err(e) => {
                if let Some(p) = batch.pop() {
                    let _ = p.reply.send(Err(e));
                }
            }
        }
    }
}

async fn write_batch(db: &Db, rows: &[&deed::Model]) -> AppResult<Vec<Written>> {
    let txn = db.begin_write().await?;
    let mut outcomes = Vec::with_capacity(rows.len());
    for row in rows {
        outcomes.push(write_one(&txn, row).await?);
    }
    txn.commit().await?;
    Ok(outcomes)
}

async fn write_one(txn: &DatabaseTransaction, row: &deed::Model) -> AppResult<Written> {
    let savepoint = txn.begin().await?;
    let inserted = deed::Entity::insert(deed::ActiveModel::from(row.clone()))
        .exec(&savepoint)
        .await;
    if let Err(e) = inserted {
        return if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
            savepoint.rollback().await?;
            Ok(Written::Duplicate)
        } else {
            Err(e.into())
        };
    }
    let photo_ids: Vec<String> = serde_json::from_str(&row.photo_ids).unwrap_or_default();
    if let Err(gone) =
        super::evidence::own_photos_present(&savepoint, &photo_ids, &row.submitted_by).await
    {
        savepoint.rollback().await?;
        return Err(gone);
    }
    audit::record(
        &savepoint,
        Event {
            chain_id: &row.branch_id,
            actor_id: Some(&row.submitted_by),
            action: if row.submitted_by == row.member_id {
                "deed.submitted"
            } else {
                "deed.registered"
            },
            entity_type: "deed",
            entity_id: &row.id,
            before: None,
            after: Some(super::snapshot(row)),
            reason: None,
        },
        row.created_at,
    )
    .await?;
    savepoint.commit().await?;
    Ok(Written::Created)
}
