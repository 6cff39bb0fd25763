//! Verifiable points statements (积分证明): a member prints their year with a short check code on
//! it, and anyone holding the paper can check it at `/verify/{code}` without an account.
//!
//! The code is a keyed MAC (HMAC-SHA256, under a key derived from the audit key, which is never in
//! the database) over the statement's content: the member, the branch, the year, the totals, a
//! hash of the entries, the branch's audit chain head at issue and the time of issue. So a code
//! cannot be made up for a statement that was never issued, nor kept when someone edits the stored
//! row; and 60 bits of it, looked up at a limited rate per client, cannot be found by guessing.
//!
//! Printing again while the account is unchanged gives the same statement and code; once the
//! points have changed, printing issues a new statement and the older one reads as superseded.

use chrono::{DateTime, SubsecRound, Utc};
use hmac::{Hmac, Mac};
use jifen_shared::api::{PointsSummary, StatementCheck, StatementStanding};
use jifen_shared::domain::mask_name;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::entity::{audit_event, member, org_unit, statement};
use crate::error::{AppError, AppResult, Missing};
use crate::infra::config::Secret;
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::audit::{self, Event};
use crate::services::ledger;

type HmacSha256 = Hmac<Sha256>;

/// Crockford's base 32: digits and capitals without I, L, O and U, so that a code read off
/// paper is not mistyped between look-alikes.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a check code: 60 bits of the MAC.
pub const CODE_LEN: usize = 12;
/// The chain head of a branch that has no event yet.
const NO_EVENT: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key check codes are made with: derived from the audit key, so that whoever can vouch for
/// the history can vouch for statements, and nobody else.
#[derive(Clone)]
pub struct StatementKey(Vec<u8>);

impl std::fmt::Debug for StatementKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatementKey(***)")
    }
}

impl StatementKey {
    pub fn new(audit_key: &Secret) -> Self {
        let mut mac = HmacSha256::new_from_slice(audit_key.expose().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"jifen.statement.key.v1");
        Self(mac.finalize().into_bytes().to_vec())
    }

    /// The check code of a statement's content (every column but the code itself).
    fn code(&self, s: &statement::Model) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        // A JSON array, so that no two different contents give the same input.
        let message = json!([
            "jifen.statement.v1",
            s.id,
            s.member_id,
            s.branch_id,
            s.cycle_year,
            s.base,
            s.bonus,
            s.deduction,
            s.total,
            s.entries,
            s.content_hash,
            s.chain_seq,
            s.chain_hash,
            s.issued_at
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            s.issued_by,
        ]);
        mac.update(message.to_string().as_bytes());
        let bytes = mac.finalize().into_bytes();
        let mut bits = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes")) >> 4;
        let mut code = [0u8; CODE_LEN];
        for c in code.iter_mut().rev() {
            *c = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        String::from_utf8_lossy(&code).into_owned()
    }
}

/// A code as printed, in groups of four: `ABCD-EFGH-JKMN`.
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as someone typed it, in the stored form: case, dashes and spaces do not matter, and
/// the look-alikes Crockford's alphabet leaves out are read as what they look like (O as 0,
/// I and L as 1). Anything else is no code at all.
pub fn normalized(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// A statement as printed: the stored row with the member, the branch and the year's account.
#[derive(Debug, Clone)]
pub struct Issued {
    pub statement: statement::Model,
    pub member: member::Model,
    pub branch: org_unit::Model,
    pub summary: PointsSummary,
}

/// Hex SHA-256 of the year's entries, in the order they were written.
fn content_hash(summary: &PointsSummary) -> String {
    let entries: Vec<_> = summary
        .entries
        .iter()
        .map(|e| json!([e.id, e.category.as_str(), e.points]))
        .collect();
    hex::encode(Sha256::digest(
        serde_json::Value::Array(entries).to_string().as_bytes(),
    ))
}

/// Whether `s` states the account `summary` holds now, in `branch`.
fn states(s: &statement::Model, summary: &PointsSummary, branch_id: &str) -> bool {
    s.branch_id == branch_id
        && s.base == summary.base
        && s.bonus == summary.bonus
        && s.deduction == summary.deduction
        && s.total == summary.total
        && s.entries as usize == summary.entries.len()
        && s.content_hash == content_hash(summary)
}

async fn latest(
    db: &impl ConnectionTrait,
    member_id: &str,
    year: i32,
) -> AppResult<Option<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::MemberId.eq(member_id))
        .filter(statement::Column::CycleYear.eq(year))
        .order_by_desc(statement::Column::IssuedAt)
        .order_by_desc(statement::Column::Id)
        .one(db)
        .await?)
}

/// The statement of `member_id`'s `year` for `viewer_id` (the member, or those who review the
/// member's branch; to anyone else the member does not exist): the latest one when the account
/// has not changed since, otherwise a new one, issued and audited in the branch's chain.
pub async fn issue(
    db: &Db,
    now: DateTime<Utc>,
    key: &StatementKey,
    viewer_id: &str,
    member_id: &str,
    year: i32,
) -> AppResult<Issued> {
    let conn = db.conn();
    ledger::check_reader(conn, viewer_id, member_id).await?;
    let member = member::Entity::find_by_id(member_id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    let branch = org_unit::Entity::find_by_id(member.home_branch_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(Missing::OrgUnit))?;

    // Reprinting an unchanged account takes no write lock.
    let summary = ledger::summary(conn, member_id, year).await?;
    if let Some(s) = latest(conn, member_id, year).await? {
        if states(&s, &summary, &branch.id) {
            return Ok(Issued {
                statement: s,
                member,
                branch,
                summary,
            });
        }
    }

    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let summary = ledger::summary(&*txn, member_id, year).await?;
    if let Some(s) = latest(&*txn, member_id, year).await? {
        if states(&s, &summary, &branch.id) {
            return Ok(Issued {
                statement: s,
                member,
                branch,
                summary,
            });
        }
    }
    let head = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(branch.id.as_str()))
        .order_by_desc(audit_event::Column::Seq)
        .one(&*txn)
        .await?;
    let mut row = statement::Model {
        id: ids::new(),
        member_id: member.id.clone(),
        branch_id: branch.id.clone(),
        cycle_year: year,
        base: summary.base,
        bonus: summary.bonus,
        deduction: summary.deduction,
        total: summary.total,
        entries: i32::try_from(summary.entries.len()).unwrap_or(i32::MAX),
        content_hash: content_hash(&summary),
        chain_seq: head.as_ref().map_or(0, |h| h.seq),
        chain_hash: head.map_or_else(|| NO_EVENT.to_owned(), |h| h.hash),
        check_code: String::new(),
        // As stored: both databases keep microseconds, and the code must be made again from
        // what was read back.
        issued_at: now.trunc_subsecs(6),
        issued_by: viewer_id.to_owned(),
    };
    row.check_code = key.code(&row);
    statement::Entity::insert(statement::ActiveModel {
        id: Set(row.id.clone()),
        member_id: Set(row.member_id.clone()),
        branch_id: Set(row.branch_id.clone()),
        cycle_year: Set(row.cycle_year),
        base: Set(row.base),
        bonus: Set(row.bonus),
        deduction: Set(row.deduction),
        total: Set(row.total),
        entries: Set(row.entries),
        content_hash: Set(row.content_hash.clone()),
        chain_seq: Set(row.chain_seq),
        chain_hash: Set(row.chain_hash.clone()),
        check_code: Set(row.check_code.clone()),
        issued_at: Set(row.issued_at),
        issued_by: Set(row.issued_by.clone()),
    })
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: Some(viewer_id),
            action: "statement.issued",
            entity_type: "statement",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "member_id": row.member_id,
                "year": row.cycle_year,
                "base": row.base,
                "bonus": row.bonus,
                "deduction": row.deduction,
                "total": row.total,
                "entries": row.entries,
                "content_hash": row.content_hash,
                "chain_seq": row.chain_seq,
                "chain_hash": row.chain_hash,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Issued {
        statement: row,
        member,
        branch,
        summary,
    })
}

/// What a check code vouches for, for anyone: `statement.not_found` when no genuine statement
/// has it (never issued, mistyped, or its stored content no longer matches its code).
pub async fn check(
    db: &impl ConnectionTrait,
    key: &StatementKey,
    typed: &str,
) -> AppResult<StatementCheck> {
    let unknown = || AppError::NotFound(Missing::Statement);
    let code = normalized(typed).ok_or_else(unknown)?;
    let s = statement::Entity::find()
        .filter(statement::Column::CheckCode.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or_else(unknown)?;
    if key.code(&s) != s.check_code {
        tracing::warn!(
            statement = %s.id,
            "a statement's stored content does not match its check code: it was changed \
             behind the application's back"
        );
        return Err(unknown());
    }
    let newer = statement::Entity::find()
        .filter(statement::Column::MemberId.eq(s.member_id.as_str()))
        .filter(statement::Column::CycleYear.eq(s.cycle_year))
        .filter(
            Condition::any()
                .add(statement::Column::IssuedAt.gt(s.issued_at))
                .add(
                    Condition::all()
                        .add(statement::Column::IssuedAt.eq(s.issued_at))
                        .add(statement::Column::Id.gt(s.id.as_str())),
                ),
        )
        .order_by_asc(statement::Column::IssuedAt)
        .order_by_asc(statement::Column::Id)
        .one(db)
        .await?;
    let member_name = member::Entity::find_by_id(s.member_id.clone())
        .one(db)
        .await?
        .map(|m| mask_name(&m.name))
        .unwrap_or_default();
    let branch_name = org_unit::Entity::find_by_id(s.branch_id.clone())
        .one(db)
        .await?
        .map(|b| b.name)
        .unwrap_or_default();
    Ok(StatementCheck {
        check_code: grouped(&s.check_code),
        standing: if newer.is_some() {
            StatementStanding::Superseded
        } else {
            StatementStanding::Current
        },
        member_name,
        branch_name,
        year: s.cycle_year,
        base: s.base,
        bonus: s.bonus,
        deduction: s.deduction,
        total: s.total,
        issued_at: s.issued_at,
        superseded_at: newer.map(|n| n.issued_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> statement::Model {
        statement::Model {
            id: "0190a0a0-0000-7000-8000-000000000001".into(),
            member_id: "m".into(),
            branch_id: "b".into(),
            cycle_year: 2026,
            base: 60,
            bonus: 20,
            deduction: -5,
            total: 75,
            entries: 3,
            content_hash: "h".into(),
            chain_seq: 7,
            chain_hash: NO_EVENT.into(),
            check_code: String::new(),
            issued_at: "2026-12-01T02:00:00Z".parse().unwrap(),
            issued_by: "m".into(),
        }
    }

    #[test]
    fn a_code_is_twelve_unambiguous_characters_that_follow_the_content_and_the_key() {
        let key = StatementKey::new(&Secret::new("audit-key-audit-key-audit-key-audit-0123"));
        let code = key.code(&row());
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
        assert_eq!(code, key.code(&row()), "the same content, the same code");
        let mut more = row();
        more.total += 1;
        assert_ne!(code, key.code(&more), "another total, another code");
        let other = StatementKey::new(&Secret::new("another-key-another-key-another-key-01"));
        assert_ne!(
            code,
            other.code(&row()),
            "without the key no code can be made"
        );
    }

    #[test]
    fn a_code_is_read_back_however_it_was_typed() {
        assert_eq!(grouped("ABCDEFGHJKMN"), "ABCD-EFGH-JKMN");
        assert_eq!(
            normalized(" abcd-efgh-jkmn ").as_deref(),
            Some("ABCDEFGHJKMN")
        );
        assert_eq!(
            normalized("O0IL-0000-0000").as_deref(),
            Some("001100000000")
        );
        assert_eq!(normalized("ABCD-EFGH-JKM"), None, "too short");
        assert_eq!(
            normalized("ABCD-EFGH-JKMU"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(normalized("<script>"), None);
    }
}
