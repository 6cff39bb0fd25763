//! What a roster file would do to the branch: each row matched to a member, or new, and every
//! problem with its row and column. The same plan is made for the preview and, again inside the
//! write transaction, for the commit, so the commit does exactly what the roster then allows.
//!
//! A row finds its member by, in turn:
//! 1. the phone number (unique within the branch);
//! 2. the username (unique everywhere; one of another branch is a problem);
//! 3. the name, when the row has neither phone nor username that matched, and exactly one member
//!    still taking part has that name (and their phones do not differ).
//!
//! A row with neither phone nor username whose name is on another row of the file, or shared by
//! several members, is a problem: it could not be found again by a second import, which must
//! change nothing. Members of the branch that no row finds are listed, never changed.

use std::collections::{HashMap, HashSet};

use jifen_shared::domain::{MemberStatus, TextError, Username};
use jifen_shared::words::Word;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::columns::{self, Columns, Field};
use super::file_issue;
use super::read::Row;
use crate::entity::{member, org_unit};
use crate::error::{AppResult, FieldIssue};
use crate::services::roster::members::{parse_name, parse_phone, Edit, Newcomer};
use crate::services::roster::usernames::Usernames;

/// A problem of one cell (or row), worded in both languages.
#[derive(Debug, Clone)]
pub struct Problem {
    pub row: u32,
    pub column: String,
    pub issue: FieldIssue,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Rows read, the header not counted.
    pub rows: u32,
    pub adds: Vec<(u32, Newcomer)>,
    pub updates: Vec<(u32, member::Model, Edit)>,
    pub unchanged: Vec<(u32, member::Model)>,
    pub not_in_file: Vec<member::Model>,
    pub problems: Vec<Problem>,
}

impl Plan {
    /// Whether committing the plan would add or change no member.
    pub fn changes_nothing(&self) -> bool {
        self.adds.is_empty() && self.updates.is_empty()
    }
}

/// One row's values, read and checked.
struct Line {
    number: u32,
    name: String,
    phone: Option<String>,
    status: Option<MemberStatus>,
    username: Option<String>,
}

/// Reads one row; its problems go to `problems`.
fn read_line(row: &Row, cols: &Columns, problems: &mut Vec<Problem>) -> Option<Line> {
    let before = problems.len();
    let mut problem = |f: Field, issue: FieldIssue| {
        problems.push(Problem {
            row: row.number,
            column: cols.header(f),
            issue,
        })
    };
    let cell = |f: Field| cols.index(f).map(|i| row.cell(i)).unwrap_or("");
    let name = match parse_name(cell(Field::Name)) {
        Ok(n) => Some(n),
        Err(issue) => {
            let missing = cell(Field::Name).is_empty()
                || jifen_shared::domain::RuleName::parse(cell(Field::Name))
                    .err()
                    .is_some_and(|e| e == TextError::Empty);
            problem(
                Field::Name,
                if missing {
                    FieldIssue::worded("name", "roster.name_missing", Word::RosterNameMissing)
                } else {
                    issue
                },
            );
            None
        }
    };
    let phone = parse_phone(cell(Field::Phone))
        .map_err(|issue| problem(Field::Phone, issue))
        .ok()
        .flatten();
    let status = columns::status(cell(Field::Status))
        .map_err(|()| {
            problem(
                Field::Status,
                FieldIssue::worded("status", "roster.unknown_status", Word::RosterUnknownStatus),
            )
        })
        .ok()
        .flatten();
    let username = match cell(Field::Username) {
        "" => None,
        raw => Username::parse(raw)
            .map_err(|e| problem(Field::Username, FieldIssue::explained("username", &e)))
            .ok()
            .map(Username::into_inner),
    };
    (problems.len() == before).then(|| Line {
        number: row.number,
        name: name.unwrap_or_default(),
        phone,
        status,
        username,
    })
}

/// Plans the file's rows (the header first) against the branch's roster.
pub async fn plan(
    db: &impl ConnectionTrait,
    branch: &org_unit::Model,
    rows: &[Row],
) -> AppResult<Plan> {
    let Some((header, body)) = rows.split_first() else {
        return Err(file_issue("roster.empty", Word::RosterEmpty));
    };
    let cols = Columns::of(&header.cells);
    if !cols.has(Field::Name) {
        return Err(file_issue(
            "roster.no_name_column",
            Word::RosterNoNameColumn,
        ));
    }
    if body.is_empty() {
        return Err(file_issue("roster.empty", Word::RosterEmpty));
    }
    let mut plan = Plan {
        rows: body.len() as u32,
        ..Plan::default()
    };
    let lines: Vec<Line> = body
        .iter()
        .filter_map(|r| read_line(r, &cols, &mut plan.problems))
        .collect();

    let roster = member::Entity::find()
        .filter(member::Column::HomeBranchId.eq(branch.id.as_str()))
        .all(db)
        .await?;
    let named: Vec<String> = lines.iter().filter_map(|l| l.username.clone()).collect();
    let by_username: HashMap<String, member::Model> = if named.is_empty() {
        HashMap::new()
    } else {
        member::Entity::find()
            .filter(member::Column::Username.is_in(named.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.username.clone(), m))
            .collect()
    };
    let mut usernames = Usernames::for_branch(db, branch).await?;
    for u in &named {
        usernames.reserve(u);
    }
    find_members(
        &branch.id,
        &cols,
        &lines,
        &roster,
        &by_username,
        &mut usernames,
        &mut plan,
    );
    plan.problems.sort_by_key(|p| p.row);
    Ok(plan)
}

/// Finds each line's member in the branch's `roster` (or `by_username`, every member named by
/// a username of the file), or plans a new one; a member is found by one line at most.
fn find_members(
    branch_id: &str,
    cols: &Columns,
    lines: &[Line],
    roster: &[member::Model],
    by_username: &HashMap<String, member::Model>,
    usernames: &mut Usernames,
    plan: &mut Plan,
) {
    let by_phone: HashMap<&str, &member::Model> = roster
        .iter()
        .filter_map(|m| m.phone.as_deref().map(|p| (p, m)))
        .collect();
    let mut names_in_file: HashMap<&str, u32> = HashMap::new();
    for l in lines {
        *names_in_file.entry(l.name.as_str()).or_default() += 1;
    }

    let mut phone_rows: HashMap<String, u32> = HashMap::new();
    let mut username_rows: HashMap<String, u32> = HashMap::new();
    let mut matched: HashSet<String> = HashSet::new();
    for l in lines {
        let mut problem = |f: Field, issue: FieldIssue| {
            plan.problems.push(Problem {
                row: l.number,
                column: cols.header(f),
                issue,
            })
        };
        if let Some(p) = &l.phone {
            if let Some(first) = phone_rows.insert(p.clone(), l.number) {
                phone_rows.insert(p.clone(), first);
                problem(
                    Field::Phone,
                    FieldIssue::filled(
                        "phone",
                        "roster.duplicate_phone",
                        Word::RosterDuplicatePhone,
                        &[("row", &first)],
                    ),
                );
                continue;
            }
        }
        if let Some(u) = &l.username {
            if let Some(first) = username_rows.insert(u.clone(), l.number) {
                username_rows.insert(u.clone(), first);
                problem(
                    Field::Username,
                    FieldIssue::filled(
                        "username",
                        "roster.duplicate_username",
                        Word::RosterDuplicateUsername,
                        &[("row", &first)],
                    ),
                );
                continue;
            }
        }
        let phone_match = l.phone.as_deref().and_then(|p| by_phone.get(p).copied());
        let user_match = match l.username.as_deref().map(|u| by_username.get(u)) {
            Some(Some(m)) if m.home_branch_id != branch_id => {
                problem(
                    Field::Username,
                    FieldIssue::worded(
                        "username",
                        "roster.username_taken",
                        Word::RosterUsernameTaken,
                    ),
                );
                continue;
            }
            Some(found) => found,
            None => None,
        };
        let found = match (phone_match, user_match) {
            (Some(a), Some(b)) if a.id != b.id => {
                problem(
                    Field::Phone,
                    FieldIssue::filled(
                        "phone",
                        "roster.phone_of_other",
                        Word::RosterPhoneOfOther,
                        &[("name", &a.name)],
                    ),
                );
                continue;
            }
            (Some(a), _) | (None, Some(a)) => Some(a),
            (None, None) if l.username.is_none() => {
                // A member an earlier line found is not this line's to find by name.
                let same: Vec<&member::Model> = roster
                    .iter()
                    .filter(|m| {
                        m.name == l.name
                            && m.status != MemberStatus::Transferred.as_str()
                            && !matched.contains(&m.id)
                    })
                    .collect();
                let unidentified = l.phone.is_none();
                let ambiguous = unidentified
                    && (same.len() > 1 || names_in_file.get(l.name.as_str()).copied() > Some(1));
                if ambiguous {
                    problem(
                        Field::Name,
                        FieldIssue::worded(
                            "name",
                            "roster.ambiguous_name",
                            Word::RosterAmbiguousName,
                        ),
                    );
                    continue;
                }
                match same.as_slice() {
                    [one] if l.phone.is_none() || one.phone.is_none() => Some(*one),
                    _ => None,
                }
            }
            (None, None) => None,
        };
        let Some(m) = found else {
            plan.adds.push((
                l.number,
                Newcomer {
                    name: l.name.clone(),
                    phone: l.phone.clone(),
                    status: l.status.unwrap_or(MemberStatus::Active),
                    username: Some(l.username.clone().unwrap_or_else(|| usernames.make())),
                },
            ));
            continue;
        };
        if m.status == MemberStatus::Transferred.as_str() {
            problem(
                Field::Name,
                FieldIssue::worded("name", "roster.member_left", Word::RosterLeftMember),
            );
            continue;
        }
        if !matched.insert(m.id.clone()) {
            problem(
                Field::Name,
                FieldIssue::worded("name", "roster.ambiguous_name", Word::RosterAmbiguousName),
            );
            continue;
        }
        let edit = Edit {
            name: Some(l.name.clone()),
            phone: l.phone.clone().map(Some),
            status: l.status,
        };
        if edit.changes(m).is_empty() {
            plan.unchanged.push((l.number, m.clone()));
        } else {
            plan.updates.push((l.number, m.clone(), edit));
        }
    }
    plan.not_in_file = roster
        .iter()
        .filter(|m| m.status != MemberStatus::Transferred.as_str() && !matched.contains(&m.id))
        .cloned()
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u32, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn member(id: &str, name: &str, phone: Option<&str>) -> member::Model {
        member::Model {
            id: id.into(),
            home_branch_id: "b1".into(),
            migrant_org_id: None,
            name: name.into(),
            username: format!("demo-2-{id}"),
            password_hash: None,
            phone: phone.map(str::to_owned),
            status: MemberStatus::Active.as_str().into(),
            created_at: chrono::Utc::now(),
        }
    }

    /// Plans `rows` (the header first) against `roster`, as [`plan`] does after reading.
    fn planned(rows: &[Row], roster: &[member::Model]) -> Plan {
        let cols = Columns::of(&rows[0].cells);
        let mut plan = Plan::default();
        let lines: Vec<Line> = rows[1..]
            .iter()
            .filter_map(|r| read_line(r, &cols, &mut plan.problems))
            .collect();
        let mut usernames = Usernames::new("demo-2".into(), HashSet::new());
        find_members(
            "b1",
            &cols,
            &lines,
            roster,
            &HashMap::new(),
            &mut usernames,
            &mut plan,
        );
        plan
    }

    #[test]
    fn a_member_found_by_name_is_not_found_again_by_a_later_row() {
        let roster = [member("m1", "王五", None)];
        let rows = [
            row(1, &["姓名", "手机号"]),
            row(2, &["王五", "13800000001"]),
            row(3, &["王五", "13800000002"]),
        ];
        let plan = planned(&rows, &roster);
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        assert_eq!(plan.updates.len(), 1);
        let (number, m, edit) = &plan.updates[0];
        assert_eq!((*number, m.id.as_str()), (2, "m1"));
        assert_eq!(edit.phone, Some(Some("13800000001".to_owned())));
        assert_eq!(plan.adds.len(), 1);
        let (number, new) = &plan.adds[0];
        assert_eq!(*number, 3);
        assert_eq!(new.phone.as_deref(), Some("13800000002"));
        assert!(plan.not_in_file.is_empty());

        // The same file again, once committed: each row finds its member by phone.
        let after = [
            member("m1", "王五", Some("13800000001")),
            member("m2", "王五", Some("13800000002")),
        ];
        let again = planned(&rows, &after);
        assert!(again.problems.is_empty(), "{:?}", again.problems);
        assert!(again.adds.is_empty() && again.updates.is_empty());
        assert_eq!(again.unchanged.len(), 2);
    }

    #[test]
    fn a_row_without_phone_or_username_on_a_shared_name_is_ambiguous() {
        let roster = [member("m1", "王五", None)];
        let rows = [row(1, &["姓名"]), row(2, &["王五"]), row(3, &["王五"])];
        let plan = planned(&rows, &roster);
        let codes: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.row, p.issue.code))
            .collect();
        assert_eq!(
            codes,
            [(2, "roster.ambiguous_name"), (3, "roster.ambiguous_name")]
        );
    }

    #[test]
    fn an_invalid_username_is_a_problem_of_its_cell() {
        let rows = [row(1, &["姓名", "用户名"]), row(2, &["王五", "王五"])];
        let plan = planned(&rows, &[]);
        let codes: Vec<_> = plan
            .problems
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.issue.code))
            .collect();
        assert_eq!(codes, [(2, "用户名", "member.username_invalid")]);
    }
}
