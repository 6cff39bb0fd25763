//! Rows on their way to the database, encoded once for the backend that will take them: COPY
//! text for PostgreSQL, bound values for SQLite's multi-row INSERTs. A batch holds a bounded
//! number of bytes; tables are written in the order their foreign keys need.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sea_orm::Value;

/// The tables the generator fills, in an order where every row's foreign keys point at tables
/// written before it (or at its own table, for a reversal's entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    OrgUnit,
    Member,
    RoleAssignment,
    PointRule,
    PointRuleVersion,
    CycleYear,
    QuarterReview,
    Feedback,
    Deed,
    LedgerEntry,
    Deduction,
    Meeting,
    MeetingAttendance,
    AuditEvent,
    AuditSeal,
}

impl Table {
    pub const ALL: [Table; 15] = [
        Table::OrgUnit,
        Table::Member,
        Table::RoleAssignment,
        Table::PointRule,
        Table::PointRuleVersion,
        Table::CycleYear,
        Table::QuarterReview,
        Table::Feedback,
        Table::Deed,
        Table::LedgerEntry,
        Table::Deduction,
        Table::Meeting,
        Table::MeetingAttendance,
        Table::AuditEvent,
        Table::AuditSeal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::OrgUnit => "org_unit",
            Table::Member => "member",
            Table::RoleAssignment => "role_assignment",
            Table::PointRule => "point_rule",
            Table::PointRuleVersion => "point_rule_version",
            Table::CycleYear => "cycle_year",
            Table::QuarterReview => "quarter_review",
            Table::Feedback => "feedback",
            Table::Deed => "deed",
            Table::LedgerEntry => "ledger_entry",
            Table::Deduction => "deduction",
            Table::Meeting => "meeting",
            Table::MeetingAttendance => "meeting_attendance",
            Table::AuditEvent => "audit_event",
            Table::AuditSeal => "audit_seal",
        }
    }

    /// The columns a row gives, in order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::OrgUnit => &["id", "parent_id", "kind", "name", "code", "created_at"],
            Table::Member => &[
                "id",
                "home_branch_id",
                "migrant_org_id",
                "name",
                "username",
                "password_hash",
                "phone",
                "status",
                "created_at",
            ],
            Table::RoleAssignment => &["id", "member_id", "org_unit_id", "role", "created_at"],
            Table::PointRule => &[
                "id",
                "branch_id",
                "category",
                "name",
                "description",
                "standard_points",
                "cap_per_quarter",
                "cap_per_year",
                "evidence_required",
                "active",
                "version",
                "created_at",
                "updated_at",
            ],
            Table::PointRuleVersion => &[
                "rule_id",
                "version",
                "name",
                "description",
                "standard_points",
                "cap_per_quarter",
                "cap_per_year",
                "evidence_required",
                "created_at",
                "created_by",
            ],
            Table::CycleYear => &[
                "id",
                "branch_id",
                "cycle_year",
                "base_points",
                "members_given",
                "opened_at",
                "opened_by",
            ],
            Table::QuarterReview => &[
                "id",
                "branch_id",
                "cycle_year",
                "cycle_quarter",
                "status",
                "signed_by",
                "signed_at",
                "published_at",
            ],
            Table::Feedback => &[
                "id",
                "branch_id",
                "cycle_year",
                "cycle_quarter",
                "about_member_id",
                "body",
                "contact",
                "status",
                "created_at",
                "decided_by",
                "decided_at",
                "decision_reason",
                "ledger_entry_id",
                "client_hash",
            ],
            Table::Deed => &[
                "id",
                "member_id",
                "branch_id",
                "rule_id",
                "title",
                "account",
                "occurred_at",
                "cycle_year",
                "cycle_quarter",
                "place_name",
                "lat",
                "lng",
                "photo_ids",
                "status",
                "points_claimed",
                "points_awarded",
                "decision_reason",
                "reviewed_by",
                "reviewed_at",
                "rule_version",
                "client_request_id",
                "submitted_by",
                "created_at",
                "updated_at",
                "first_decided_at",
            ],
            Table::LedgerEntry => &[
                "id",
                "member_id",
                "branch_id",
                "cycle_year",
                "cycle_quarter",
                "kind",
                "category",
                "points",
                "deed_id",
                "rule_id",
                "reverses_id",
                "note",
                "rule_version",
                "created_by",
                "created_at",
            ],
            Table::Deduction => &[
                "id",
                "branch_id",
                "member_id",
                "rule_id",
                "rule_version",
                "points",
                "reason",
                "feedback_id",
                "status",
                "proposed_by",
                "proposed_at",
                "decided_by",
                "decided_at",
                "drop_reason",
                "ledger_entry_id",
            ],
            Table::Meeting => &[
                "id",
                "org_unit_id",
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "place",
                "online_url",
                "remote_allowed",
                "attendance_rule_id",
                "absence_rule_id",
                "created_by",
                "created_at",
                "closed_by",
                "closed_at",
            ],
            Table::MeetingAttendance => &[
                "id",
                "meeting_id",
                "member_id",
                "mode",
                "recorded_at",
                "ledger_entry_id",
            ],
            Table::AuditEvent => &[
                "id",
                "chain_id",
                "seq",
                "at",
                "actor_id",
                "action",
                "entity_type",
                "entity_id",
                "before",
                "after",
                "reason",
                "prev_hash",
                "hash",
            ],
            Table::AuditSeal => &[
                "id",
                "chain_id",
                "seq",
                "event_id",
                "head_hash",
                "signature",
                "sealed_at",
            ],
        }
    }
}

/// One column's value.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    At(DateTime<Utc>),
}

impl<'a> Val<'a> {
    pub fn text(s: Option<&'a str>) -> Self {
        s.map_or(Val::Null, Val::Text)
    }

    pub fn int(i: Option<i32>) -> Self {
        i.map_or(Val::Null, |i| Val::Int(i.into()))
    }

    pub fn at(t: Option<DateTime<Utc>>) -> Self {
        t.map_or(Val::Null, Val::At)
    }

    pub fn float(f: Option<f64>) -> Self {
        f.map_or(Val::Null, Val::Float)
    }
}

/// How the rows of a batch are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// PostgreSQL's COPY text format.
    CopyText,
    /// Values bound to SQLite INSERT statements.
    Bound,
}

#[derive(Default)]
struct Buf {
    rows: usize,
    copy: Vec<u8>,
    values: Vec<Value>,
}

/// Rows of every table, ready to write.
pub struct Batch {
    encoding: Encoding,
    bufs: Vec<Buf>,
    bytes: usize,
}

impl Batch {
    pub fn new(encoding: Encoding) -> Self {
        Self {
            encoding,
            bufs: Table::ALL.iter().map(|_| Buf::default()).collect(),
            bytes: 0,
        }
    }

    /// About how much memory the batch holds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.bufs.iter().all(|b| b.rows == 0)
    }

    pub fn rows(&self, table: Table) -> usize {
        self.bufs[table as usize].rows
    }

    /// The COPY text of a table's rows.
    pub fn copy_text(&self, table: Table) -> &[u8] {
        &self.bufs[table as usize].copy
    }

    /// A table's bound values, row after row.
    pub fn values(&mut self, table: Table) -> Vec<Value> {
        std::mem::take(&mut self.bufs[table as usize].values)
    }

    pub fn row(&mut self, table: Table, vals: &[Val<'_>]) {
        let buf = &mut self.bufs[table as usize];
        buf.rows += 1;
        match self.encoding {
            Encoding::CopyText => {
                let before = buf.copy.len();
                for (i, v) in vals.iter().enumerate() {
                    if i > 0 {
                        buf.copy.push(b'\t');
                    }
                    copy_value(&mut buf.copy, v);
                }
                buf.copy.push(b'\n');
                self.bytes += buf.copy.len() - before;
            }
            Encoding::Bound => {
                for v in vals {
                    self.bytes += 16;
                    buf.values.push(match *v {
                        Val::Null => Value::String(None),
                        Val::Text(s) => {
                            self.bytes += s.len();
                            Value::from(s.to_owned())
                        }
                        Val::Int(i) => Value::from(i),
                        Val::Float(f) => Value::from(f),
                        Val::Bool(b) => Value::from(b),
                        Val::At(t) => Value::from(t),
                    });
                }
            }
        }
    }
}

fn copy_value(out: &mut Vec<u8>, v: &Val<'_>) {
    let mut s = String::new();
    match *v {
        Val::Null => out.extend_from_slice(b"\\N"),
        Val::Text(t) => {
            for b in t.bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    _ => out.push(b),
                }
            }
        }
        Val::Int(i) => {
            let _ = write!(s, "{i}");
            out.extend_from_slice(s.as_bytes());
        }
        Val::Float(f) => {
            let _ = write!(s, "{f}");
            out.extend_from_slice(s.as_bytes());
        }
        Val::Bool(b) => out.push(if b { b't' } else { b'f' }),
        Val::At(t) => {
            let _ = write!(s, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
            out.extend_from_slice(s.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_end_a_field_or_a_row() {
        let mut b = Batch::new(Encoding::CopyText);
        let at = DateTime::parse_from_rfc3339("2026-03-01T08:30:00.123Z")
            .unwrap()
            .with_timezone(&Utc);
        b.row(
            Table::OrgUnit,
            &[
                Val::Text("a\tb\nc\\d"),
                Val::Null,
                Val::Int(-5),
                Val::Bool(true),
                Val::At(at),
                Val::Float(34.5),
            ],
        );
        assert_eq!(
            std::str::from_utf8(b.copy_text(Table::OrgUnit)).unwrap(),
            "a\\tb\\nc\\\\d\t\\N\t-5\tt\t2026-03-01 08:30:00.123000+00\t34.5\n"
        );
        assert_eq!(b.rows(Table::OrgUnit), 1);
    }
}
