//! `jifen audit verify`: every chain links and hashes up, every seal is the audit key's, every
//! org unit that holds data still has its chain, and the ledger is what the events wrote.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

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
    verify_in_pages(db, key, PAGE).await
}

/// [`verify_with`], reading `page` rows per query where it reads 5,000: tests read a few at a
/// time, so that every boundary between two pages is crossed.
pub async fn verify_in_pages(
    db: &impl ConnectionTrait,
    key: Option<&SealKey>,
    page: u64,
) -> Result<Verified, VerifyError> {
    let page = page.max(1);
    let walked = walk_in_pages(db, key, page).await?;
    every_unit_has_its_chain(db, &walked.chains).await?;
    if key.is_some() {
        no_orphaned_seals(db, &walked.chains).await?;
    }
    let ledger = verify_ledger::check(db, page).await?;
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

/// Rows read per query: a page of events (with the seals up to its last event), or of ledger
/// entries (with the events that wrote them). Pages start after the last row read (keyset), never
/// at an offset, so the millionth page costs what the first did.
pub(super) const PAGE: u64 = 5000;

/// Where an event or a seal sits: its chain, then its place in the chain.
type Place = (String, i64);

/// The rows of `E` placed after `from` and up to `to` (each bound optional), in place order.
/// Written as row values, `(chain_id, seq) > (?, ?)`, which PostgreSQL and SQLite both compare
/// column by column and answer from the unique (chain_id, seq) index of either table.
fn placed<E: EntityTrait>(
    chain: E::Column,
    seq: E::Column,
    from: Option<&Place>,
    to: Option<&Place>,
) -> sea_orm::Select<E> {
    let place = || Expr::tuple([Expr::col(chain).into(), Expr::col(seq).into()]);
    let value = |p: &Place| Expr::tuple([Expr::val(p.0.clone()).into(), Expr::val(p.1).into()]);
    let mut query = E::find();
    if let Some(from) = from {
        query = query.filter(place().gt(value(from)));
    }
    if let Some(to) = to {
        query = query.filter(place().lte(value(to)));
    }
    query.order_by_asc(chain).order_by_asc(seq)
}

/// Seals read ahead of the walk and not yet matched with their event, by chain and seq.
#[derive(Default)]
struct Seals(HashMap<String, BTreeMap<i64, audit_seal::Model>>);

impl Seals {
    fn add(&mut self, seals: Vec<audit_seal::Model>) {
        for s in seals {
            self.0
                .entry(s.chain_id.clone())
                .or_default()
                .insert(s.seq, s);
        }
    }

    /// The seal of event `seq` of `chain`, if it has one. The walk is past every earlier place
    /// of the chain, so their seals (which no event can claim any more) are dropped too.
    fn take(&mut self, chain: &str, seq: i64) -> Option<audit_seal::Model> {
        let seals = self.0.get_mut(chain)?;
        while let Some(first) = seals.first_entry() {
            if *first.key() >= seq {
                break;
            }
            first.remove();
        }
        seals.remove(&seq)
    }

    /// The seals of `chain` left once its last event is walked: those past its end.
    fn rest_of(&mut self, chain: &str) -> BTreeMap<i64, audit_seal::Model> {
        self.0.remove(chain).unwrap_or_default()
    }

    /// Drops the seals of every chain but `chain`, the one being walked: any other read so far
    /// belongs to a chain that sorts before it and has no event left ([`no_orphaned_seals`]
    /// names those).
    fn keep_only(&mut self, chain: Option<&str>) {
        self.0.retain(|c, _| Some(c.as_str()) == chain);
    }
}

/// One chain being walked: its newest event so far.
struct Chain {
    last: audit_event::Model,
    /// Whether `last` carries a seal.
    last_sealed: bool,
    sealed_before: bool,
}

impl Chain {
    /// The end of a chain: its newest event is sealed, and no seal names an event past it.
    /// Needs the seals read up to the next chain's first event (or to the end).
    fn finish(self, key: Option<&SealKey>, seals: &mut Seals) -> Result<(), Broken> {
        if key.is_none() {
            return Ok(());
        }
        let rest = seals.rest_of(&self.last.chain_id);
        if !self.last_sealed {
            return Err(Broken {
                chain_id: self.last.chain_id,
                seq: self.last.seq,
                event_id: self.last.id,
                why: "the chain's newest event is not sealed: it was written without the audit \
                      key, behind the application's back (or before seals existed: run `jifen \
                      audit seal` once)",
            });
        }
        if let Some((_, cut)) = rest.range(self.last.seq + 1..).next() {
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

/// Walks every chain from its first event and checks each link, each hash and (with `key`)
/// each seal.
async fn walk(db: &impl ConnectionTrait, key: Option<&SealKey>) -> Result<Walked, VerifyError> {
    walk_in_pages(db, key, PAGE).await
}

/// [`walk`], reading `page` events at a time with the seals that sit among them: after the
/// previous page's last event, up to this page's last (to the end on the last page). Memory
/// holds a page of events and seals, not a chain or the history.
async fn walk_in_pages(
    db: &impl ConnectionTrait,
    key: Option<&SealKey>,
    page: u64,
) -> Result<Walked, VerifyError> {
    use audit_event::Column as E;
    use audit_seal::Column as S;
    let mut chains = BTreeSet::new();
    let mut events = 0;
    let mut current: Option<Chain> = None;
    let mut seals = Seals::default();
    let mut from: Option<Place> = None;
    loop {
        let mut batch = placed::<audit_event::Entity>(E::ChainId, E::Seq, from.as_ref(), None)
            .limit(page)
            .all(db)
            .await?;
        let mut to = match batch.len() as u64 == page {
            true => batch.last().map(|e| (e.chain_id.clone(), e.seq)),
            false => None,
        };
        if key.is_some() {
            let most = 2 * page;
            let mut read =
                placed::<audit_seal::Entity>(S::ChainId, S::Seq, from.as_ref(), to.as_ref())
                    .limit(most + 1)
                    .all(db)
                    .await?;
            if read.len() as u64 > most {
                // Far more seals than events to match them: the seals of chains whose events
                // are gone. Walk only up to the last seal kept, so memory still holds a page.
                read.truncate(most as usize);
                to = read.last().map(|s| (s.chain_id.clone(), s.seq));
                batch =
                    placed::<audit_event::Entity>(E::ChainId, E::Seq, from.as_ref(), to.as_ref())
                        .all(db)
                        .await?;
            }
            seals.add(read);
        }
        for e in batch {
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
                        done.finish(key, &mut seals)?;
                    }
                    chains.insert(e.chain_id.clone());
                    current = Some(Chain {
                        last: e.clone(),
                        last_sealed: false,
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
                chain.last_sealed = false;
                match seals.take(&e.chain_id, e.seq) {
                    Some(s) => {
                        if let Some(why) = seal::fault(key, &s, &e) {
                            return Err(broken(why).into());
                        }
                        chain.sealed_before = true;
                        chain.last_sealed = true;
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
        match to {
            Some(to) => {
                seals.keep_only(current.as_ref().map(|c| c.last.chain_id.as_str()));
                from = Some(to);
            }
            None => break,
        }
    }
    if let Some(done) = current.take() {
        done.finish(key, &mut seals)?;
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
