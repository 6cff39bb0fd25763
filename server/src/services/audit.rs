//! The audit history: an append-only list of events per org unit, each carrying the SHA-256 of
//! its predecessor, so that editing or deleting a row behind the application's back breaks the
//! chain where it happened (`jifen audit verify`).

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::entity::{audit_event, org_unit};
use crate::error::AppResult;
use crate::infra::ids;

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
pub async fn lock_chain(db: &impl ConnectionTrait, chain_id: &str) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        org_unit::Entity::find_by_id(chain_id.to_owned())
            .lock(LockType::Update)
            .one(db)
            .await?;
    }
    Ok(())
}

/// Appends an event to its chain. Call inside the transaction that makes the change, after
/// [`lock_chain`].
pub async fn record(
    db: &impl ConnectionTrait,
    event: Event<'_>,
    at: DateTime<Utc>,
) -> AppResult<()> {
    lock_chain(db, event.chain_id).await?;
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(event.chain_id))
        .order_by_desc(audit_event::Column::Seq)
        .one(db)
        .await?;
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
        id: Set(row.id),
        chain_id: Set(row.chain_id),
        seq: Set(row.seq),
        at: Set(row.at),
        actor_id: Set(row.actor_id),
        action: Set(row.action),
        entity_type: Set(row.entity_type),
        entity_id: Set(row.entity_id),
        before: Set(row.before),
        after: Set(row.after),
        reason: Set(row.reason),
        prev_hash: Set(row.prev_hash),
        hash: Set(row.hash),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The hash of every field but `hash` itself, encoded as a JSON array so no two different
/// events can produce the same input.
fn hash_of(e: &audit_event::Model) -> String {
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub chains: usize,
    pub events: u64,
}

/// The first event at which a chain stops adding up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain {chain_id} is broken at event #{seq} ({event_id}): {why}")]
pub struct Broken {
    pub chain_id: String,
    pub seq: i64,
    pub event_id: String,
    pub why: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] Broken),
    #[error("reading the audit history: {0}")]
    Db(#[from] sea_orm::DbErr),
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

/// Checks that every anchored event is still in its chain with the hash that was published.
/// Together with [`verify`], this proves that nothing up to the anchor was changed or cut.
pub async fn check_anchors(
    db: &impl ConnectionTrait,
    anchors: &[Anchor],
) -> Result<(), VerifyError> {
    for anchor in anchors {
        let found = audit_event::Entity::find()
            .filter(audit_event::Column::ChainId.eq(anchor.chain_id.as_str()))
            .filter(audit_event::Column::Seq.eq(anchor.seq))
            .one(db)
            .await?;
        let why = match found {
            None => "the published event is gone: the chain was cut back",
            Some(e) if e.hash != anchor.hash => "its hash differs from the one published",
            Some(_) => continue,
        };
        return Err(Broken {
            chain_id: anchor.chain_id.clone(),
            seq: anchor.seq,
            event_id: "as published".into(),
            why,
        }
        .into());
    }
    Ok(())
}

/// Walks every chain from its first event and checks each link and each hash.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Verified, VerifyError> {
    let mut pages = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::ChainId)
        .order_by_asc(audit_event::Column::Seq)
        .paginate(db, 1000);
    let mut chains = 0;
    let mut events = 0;
    let mut current: Option<(String, i64, String)> = None;
    while let Some(page) = pages.fetch_and_next().await? {
        for e in page {
            let broken = |why| Broken {
                chain_id: e.chain_id.clone(),
                seq: e.seq,
                event_id: e.id.clone(),
                why,
            };
            let (expected_seq, expected_prev) = match &current {
                Some((chain, seq, hash)) if *chain == e.chain_id => (seq + 1, hash.clone()),
                _ => {
                    chains += 1;
                    (1, GENESIS.to_owned())
                }
            };
            if e.seq != expected_seq {
                return Err(broken("an event is missing before this one").into());
            }
            if e.prev_hash != expected_prev {
                return Err(broken("it does not link to the event before it").into());
            }
            if hash_of(&e) != e.hash {
                return Err(broken("its content was changed after it was written").into());
            }
            events += 1;
            current = Some((e.chain_id.clone(), e.seq, e.hash.clone()));
        }
    }
    Ok(Verified { chains, events })
}
