//! Meetings (三会一课, 主题党日) with check-in, leave and closing into base points.
//!
//! - `meeting`: held by an org unit (a branch or a migrant members' organisation), its window,
//!   whether members may attend from afar, the catalogue items closing writes (attendance, a base
//!   item; absence without leave, a deduction item; either optional) and when it was closed.
//! - `meeting_attendance`: one row per member and meeting: checked in on site or remotely, or,
//!   written when the meeting closes, on leave or absent; with the points entry closing wrote.
//!   Unique per (meeting, member), so a second check-in cannot slip in beside the first.
//! - `leave_request`: one per member and meeting, waiting, granted or refused by the secretary.

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
                    .table(n("meeting"))
                    .col(id_pk())
                    .col(id_ref("org_unit_id"))
                    // branch_assembly | committee_meeting | group_meeting | party_lecture | theme_day
                    .col(string_len(n("kind"), 32))
                    .col(string_len(n("title"), 200))
                    .col(at("starts_at"))
                    .col(at("ends_at"))
                    .col(string_len(n("place"), 200))
                    .col(string_len_null(n("online_url"), 500))
                    .col(boolean(n("remote_allowed")))
                    .col(id_ref_null("attendance_rule_id"))
                    .col(id_ref_null("absence_rule_id"))
                    .col(id_ref("created_by"))
                    .col(at("created_at"))
                    .col(id_ref_null("closed_by"))
                    .col(at_null("closed_at"))
                    .foreign_key(&mut fk("meeting", "org_unit_id", "org_unit"))
                    .foreign_key(&mut fk("meeting", "attendance_rule_id", "point_rule"))
                    .foreign_key(&mut fk("meeting", "absence_rule_id", "point_rule"))
                    .foreign_key(&mut fk("meeting", "created_by", "member"))
                    .foreign_key(&mut fk("meeting", "closed_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("meeting", &["org_unit_id", "starts_at"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("meeting_attendance"))
                    .col(id_pk())
                    .col(id_ref("meeting_id"))
                    .col(id_ref("member_id"))
                    // on_site | remote | leave | absent
                    .col(string_len(n("mode"), 16))
                    .col(at("recorded_at"))
                    .col(id_ref_null("ledger_entry_id"))
                    .foreign_key(&mut fk("meeting_attendance", "meeting_id", "meeting"))
                    .foreign_key(&mut fk("meeting_attendance", "member_id", "member"))
                    .foreign_key(&mut fk(
                        "meeting_attendance",
                        "ledger_entry_id",
                        "ledger_entry",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "meeting_attendance",
                &["meeting_id", "member_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("meeting_attendance", &["member_id"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("leave_request"))
                    .col(id_pk())
                    .col(id_ref("meeting_id"))
                    .col(id_ref("member_id"))
                    .col(text(n("reason")))
                    // waiting | granted | refused
                    .col(string_len(n("status"), 16))
                    .col(at("created_at"))
                    .col(id_ref_null("decided_by"))
                    .col(at_null("decided_at"))
                    .col(ColumnDef::new(n("decision_reason")).text().null().take())
                    .foreign_key(&mut fk("leave_request", "meeting_id", "meeting"))
                    .foreign_key(&mut fk("leave_request", "member_id", "member"))
                    .foreign_key(&mut fk("leave_request", "decided_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("leave_request", &["meeting_id", "member_id"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["leave_request", "meeting_attendance", "meeting"] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
