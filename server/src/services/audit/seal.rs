//! Seals: an HMAC-SHA256, under a key kept outside the database, of each event's chain, place and
//! hash, written in the same transaction as the event. The hash chain shows an edit to one event;
//! the seals show a chain rewritten from its first event with recomputed hashes, which anyone who
//! can write to the database could otherwise do, because they cannot make new seals.
//!
//! One seal per event, only ever inserted: the serving role needs INSERT and SELECT on
//! `audit_seal`, never UPDATE or DELETE (see the README's least-privilege deployment).

use std::sync::OnceLock;

use chrono::{DateTime, SubsecRound, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::Sha256;

use crate::entity::{audit_event, audit_seal};
use crate::error::{AppError, AppResult};
use crate::infra::config::Secret;
use crate::infra::ids;

type HmacSha256 = Hmac<Sha256>;

/// The key seals are made and checked with. Never the token signing key: whoever holds this one
/// can vouch for history.
#[derive(Clone, PartialEq, Eq)]
pub struct SealKey(Vec<u8>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(***)")
    }
}

impl SealKey {
    pub fn new(secret: &Secret) -> Self {
        Self(secret.expose().as_bytes().to_vec())
    }

    fn mac(&self, chain_id: &str, seq: i64, head_hash: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        // A JSON array, so that no two different (chain, seq, hash) give the same input.
        let message = serde_json::json!(["jifen.audit.seal.v1", chain_id, seq, head_hash]);
        mac.update(message.to_string().as_bytes());
        mac
    }

    /// The hex signature of an event at `seq` in `chain_id` whose hash is `head_hash`.
    pub fn sign(&self, chain_id: &str, seq: i64, head_hash: &str) -> String {
        hex::encode(self.mac(chain_id, seq, head_hash).finalize().into_bytes())
    }

    /// Whether `signature` was made with this key for that event (compared in constant time).
    pub fn signed(&self, chain_id: &str, seq: i64, head_hash: &str, signature: &str) -> bool {
        match hex::decode(signature) {
            Ok(bytes) => self
                .mac(chain_id, seq, head_hash)
                .verify_slice(&bytes)
                .is_ok(),
            Err(_) => false,
        }
    }
}

/// Why a seal does not vouch for the event it sits next to, or `None` when it does.
pub(super) fn fault(
    key: &SealKey,
    seal: &audit_seal::Model,
    event: &audit_event::Model,
) -> Option<&'static str> {
    if seal.head_hash != event.hash || seal.event_id != event.id {
        return Some(
            "its seal was made for other content: the chain was rewritten after it was sealed",
        );
    }
    if !key.signed(&seal.chain_id, seal.seq, &seal.head_hash, &seal.signature) {
        return Some(
            "its seal's signature is not the audit key's: the chain and its seals were rewritten \
             without the key (or verify was given another key)",
        );
    }
    None
}

/// The key [`super::record`] seals with in this process, set once at start-up.
static PROCESS_KEY: OnceLock<SealKey> = OnceLock::new();

/// Makes `key` the one this process seals with. The key is process-wide because every service
/// records events through [`super::record`] without a handle to the application state; one
/// process serves one database, so a second, different key is refused rather than mixing seals.
pub fn install(key: SealKey) -> anyhow::Result<()> {
    let installed = PROCESS_KEY.get_or_init(|| key.clone());
    anyhow::ensure!(
        *installed == key,
        "this process already seals the audit history with another key"
    );
    Ok(())
}

pub(super) fn process_key() -> AppResult<&'static SealKey> {
    PROCESS_KEY.get().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "no audit key loaded: events cannot be sealed (see infra::secret::audit_key)"
        ))
    })
}

/// Seals an event just written, in its transaction.
pub(super) async fn write(
    db: &impl ConnectionTrait,
    key: &SealKey,
    event: &audit_event::Model,
    at: DateTime<Utc>,
) -> AppResult<()> {
    audit_seal::Entity::insert(audit_seal::ActiveModel {
        id: Set(ids::new()),
        chain_id: Set(event.chain_id.clone()),
        seq: Set(event.seq),
        event_id: Set(event.id.clone()),
        head_hash: Set(event.hash.clone()),
        signature: Set(key.sign(&event.chain_id, event.seq, &event.hash)),
        sealed_at: Set(at.trunc_subsecs(6)),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Refuses to extend a chain whose newest event is not sealed with `key`.
pub(super) async fn check_head(
    db: &impl ConnectionTrait,
    key: &SealKey,
    head: &audit_event::Model,
) -> AppResult<()> {
    let seal = audit_seal::Entity::find()
        .filter(audit_seal::Column::ChainId.eq(head.chain_id.as_str()))
        .filter(audit_seal::Column::Seq.eq(head.seq))
        .one(db)
        .await?;
    let why = match &seal {
        None => Some("it has no seal (written behind the application's back, or before seals existed: run `jifen audit seal`)"),
        Some(seal) => fault(key, seal, head),
    };
    match why {
        None => Ok(()),
        Some(why) => Err(AppError::Internal(anyhow::anyhow!(
            "audit chain {} is not extended: its newest event #{} ({}) does not verify: {why}; \
             run `jifen audit verify`",
            head.chain_id,
            head.seq,
            head.id
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_verifies_only_for_its_event_and_key() {
        let key = SealKey::new(&Secret::new("audit-key-audit-key-audit-key-0123"));
        let other = SealKey::new(&Secret::new("another-key-another-key-another-0123"));
        let hash = "ab".repeat(32);
        let signature = key.sign("chain", 3, &hash);
        assert!(key.signed("chain", 3, &hash, &signature));
        assert!(!key.signed("chain", 4, &hash, &signature), "another place");
        assert!(
            !key.signed("chain", 3, &"cd".repeat(32), &signature),
            "another hash"
        );
        assert!(!key.signed("other", 3, &hash, &signature), "another chain");
        assert!(!other.signed("chain", 3, &hash, &signature), "another key");
        assert!(!key.signed("chain", 3, &hash, "not hex"), "garbage");
    }
}
