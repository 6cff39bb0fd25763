//! Deductions the committee decides (违规扣分) take two people: one proposes, a second confirms (and
//! only then is the ledger entry written) or drops it with a reason.
//!
//! - `deduction`: the proposal, the item and version and points it names, the feedback it came
//!   from (if any), who proposed and who decided, and the entry a confirmation wrote.
//! - Indexes for the committee's list by status and for finding the proposal of a feedback.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(n("deduction"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(id_ref("member_id"))
                    .col(id_ref("rule_id"))
                    // The rule's version when proposed: the entry is written with these values.
                    .col(integer(n("rule_version")))
                    .col(integer(n("points")))
                    .col(text(n("reason")))
                    .col(id_ref_null("feedback_id"))
                    // proposed | confirmed | dropped
                    .col(string_len(n("status"), 16))
                    .col(id_ref("proposed_by"))
                    .col(at("proposed_at"))
                    .col(id_ref_null("decided_by"))
                    .col(at_null("decided_at"))
                    .col(ColumnDef::new(n("drop_reason")).text().null().take())
                    .col(id_ref_null("ledger_entry_id"))
                    .foreign_key(&mut fk("deduction", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("deduction", "member_id", "member"))
                    .foreign_key(&mut fk("deduction", "rule_id", "point_rule"))
                    .foreign_key(&mut fk("deduction", "feedback_id", "feedback"))
                    .foreign_key(&mut fk("deduction", "proposed_by", "member"))
                    .foreign_key(&mut fk("deduction", "decided_by", "member"))
                    .foreign_key(&mut fk("deduction", "ledger_entry_id", "ledger_entry"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("deduction", &["branch_id", "status", "id"], false))
            .await?;
        manager
            .create_index(index("deduction", &["feedback_id"], false))
            .await?;
        manager
            .create_index(index("deduction", &["member_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("deduction")).to_owned())
            .await
    }
}
