//! The organisation tree as its administrators keep it: reading it, creating a unit, renaming,
//! moving and re-coding one. Every change is audited in the unit's own chain (a move too: the
//! unit's history says where it moved from and to; the parents' chains are about their own
//! business), in the transaction that makes it.

use chrono::{DateTime, Utc};
use jifen_shared::api::{NewOrgUnit, OrgNode, OrgTree, OrgUnitView, PatchOrgUnit};
use jifen_shared::domain::{OrgCode, OrgKind, Role, RuleName};
use jifen_shared::words::Word;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use serde_json::{json, Map, Value};

use super::{codes, scope, tree};
use crate::entity::org_unit;
use crate::error::{AppError, AppResult, FieldIssue, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

fn invalid(field: &str, code: &'static str, word: Word) -> AppError {
    AppError::Validation(vec![FieldIssue::worded(field, code, word)])
}

/// The unit as the caller sees it, `role` being their highest over it.
pub fn node(unit: org_unit::Model, role: Role) -> AppResult<OrgNode> {
    Ok(OrgNode {
        kind: unit.kind()?,
        id: unit.id,
        parent_id: unit.parent_id,
        name: unit.name,
        code: unit.code,
        role,
        grantable: role.grantable(),
    })
}

/// Every unit the caller holds a role other than membership on, with everything below them.
pub async fn tree(db: &impl ConnectionTrait, access: &Access) -> AppResult<OrgTree> {
    let units = tree::beneath_roles(db, access.id()).await?;
    let mut top: Vec<org_unit::Model> = Vec::new();
    let ids: std::collections::HashSet<&str> = units.iter().map(|u| u.id.as_str()).collect();
    // The top units' parents are outside what the caller sees: they are shown as tops.
    for u in &units {
        if u.parent_id.as_deref().is_some_and(|p| !ids.contains(p)) {
            top.push(u.clone());
        }
    }
    let units = tree::ordered(units, access.grants())
        .into_iter()
        .map(|(mut u, role)| {
            if top.iter().any(|t| t.id == u.id) {
                u.parent_id = None;
            }
            node(u, role)
        })
        .collect::<AppResult<_>>()?;
    Ok(OrgTree { units })
}

/// A unit and the units directly below it.
pub async fn unit(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
) -> AppResult<OrgUnitView> {
    let over = scope::over(db, access, unit_id).await?;
    let children = org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(over.unit.id.as_str()))
        .all(db)
        .await?;
    let mut children = children
        .into_iter()
        .map(|c| {
            let own = scope::highest(access, std::slice::from_ref(&c.id));
            let role = Role::highest([over.role].into_iter().chain(own)).unwrap_or(over.role);
            node(c, role)
        })
        .collect::<AppResult<Vec<_>>>()?;
    children.sort_by(|a, b| (a.kind.as_str(), &a.name).cmp(&(b.kind.as_str(), &b.name)));
    Ok(OrgUnitView {
        unit: node(over.unit, over.role)?,
        children,
    })
}

fn parse_name(raw: &str) -> AppResult<String> {
    Ok(RuleName::parse(raw)
        .map_err(|e| AppError::field("name", &e))?
        .into_inner())
}

fn parse_code(raw: &str, kind: OrgKind) -> AppResult<OrgCode> {
    if !kind.has_code() {
        return Err(invalid(
            "code",
            "org_unit.code_not_for_kind",
            Word::AdminCodeNotForKind,
        ));
    }
    OrgCode::parse(raw).map_err(|e| AppError::field("code", &e))
}

/// Creates a unit under a parent the caller administers.
pub async fn create(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    new: NewOrgUnit,
) -> AppResult<OrgNode> {
    let name = parse_name(&new.name)?;
    let code = new
        .code
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| parse_code(c, new.kind))
        .transpose()?;
    let txn = db.begin_write().await?;
    let parent = scope::administered(&*txn, access, &new.parent_id).await?;
    if !parent.unit.kind()?.may_hold(new.kind) {
        return Err(invalid(
            "kind",
            "org_unit.kind_mismatch",
            Word::AdminKindMismatch,
        ));
    }
    if let Some(c) = &code {
        codes::ensure_free(&*txn, c, None).await?;
    }
    let row = org_unit::Model {
        id: ids::new(),
        parent_id: Some(parent.unit.id.clone()),
        kind: new.kind.as_str().to_owned(),
        name,
        code: code.map(OrgCode::into_inner),
        created_at: now,
    };
    crate::services::orgs::insert_unit(&*txn, &row, Some(access.id()), now).await?;
    txn.commit().await?;
    node(row, parent.role)
}

/// Any fixed number, the same for every move: moves take turns over the whole tree on PostgreSQL
/// (they are rare), so that two moves at once cannot each pass the check against cycles the other
/// one breaks (A under B and B under A). SQLite runs one writer at a time already.
const TREE_MOVES_LOCK: i64 = 0x6a69_6665_6e74_7265; // "jifentre"

async fn lock_tree_for_move(db: &impl ConnectionTrait) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [TREE_MOVES_LOCK.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Renames, moves or re-codes a unit the caller administers; what is left out stays. A move
/// takes the unit with everything below it, from a unit the caller administers, under a unit the
/// caller administers too, never under itself or a unit below it, and only where its kind fits.
pub async fn patch(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    unit_id: &str,
    patch: PatchOrgUnit,
) -> AppResult<OrgNode> {
    let name = patch.name.as_deref().map(parse_name).transpose()?;
    let txn = db.begin_write().await?;
    // Changes to one unit take turns, each reading the unit as the one before left it.
    if ids::is_valid(unit_id) {
        audit::lock_chain(&*txn, unit_id).await?;
    }
    let over = scope::administered(&*txn, access, unit_id).await?;
    let unit = over.unit.clone();
    let kind = unit.kind()?;
    let code = patch
        .code
        .as_deref()
        .map(|c| parse_code(c, kind))
        .transpose()?;
    let (mut before, mut after) = (Map::new(), Map::new());
    let mut changed = unit.clone();
    let mut update = org_unit::Entity::update_many();
    if let Some(name) = name.filter(|n| *n != unit.name) {
        before.insert("name".into(), json!(unit.name));
        after.insert("name".into(), json!(name));
        update = update.col_expr(org_unit::Column::Name, Expr::value(name.clone()));
        changed.name = name;
    }
    if let Some(parent_id) = patch
        .parent_id
        .filter(|p| Some(p.as_str()) != unit.parent_id.as_deref())
    {
        let Some(origin) = unit.parent_id.as_deref() else {
            return Err(invalid(
                "parent_id",
                "org_unit.top_level",
                Word::AdminTopLevel,
            ));
        };
        // Taken away only by someone who administers where it is now, too.
        match scope::administered(&*txn, access, origin).await {
            Err(AppError::NotFound(_)) => return Err(AppError::Forbidden(Refusal::Role)),
            other => other?,
        };
        lock_tree_for_move(&*txn).await?;
        let destination = scope::administered(&*txn, access, &parent_id).await?;
        if destination.chain.contains(&unit.id) {
            return Err(invalid(
                "parent_id",
                "org_unit.cycle",
                Word::AdminMoveIntoOwn,
            ));
        }
        if !destination.unit.kind()?.may_hold(kind) {
            return Err(invalid(
                "parent_id",
                "org_unit.kind_mismatch",
                Word::AdminKindMismatch,
            ));
        }
        before.insert("parent_id".into(), json!(unit.parent_id));
        after.insert("parent_id".into(), json!(destination.unit.id));
        update = update.col_expr(
            org_unit::Column::ParentId,
            Expr::value(destination.unit.id.clone()),
        );
        changed.parent_id = Some(destination.unit.id);
        // Who reviews and oversees which branches follows the tree: every kept answer may have
        // been for someone whose reach this move changes (issue 15).
        crate::infra::changes::touch(&*txn, crate::infra::changes::EVERYTHING).await?;
    }
    if let Some(code) = code.filter(|c| Some(c.as_str()) != unit.code.as_deref()) {
        codes::ensure_free(&*txn, &code, Some(&unit.id)).await?;
        codes::retire(&*txn, &unit, &code, now).await?;
        before.insert("code".into(), json!(unit.code));
        after.insert("code".into(), json!(code.as_str()));
        update = update.col_expr(org_unit::Column::Code, Expr::value(code.as_str()));
        changed.code = Some(code.into_inner());
    }
    if after.is_empty() {
        return node(unit, over.role);
    }
    update
        .filter(org_unit::Column::Id.eq(unit.id.as_str()))
        .exec(&*txn)
        .await
        .map_err(crate::services::orgs::code_race)?;
    audit::record(
        &*txn,
        Event {
            chain_id: &unit.id,
            actor_id: Some(access.id()),
            action: "org_unit.updated",
            entity_type: "org_unit",
            entity_id: &unit.id,
            before: Some(Value::Object(before)),
            after: Some(Value::Object(after)),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    // The caller administers the destination, so after a move their role over it is org admin.
    node(changed, Role::OrgAdmin)
}
