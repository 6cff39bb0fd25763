//! `jifen audit verify`: every chain links and hashes up, every seal is the audit key's, every
//! org unit that holds data still has its chain, and the ledger is what the events wrote.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::seal::{self, SealKey};
use super::verify_ledger::{self, LedgerMismatch};
use super::{lock_chain, GENESIS};
use crate::entity::{
    audit_event, audit_seal, deed, feedback, ledger_entry, member, org_unit, point_rule,
    quarter_review, role_assignment,
};
use crate::infra::db::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub chains: usize,
    pub events: u64,
    /// Whether the seals were checked (verify was given the audit key).
    pub seals_checked: bool,
    /// Ledger entries found to be exactly what the events wrote.
    pub ledger_entries: usize,
    /// Members whose ledger was recomputed from the events.
    pub members: usize,
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

/// An org unit that holds data but has no audit history any more.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("org unit {name} ({org_id}) holds {holds} but has no audit chain: its history was deleted")]
pub struct Unchained {
    pub org_id: String,
    pub name: String,
    /// What it holds, for instance "deeds, ledger entries and members".
    pub holds: String,
}

/// Seals left behind by a chain whose events are all gone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain {chain_id} was sealed up to event #{seq} but none of its events is left: the whole chain was deleted")]
pub struct SealOrphaned {
    pub chain_id: String,
    pub seq: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] Broken),
    #[error(transparent)]
    Unchained(#[from] Unchained),
    #[error(transparent)]
    SealOrphaned(#[from] SealOrphaned),
    #[error(transparent)]
    Ledger(#[from] LedgerMismatch),
    #[error("reading the audit history: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// [`verify_with`] the key this process seals with, when it has one (a server runs in it).
pub async fn verify(db: &impl ConnectionTrait) -> Result<Verified, VerifyError> {
    verify_with(db, seal::process_key().ok()).await
}

/// Checks, in this order, and names the first thing that does not hold: each chain's links and
/// hashes; with `key`, each event's seal (a chain's newest event must be sealed, and no event
/// after its first sealed one may lack a seal); that every org unit holding data has a chain;
/// that no seal outlives its chain; and that every member's ledger is exactly what the events
/// wrote. Without `key` the seals are not checked, so a chain rewritten whole would pass.
pub async fn verify_with(
    db: &impl ConnectionTrait,
    key: Option<&SealKey>,
) -> Result<Verified, VerifyError> {
    let walked = walk(db, key).await?;
    every_unit_has_its_chain(db, &walked.chains).await?;
    if key.is_some() {
        no_orphaned_seals(db, &walked.chains).await?;
    }
    let ledger = verify_ledger::check(db).await?;
    Ok(Verified {
        chains: walked.chains.len(),
        events: walked.events,
        seals_checked: key.is_some(),
        ledger_entries: ledger.entries,
        members: ledger.members,
    })
}

struct Walked {
    chains: BTreeSet<String>,
    events: u64,
}

/// One chain being walked: its newest event so far and its seals.
struct Chain {
    last: audit_event::Model,
    seals: BTreeMap<i64, audit_seal::Model>,
    sealed_before: bool,
}

impl Chain {
    /// The end of a chain: its newest event is sealed, and no seal names an event past it.
    fn finish(self, key: Option<&SealKey>) -> Result<(), Broken> {
        if key.is_none() {
            return Ok(());
        }
        if !self.seals.contains_key(&self.last.seq) {
            return Err(Broken {
                chain_id: self.last.chain_id,
                seq: self.last.seq,
                event_id: self.last.id,
                why: "the chain's newest event is not sealed: it was written without the audit \
                      key, behind the application's back (or before seals existed: run `jifen \
                      audit seal` once)",
            });
        }
        if let Some((_, cut)) = self.seals.range(self.last.seq + 1..).next() {
            return Err(Broken {
                chain_id: cut.chain_id.clone(),
                seq: cut.seq,
                event_id: cut.event_id.clone(),
                why: "this sealed event is gone: the chain was cut back",
            });
        }
        Ok(())
    }
}

async fn seals_of(
    db: &impl ConnectionTrait,
    chain_id: &str,
) -> Result<BTreeMap<i64, audit_seal::Model>, sea_orm::DbErr> {
    Ok(audit_seal::Entity::find()
        .filter(audit_seal::Column::ChainId.eq(chain_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.seq, s))
        .collect())
}

/// Walks every chain from its first event and checks each link, each hash and (with `key`)
/// each seal.
async fn walk(db: &impl ConnectionTrait, key: Option<&SealKey>) -> Result<Walked, VerifyError> {
    let mut pages = audit_event::Entity::find()
        .order_by_asc(audit_event::Column::ChainId)
        .order_by_asc(audit_event::Column::Seq)
        .paginate(db, 1000);
    let mut chains = BTreeSet::new();
    let mut events = 0;
    let mut current: Option<Chain> = None;
    while let Some(page) = pages.fetch_and_next().await? {
        for e in page {
            let broken = |why| Broken {
                chain_id: e.chain_id.clone(),
                seq: e.seq,
                event_id: e.id.clone(),
                why,
            };
            let (expected_seq, expected_prev) = match &current {
                Some(c) if c.last.chain_id == e.chain_id => (c.last.seq + 1, c.last.hash.clone()),
                _ => {
                    if let Some(done) = current.take() {
                        done.finish(key)?;
                    }
                    chains.insert(e.chain_id.clone());
                    let seals = match key {
                        Some(_) => seals_of(db, &e.chain_id).await?,
                        None => BTreeMap::new(),
                    };
                    current = Some(Chain {
                        last: e.clone(),
                        seals,
                        sealed_before: false,
                    });
                    (1, GENESIS.to_owned())
                }
            };
            if e.seq != expected_seq {
                return Err(broken("an event is missing before this one").into());
            }
            if e.prev_hash != expected_prev {
                return Err(broken("it does not link to the event before it").into());
            }
            if super::hash_of(&e) != e.hash {
                return Err(broken("its content was changed after it was written").into());
            }
            let chain = current.as_mut().expect("a chain is being walked");
            if let Some(key) = key {
                match chain.seals.get(&e.seq) {
                    Some(s) => {
                        if let Some(why) = seal::fault(key, s, &e) {
                            return Err(broken(why).into());
                        }
                        chain.sealed_before = true;
                    }
                    None if chain.sealed_before => {
                        return Err(broken(
                            "it has no seal although the events before it do: its seal was deleted",
                        )
                        .into());
                    }
                    // Written before seals existed; the first sealed event vouches for it
                    // through the hash chain.
                    None => {}
                }
            }
            events += 1;
            chain.last = e;
        }
    }
    if let Some(done) = current.take() {
        done.finish(key)?;
    }
    Ok(Walked { chains, events })
}

/// Every org unit that holds deeds, ledger entries, feedback, members, rules, quarters or roles
/// has a chain: creating any of them records an event in that unit's chain.
async fn every_unit_has_its_chain(
    db: &impl ConnectionTrait,
    chains: &BTreeSet<String>,
) -> Result<(), VerifyError> {
    let mut holders: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let mut note = |ids: Vec<String>, what: &'static str| {
        for id in ids {
            if !chains.contains(&id) {
                holders.entry(id).or_default().push(what);
            }
        }
    };
    note(
        distinct(
            db,
            deed::Entity::find()
                .select_only()
                .column(deed::Column::BranchId),
        )
        .await?,
        "deeds",
    );
    note(
        distinct(
            db,
            ledger_entry::Entity::find()
                .select_only()
                .column(ledger_entry::Column::BranchId),
        )
        .await?,
        "ledger entries",
    );
    note(
        distinct(
            db,
            feedback::Entity::find()
                .select_only()
                .column(feedback::Column::BranchId),
        )
        .await?,
        "feedback",
    );
    note(
        distinct(
            db,
            member::Entity::find()
                .select_only()
                .column(member::Column::HomeBranchId),
        )
        .await?,
        "members",
    );
    note(
        distinct(
            db,
            point_rule::Entity::find()
                .select_only()
                .column(point_rule::Column::BranchId),
        )
        .await?,
        "rules",
    );
    note(
        distinct(
            db,
            quarter_review::Entity::find()
                .select_only()
                .column(quarter_review::Column::BranchId),
        )
        .await?,
        "quarters",
    );
    note(
        distinct(
            db,
            role_assignment::Entity::find()
                .select_only()
                .column(role_assignment::Column::OrgUnitId),
        )
        .await?,
        "roles",
    );
    let Some((org_id, holds)) = holders.into_iter().next() else {
        return Ok(());
    };
    let name = org_unit::Entity::find_by_id(org_id.clone())
        .one(db)
        .await?
        .map(|o| match o.code {
            Some(code) => format!("{} [{code}]", o.name),
            None => o.name,
        })
        .unwrap_or_else(|| "(no such org unit)".into());
    Err(Unchained {
        org_id,
        name,
        holds: listed(&holds),
    }
    .into())
}

async fn distinct<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
) -> Result<Vec<String>, sea_orm::DbErr> {
    select.distinct().into_tuple::<String>().all(db).await
}

/// "a", "a and b", "a, b and c".
fn listed(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A chain deleted together with its events leaves its seals (the serving role cannot delete
/// them).
async fn no_orphaned_seals(
    db: &impl ConnectionTrait,
    chains: &BTreeSet<String>,
) -> Result<(), VerifyError> {
    let sealed: Vec<String> = audit_seal::Entity::find()
        .select_only()
        .column(audit_seal::Column::ChainId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut orphaned: Vec<String> = sealed.into_iter().filter(|c| !chains.contains(c)).collect();
    orphaned.sort();
    let Some(chain_id) = orphaned.into_iter().next() else {
        return Ok(());
    };
    let seq = audit_seal::Entity::find()
        .filter(audit_seal::Column::ChainId.eq(chain_id.as_str()))
        .order_by_desc(audit_seal::Column::Seq)
        .one(db)
        .await?
        .map_or(0, |s| s.seq);
    Err(SealOrphaned { chain_id, seq }.into())
}

/// Checks that every anchored event is still in its chain with the hash that was published.
/// Together with [`verify`], this proves that nothing up to the anchor was changed or cut.
pub async fn check_anchors(
    db: &impl ConnectionTrait,
    anchors: &[super::Anchor],
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

/// Seals the newest event of every chain that has never been sealed (history written before
/// seals existed), after checking that the chains add up. Chains that carry seals are left
/// alone: if their newest event is unsealed, someone wrote it behind the application's back, and
/// `verify` says so. Returns how many chains were sealed.
pub async fn seal_unsealed_chains(
    db: &Db,
    key: &SealKey,
    now: DateTime<Utc>,
) -> Result<usize, VerifyError> {
    let walked = walk(db.conn(), None).await?;
    let sealed: BTreeSet<String> = audit_seal::Entity::find()
        .select_only()
        .column(audit_seal::Column::ChainId)
        .distinct()
        .into_tuple::<String>()
        .all(db.conn())
        .await?
        .into_iter()
        .collect();
    let mut count = 0;
    for chain_id in walked.chains.difference(&sealed) {
        let txn = db.begin_write().await?;
        lock_chain(&*txn, chain_id)
            .await
            .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        let head = audit_event::Entity::find()
            .filter(audit_event::Column::ChainId.eq(chain_id.as_str()))
            .order_by_desc(audit_event::Column::Seq)
            .one(&*txn)
            .await?;
        if let Some(head) = head {
            seal::write(&*txn, key, &head, now)
                .await
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
            count += 1;
        }
        txn.commit().await?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::listed;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(listed(&["deeds"]), "deeds");
        assert_eq!(listed(&["deeds", "members"]), "deeds and members");
        assert_eq!(
            listed(&["deeds", "feedback", "roles"]),
            "deeds, feedback and roles"
        );
    }
}
