//! The committee's decision on the masses' feedback: who decided, when, why, and the deduction
//! it wrote, if any. One column per statement: SQLite alters a table one column at a time.

use sea_orm_migration::prelude::*;

use crate::columns::{at_null, id_ref_null, n};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn columns() -> Vec<ColumnDef> {
    vec![
        id_ref_null("decided_by"),
        at_null("decided_at"),
        ColumnDef::new(n("decision_reason")).text().null().take(),
        id_ref_null("ledger_entry_id"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("feedback"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            "ledger_entry_id",
            "decision_reason",
            "decided_at",
            "decided_by",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("feedback"))
                        .drop_column(n(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
