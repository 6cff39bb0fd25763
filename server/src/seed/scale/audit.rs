//! Audit chains as the server writes them: each event hashed with the server's own
//! [`crate::services::audit::hash_of`] over its predecessor's hash, and the chain's newest event
//! sealed with the audit key's [`SealKey::sign`]. Events of a chain are gathered first and
//! written in time order.
//!
//! Only the newest event of each generated chain is sealed, where the server seals every event
//! it writes: `audit verify` requires the newest event sealed and every event after the first
//! seal sealed, and the sealed head vouches for everything before it through the hash chain (as
//! for history written before seals existed). A seal per event would double the rows of the
//! largest table for no stronger check; events the server adds later are sealed one by one.

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::Value;

use super::ids::Dice;
use super::rows::{Batch, Table, Val};
use crate::entity::audit_event;
use crate::services::audit::{hash_of, SealKey};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event not yet placed in its chain.
pub struct Pending {
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
}

/// The events of one chain, gathered in any order.
#[derive(Default)]
pub struct Events(Vec<Pending>);

impl Events {
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        at: DateTime<Utc>,
        actor_id: Option<&str>,
        action: &'static str,
        entity_type: &'static str,
        entity_id: &str,
        before: Option<Value>,
        after: Option<Value>,
        reason: Option<&str>,
    ) {
        self.0.push(Pending {
            at,
            actor_id: actor_id.map(str::to_owned),
            action,
            entity_type,
            entity_id: entity_id.to_owned(),
            before,
            after,
            reason: reason.map(str::to_owned),
        });
    }

    /// Writes the chain of `chain_id` from its first event: in time order (events at the same
    /// instant in the order they were pushed), linked and hashed, its newest event sealed.
    /// Returns how many events.
    pub fn write(
        mut self,
        chain_id: &str,
        dice: &mut Dice,
        key: &SealKey,
        batch: &mut Batch,
    ) -> u64 {
        self.0.sort_by_key(|e| e.at);
        let mut prev = GENESIS.to_owned();
        let mut seq = 0;
        let mut head = None;
        for e in self.0 {
            seq += 1;
            let mut row = audit_event::Model {
                id: dice.id(e.at),
                chain_id: chain_id.to_owned(),
                seq,
                at: e.at.trunc_subsecs(6),
                actor_id: e.actor_id,
                action: e.action.to_owned(),
                entity_type: e.entity_type.to_owned(),
                entity_id: e.entity_id,
                before: e.before.map(|v| v.to_string()),
                after: e.after.map(|v| v.to_string()),
                reason: e.reason,
                prev_hash: prev,
                hash: String::new(),
            };
            row.hash = hash_of(&row);
            batch.row(
                Table::AuditEvent,
                &[
                    Val::Text(&row.id),
                    Val::Text(&row.chain_id),
                    Val::Int(row.seq),
                    Val::At(row.at),
                    Val::text(row.actor_id.as_deref()),
                    Val::Text(&row.action),
                    Val::Text(&row.entity_type),
                    Val::Text(&row.entity_id),
                    Val::text(row.before.as_deref()),
                    Val::text(row.after.as_deref()),
                    Val::text(row.reason.as_deref()),
                    Val::Text(&row.prev_hash),
                    Val::Text(&row.hash),
                ],
            );
            prev = row.hash.clone();
            head = Some(row);
        }
        if let Some(row) = head {
            let seal_id = dice.id(row.at);
            let signature = key.sign(&row.chain_id, row.seq, &row.hash);
            batch.row(
                Table::AuditSeal,
                &[
                    Val::Text(&seal_id),
                    Val::Text(&row.chain_id),
                    Val::Int(row.seq),
                    Val::Text(&row.id),
                    Val::Text(&row.hash),
                    Val::Text(&signature),
                    Val::At(row.at),
                ],
            );
        }
        u64::try_from(seq).unwrap_or(0)
    }
}
