//! Importing a branch's roster from a spreadsheet (`POST /branches/{id}/roster`): the preview
//! (`dry_run=true`) says what each row would do and what is wrong, row by row and column by
//! column; the commit does it in one transaction, all or nothing, and gives each new member an
//! invite code to bind WeChat, shown once. Importing the same file again changes nothing: every
//! row then finds its member as it is (see [`plan`] for how rows find members).

mod columns;
mod csv;
pub mod plan;
pub mod read;

pub use columns::TEMPLATE_HEADER;

use chrono::{DateTime, Utc};
use jifen_shared::api::{
    RosterAdd, RosterImport, RosterInvite, RosterProblem, RosterUnchanged, RosterUpdate,
};
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use self::plan::{plan, Plan};
use self::read::Row;
use crate::entity::{member, org_unit};
use crate::error::{AppError, AppResult, FieldIssue};
use crate::infra::db::Db;
use crate::services::access::{managed_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::roster::members::{apply, create};
use crate::services::roster::usernames::Usernames;
use crate::services::roster::views::roster_members;
use crate::services::wechat::invites::write_code;

/// Largest roster file: a 1000-member roster as XLSX is about 40 KB.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Largest request body: the file and the multipart framing around it.
pub const MAX_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
/// Most member rows in one file. A branch has at most a few hundred members (from 50 a 党总支
/// and from 100 a 党委 is set up instead), so 1000 is generous; it also bounds how long a commit
/// holds SQLite's one writer, which grows with the rows: 5000 new members took 7.5 s in a release
/// build (each new member is added, given the member role, their share of the year's base points
/// and an invite code, each audited).
pub const MAX_ROWS: usize = 1000;

/// A problem of the file as a whole, on the `file` field.
pub(super) fn file_issue(code: &'static str, word: Word) -> AppError {
    AppError::Validation(vec![FieldIssue::worded("file", code, word)])
}

pub fn too_large() -> AppError {
    AppError::Validation(vec![FieldIssue::filled(
        "file",
        "roster.too_large",
        Word::RosterFileTooLarge,
        &[("max", &(MAX_FILE_BYTES / 1024 / 1024))],
    )])
}

pub fn missing_file() -> AppError {
    file_issue("roster.file_missing", Word::RosterFileMissing)
}

/// The file's rows, read off the async threads (unpacking XLSX is CPU work).
async fn rows_of(bytes: Vec<u8>) -> AppResult<Vec<Row>> {
    if bytes.is_empty() {
        return Err(missing_file());
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    tokio::task::spawn_blocking(move || read::rows(&bytes))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

/// What the file would do; nothing is written.
pub async fn preview(
    db: &Db,
    access: &Access,
    branch_id: &str,
    bytes: Vec<u8>,
    lang: Lang,
) -> AppResult<RosterImport> {
    let branch = managed_branch(db.conn(), access, branch_id).await?;
    let rows = rows_of(bytes).await?;
    let plan = plan(db.conn(), &branch, &rows).await?;
    view(db, &branch, plan, false, Vec::new(), lang).await
}

/// Does what the file says, in one transaction; a file with any problem changes nothing and is
/// answered 422 with one error per problem (`rows[3].手机号`).
pub async fn commit(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    bytes: Vec<u8>,
    lang: Lang,
) -> AppResult<RosterImport> {
    let branch = managed_branch(db.conn(), access, branch_id).await?;
    let rows = rows_of(bytes).await?;
    // A file that changes nothing (the same file again) writes nothing, and does not wait for
    // the database's writer: the roster read as it is says so.
    let first = refuse_problems(plan(db.conn(), &branch, &rows).await?)?;
    if first.changes_nothing() {
        return view(db, &branch, first, true, Vec::new(), lang).await;
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    // Planned again under the chain's lock: the commit does what the roster now allows.
    let planned = refuse_problems(plan(&*txn, &branch, &rows).await?)?;
    if planned.changes_nothing() {
        drop(txn);
        return view(db, &branch, planned, true, Vec::new(), lang).await;
    }
    let actor = Some(access.id());
    // Phones that move between members (a swap, a correction) are cleared first, so that no
    // update meets a number another row is about to give up.
    let moving: Vec<String> = planned
        .updates
        .iter()
        .filter(|(_, m, e)| m.phone.is_some() && e.phone.as_ref().is_some_and(|p| *p != m.phone))
        .map(|(_, m, _)| m.id.clone())
        .collect();
    if !moving.is_empty() {
        member::Entity::update_many()
            .col_expr(member::Column::Phone, Expr::value(Option::<String>::None))
            .filter(member::Column::Id.is_in(moving))
            .exec(&*txn)
            .await?;
    }
    for (_, m, edit) in &planned.updates {
        apply(&*txn, m, edit, actor, now).await?;
    }
    let mut usernames = Usernames::for_branch(&*txn, &branch).await?;
    let mut invites = Vec::new();
    for (_, new) in &planned.adds {
        let row = create(&*txn, &branch, new.clone(), &mut usernames, actor, now).await?;
        let code = write_code(&*txn, now, access.id(), &row, None).await?;
        invites.push(RosterInvite {
            member_id: row.id,
            name: row.name,
            username: row.username,
            code: code.code,
            expires_at: code.expires_at,
        });
    }
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: actor,
            action: "roster.imported",
            entity_type: "branch",
            entity_id: &branch.id,
            before: None,
            after: Some(json!({
                "rows": planned.rows,
                "added": planned.adds.len(),
                "updated": planned.updates.len(),
                "unchanged": planned.unchanged.len(),
                "not_in_file": planned.not_in_file.len(),
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view(db, &branch, planned, true, invites, lang).await
}

/// The plan, if it has no problem; else 422 with one error per problem (`rows[3].手机号`).
fn refuse_problems(planned: Plan) -> AppResult<Plan> {
    if planned.problems.is_empty() {
        return Ok(planned);
    }
    Err(AppError::Validation(
        planned
            .problems
            .iter()
            .map(|p| FieldIssue {
                field: format!("rows[{}].{}", p.row, p.column),
                ..p.issue.clone()
            })
            .collect(),
    ))
}

async fn view(
    db: &Db,
    branch: &org_unit::Model,
    plan: Plan,
    committed: bool,
    invites: Vec<RosterInvite>,
    lang: Lang,
) -> AppResult<RosterImport> {
    Ok(RosterImport {
        branch_id: branch.id.clone(),
        branch_name: branch.name.clone(),
        branch_code: branch.code.clone(),
        committed,
        rows: plan.rows,
        add: plan
            .adds
            .into_iter()
            .map(|(row, n)| RosterAdd {
                row,
                name: n.name,
                username: n.username.unwrap_or_default(),
                phone: n.phone,
                status: n.status,
            })
            .collect(),
        update: plan
            .updates
            .into_iter()
            .map(|(row, m, edit)| RosterUpdate {
                row,
                changes: edit.changes(&m),
                member_id: m.id,
                name: m.name,
                username: m.username,
            })
            .collect(),
        unchanged: plan
            .unchanged
            .into_iter()
            .map(|(row, m)| RosterUnchanged {
                row,
                member_id: m.id,
                name: m.name,
                username: m.username,
            })
            .collect(),
        not_in_file: roster_members(db.conn(), plan.not_in_file).await?,
        problems: plan
            .problems
            .into_iter()
            .map(|p| RosterProblem {
                row: p.row,
                column: p.column,
                code: p.issue.code.to_owned(),
                message: match lang {
                    Lang::ZhCn => p.issue.zh,
                    Lang::En => p.issue.en,
                },
            })
            .collect(),
        invites,
    })
}
