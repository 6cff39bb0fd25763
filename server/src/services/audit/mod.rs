//! The audit history: an append-only list of events per org unit, each carrying the SHA-256 of
//! its predecessor, so that editing or deleting a row behind the application's back breaks the
//! chain where it happened (`jifen audit verify`).
//!
//! Hashes alone do not stop someone who can write to the database from rewriting a whole chain
//! with recomputed hashes, so each event is also sealed ([`seal`]) with a key kept outside the
//! database; and since the ledger is what people read, [`verify`] recomputes every member's
//! ledger from the events and compares it with the table.

pub mod seal;
mod verify;
mod verify_ledger;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::entity::{audit_event, org_unit};
use crate::error::AppResult;
use crate::infra::{changes, ids};

pub use seal::SealKey;
pub use verify::{
    check_anchors, seal_unsealed_chains, verify, verify_in_pages, verify_with, Broken,
    SealOrphaned, Unchained, Verified, VerifyError,
};
pub use verify_ledger::LedgerMismatch;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to what, by whom.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// The org unit whose chain the event extends: the deed's branch, the rule's branch, ...
    pub chain_id: &'a str,
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
}

/// Serialises writers of one chain on PostgreSQL by locking the org unit's row until the
/// transaction ends. (SQLite runs one writer at a time already; see [`crate::infra::db::Db`].)
/// Also notes that the transaction changes this chain, so that answers kept about it, here and
/// on other instances, are dropped once it commits (see [`crate::infra::changes`]).
pub async fn lock_chain(db: &impl ConnectionTrait, chain_id: &str) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        // FOR NO KEY UPDATE: it excludes the other writers of the chain all the same, but not
        // the key-share lock PostgreSQL takes on the org unit for every row inserted that refers
        // to it. With FOR UPDATE, two transactions that had each inserted such a row (a deed)
        // before locking the chain deadlocked (found by the fault story, issue 15).
        org_unit::Entity::find_by_id(chain_id.to_owned())
            .lock(LockType::NoKeyUpdate)
            .one(db)
            .await?;
    }
    changes::touch(db, chain_id).await?;
    Ok(())
}

/// Appends an event to its chain and seals it with the process's audit key. Call inside the
/// transaction that makes the change, after [`lock_chain`]. A chain whose newest event does not
/// carry a valid seal is not extended: sealing on top of it would vouch for whatever someone
/// wrote there behind the application's back.
pub async fn record(
    db: &impl ConnectionTrait,
    event: Event<'_>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let key = seal::process_key()?;
    lock_chain(db, event.chain_id).await?;
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(event.chain_id))
        .order_by_desc(audit_event::Column::Seq)
        .one(db)
        .await?;
    if let Some(head) = &last {
        seal::check_head(db, key, head).await?;
    }
    let (seq, prev_hash) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = audit_event::Model {
        id: ids::new(),
        chain_id: event.chain_id.to_owned(),
        seq,
        at: at.trunc_subsecs(6),
        actor_id: event.actor_id.map(str::to_owned),
        action: event.action.to_owned(),
        entity_type: event.entity_type.to_owned(),
        entity_id: event.entity_id.to_owned(),
        before: event.before.map(|v| v.to_string()),
        after: event.after.map(|v| v.to_string()),
        reason: event.reason.map(str::to_owned),
        prev_hash,
        hash: String::new(),
    };
    row.hash = hash_of(&row);
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(row.id.clone()),
        chain_id: Set(row.chain_id.clone()),
        seq: Set(row.seq),
        at: Set(row.at),
        actor_id: Set(row.actor_id.clone()),
        action: Set(row.action.clone()),
        entity_type: Set(row.entity_type.clone()),
        entity_id: Set(row.entity_id.clone()),
        before: Set(row.before.clone()),
        after: Set(row.after.clone()),
        reason: Set(row.reason.clone()),
        prev_hash: Set(row.prev_hash.clone()),
        hash: Set(row.hash.clone()),
    })
    .exec(db)
    .await?;
    seal::write(db, key, &row, at).await?;
    Ok(())
}

/// The hash of every field but `hash` itself, encoded as a JSON array so no two different
/// events can produce the same input. Public so that a test can play the attacker who rewrites
/// a chain with recomputed hashes.
pub fn hash_of(e: &audit_event::Model) -> String {
    let fields = serde_json::json!([
        e.prev_hash,
        e.chain_id,
        e.seq,
        e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.actor_id,
        e.action,
        e.entity_type,
        e.entity_id,
        e.before,
        e.after,
        e.reason,
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

/// An event's place and hash, published outside the database (on the public board), so that
/// cutting the newest events off a chain, which leaves a shorter chain that still adds up, shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub chain_id: String,
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.chain_id, self.seq, self.hash)
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not CHAIN:SEQ:HASH, as the public board shows it");
        let mut parts = s.trim().splitn(3, ':');
        let (Some(chain_id), Some(seq), Some(hash)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let seq = seq.parse().map_err(|_| bad())?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Self {
            chain_id: chain_id.to_owned(),
            seq,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// The anchor of an event already written.
pub fn anchor_of(e: &audit_event::Model) -> Anchor {
    Anchor {
        chain_id: e.chain_id.clone(),
        seq: e.seq,
        hash: e.hash.clone(),
    }
}
