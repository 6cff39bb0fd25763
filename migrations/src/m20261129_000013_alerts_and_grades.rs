//! Falling behind and the year end.
//!
//! - `points_alert`: a member told they are behind (积分预警) for one quarter. The unique key on
//!   (member_id, cycle_year, cycle_quarter) is what tells each member once per quarter, however
//!   often the committee presses 通知 and whichever instance the signing of the quarter ran on.
//! - `year_grading`: a branch's closed year (年终评定): the thresholds the grades were computed
//!   with, `draft` while the committee may adjust, then `confirmed` by the secretary. Unique per
//!   (branch_id, cycle_year), so closing twice at once cannot grade twice.
//! - `year_grade`: one member's total, rank, computed grade and the grade that counts, with who
//!   adjusted it and why.

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
                    .table(n("points_alert"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(id_ref("member_id"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("cycle_quarter")))
                    .col(integer(n("total")))
                    .col(integer(n("threshold")))
                    .col(at("notified_at"))
                    .foreign_key(&mut fk("points_alert", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("points_alert", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "points_alert",
                &["member_id", "cycle_year", "cycle_quarter"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "points_alert",
                &["branch_id", "cycle_year", "cycle_quarter"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("year_grading"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    // draft | confirmed
                    .col(string_len(n("status"), 16))
                    // The grade thresholds applied, as the settings' JSON of them.
                    .col(text(n("thresholds")))
                    .col(id_ref("closed_by"))
                    .col(at("closed_at"))
                    .col(id_ref_null("confirmed_by"))
                    .col(at_null("confirmed_at"))
                    .foreign_key(&mut fk("year_grading", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("year_grading", "closed_by", "member"))
                    .foreign_key(&mut fk("year_grading", "confirmed_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("year_grading", &["branch_id", "cycle_year"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("year_grade"))
                    .col(id_pk())
                    .col(id_ref("grading_id"))
                    .col(id_ref("member_id"))
                    .col(integer(n("total")))
                    .col(integer(n("rank")))
                    // excellent | qualified | basically_qualified | unqualified
                    .col(string_len(n("computed_grade"), 24))
                    .col(string_len(n("grade"), 24))
                    .col(id_ref_null("adjusted_by"))
                    .col(text_null(n("adjust_reason")))
                    .col(at_null("adjusted_at"))
                    .foreign_key(&mut fk("year_grade", "grading_id", "year_grading"))
                    .foreign_key(&mut fk("year_grade", "member_id", "member"))
                    .foreign_key(&mut fk("year_grade", "adjusted_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("year_grade", &["grading_id", "member_id"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["year_grade", "year_grading", "points_alert"] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
