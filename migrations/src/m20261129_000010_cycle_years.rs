//! The points years a branch has opened (开启积分年度). Opening a year gives every member the
//! branch's base allotment once; the unique key on (branch_id, cycle_year) is what keeps two
//! openings at once — two requests, two server instances, the New Year's opening and the
//! secretary's — from giving it twice: the second insert fails inside its transaction and takes
//! its ledger entries with it.
//!
//! - `base_points`: the allotment the year was opened with, which members joining later in the
//!   year get their share of, whatever the settings say by then.
//! - `members_given`: how many members received it when the year opened.
//! - `opened_by`: the secretary or administrator; none when the year opened on its own after New
//!   Year.

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
                    .table(n("cycle_year"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    .col(integer(n("base_points")))
                    .col(integer(n("members_given")))
                    .col(at("opened_at"))
                    .col(id_ref_null("opened_by"))
                    .foreign_key(&mut fk("cycle_year", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("cycle_year", "opened_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("cycle_year", &["branch_id", "cycle_year"], true))
            .await?;
        // The New Year's opening looks up the branches that opened the year before.
        manager
            .create_index(index("cycle_year", &["cycle_year"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("cycle_year")).to_owned())
            .await
    }
}
