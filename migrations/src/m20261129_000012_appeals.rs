//! Appeals (积分申述): a member appeals a rejected or returned deed, or a deduction, once, with a
//! reason; a committee member other than the one who decided upholds or overturns it.
//!
//! - `appeal`: what is appealed (a deed or a ledger entry, exactly one), the quarter it concerns
//!   (which cannot be signed while it waits), the decision appealed as it stood, the member's
//!   reason, the appeal's decision and, for an overturned deduction, the entry that gave the
//!   points back.
//! - One appeal per deed and one per ledger entry (unique; NULLs do not collide), and an index
//!   for "waiting appeals of this quarter" that signing asks.

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
                    .table(n("appeal"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(id_ref("member_id"))
                    .col(id_ref_null("deed_id"))
                    .col(id_ref_null("ledger_entry_id"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("cycle_quarter")))
                    // The decision appealed, as it stood when the appeal was filed: the deed's
                    // status (none for a deduction), the committee's reason and who decided.
                    .col(string_len_null(n("appealed_status"), 16))
                    .col(ColumnDef::new(n("appealed_reason")).text().null().take())
                    .col(id_ref_null("appealed_decider"))
                    .col(text(n("reason")))
                    // waiting | upheld | overturned
                    .col(string_len(n("status"), 16))
                    .col(at("filed_at"))
                    .col(id_ref_null("decided_by"))
                    .col(at_null("decided_at"))
                    .col(ColumnDef::new(n("decision_reason")).text().null().take())
                    .col(id_ref_null("reversal_entry_id"))
                    .foreign_key(&mut fk("appeal", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("appeal", "member_id", "member"))
                    .foreign_key(&mut fk("appeal", "deed_id", "deed"))
                    .foreign_key(&mut fk("appeal", "ledger_entry_id", "ledger_entry"))
                    .foreign_key(&mut fk("appeal", "appealed_decider", "member"))
                    .foreign_key(&mut fk("appeal", "decided_by", "member"))
                    .foreign_key(&mut fk("appeal", "reversal_entry_id", "ledger_entry"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("appeal", &["deed_id"], true))
            .await?;
        manager
            .create_index(index("appeal", &["ledger_entry_id"], true))
            .await?;
        manager
            .create_index(index(
                "appeal",
                &["branch_id", "cycle_year", "cycle_quarter", "status"],
                false,
            ))
            .await?;
        manager
            .create_index(index("appeal", &["member_id", "id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("appeal")).to_owned())
            .await
    }
}
