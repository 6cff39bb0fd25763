//! Feedback that one sender cannot drown, and invites for role holders that take two people.
//!
//! - `feedback.client_hash`: a keyed hash of the sender's address (never the address itself), so
//!   that what one sender may keep waiting is bounded per sender instead of per quarter; indexes
//!   for counting per sender and for the committee's paged list by status.
//! - `invite_request`: an invite code asked for a member who holds a role; it becomes a code only
//!   when a second role holder of the branch confirms it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(n("feedback"))
                    // Hex HMAC-SHA256 of the sender's address under a server key; older rows have none.
                    .add_column(string_len_null(n("client_hash"), 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "feedback",
                    &["branch_id", "cycle_year", "cycle_quarter", "status", "id"],
                    false,
                )
                .name("ix_feedback_by_status")
                .take(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "feedback",
                    &[
                        "branch_id",
                        "cycle_year",
                        "cycle_quarter",
                        "client_hash",
                        "status",
                    ],
                    false,
                )
                .name("ix_feedback_by_sender")
                .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("invite_request"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(id_ref("requested_by"))
                    .col(at("requested_at"))
                    .col(at("expires_at"))
                    .col(id_ref_null("confirmed_by"))
                    .col(at_null("confirmed_at"))
                    // The invite code the confirmation made.
                    .col(id_ref_null("invite_id"))
                    // Replaced by a newer request, or the code was issued another way.
                    .col(at_null("revoked_at"))
                    .foreign_key(&mut fk("invite_request", "member_id", "member"))
                    .foreign_key(&mut fk("invite_request", "requested_by", "member"))
                    .foreign_key(&mut fk("invite_request", "confirmed_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("invite_request", &["member_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("invite_request")).to_owned())
            .await?;
        for ix in ["ix_feedback_by_sender", "ix_feedback_by_status"] {
            manager
                .drop_index(Index::drop().name(ix).table(n("feedback")).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(n("feedback"))
                    .drop_column(n("client_hash"))
                    .to_owned(),
            )
            .await
    }
}
