//! Column and constraint shapes every migration uses, so that ids, times and keys look the same
//! in every table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub fn n(name: &str) -> Alias {
    Alias::new(name)
}

/// Ids are UUIDv7 strings.
pub fn id_pk() -> ColumnDef {
    ColumnDef::new(n("id"))
        .string_len(36)
        .not_null()
        .primary_key()
        .take()
}

pub fn id_ref(name: &str) -> ColumnDef {
    ColumnDef::new(n(name)).string_len(36).not_null().take()
}

pub fn id_ref_null(name: &str) -> ColumnDef {
    ColumnDef::new(n(name)).string_len(36).null().take()
}

pub fn at(name: &str) -> ColumnDef {
    timestamp_with_time_zone(n(name))
}

pub fn at_null(name: &str) -> ColumnDef {
    timestamp_with_time_zone_null(n(name))
}

pub fn fk(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(n(table), n(column))
        .to(n(target), n("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}

pub fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(n(table));
    for c in columns {
        stmt.col(n(c));
    }
    if unique {
        stmt.unique();
    }
    stmt.take()
}
