//! The foundation: organisations, members and roles, sessions, the rules catalogue, deeds and
//! their photos, the append-only ledger, quarterly reviews, the masses' feedback and the
//! hash-chained audit history.

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
                    .table(n("org_unit"))
                    .col(id_pk())
                    .col(id_ref_null("parent_id"))
                    // county | town | branch | group | migrant
                    .col(string_len(n("kind"), 16))
                    .col(string_len(n("name"), 120))
                    // The branch's public code, used in the public board's URL.
                    .col(string_len_null(n("code"), 32).unique_key())
                    .col(at("created_at"))
                    .foreign_key(&mut fk("org_unit", "parent_id", "org_unit"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("member"))
                    .col(id_pk())
                    .col(id_ref("home_branch_id"))
                    .col(id_ref_null("migrant_org_id"))
                    .col(string_len(n("name"), 60))
                    .col(string_len(n("username"), 64).unique_key())
                    .col(string_len_null(n("password_hash"), 255))
                    .col(string_len_null(n("phone"), 32))
                    // active | migrant | transferred
                    .col(string_len(n("status"), 16))
                    .col(at("created_at"))
                    .foreign_key(&mut fk("member", "home_branch_id", "org_unit"))
                    .foreign_key(&mut fk("member", "migrant_org_id", "org_unit"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("member", &["home_branch_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("role_assignment"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(id_ref("org_unit_id"))
                    .col(string_len(n("role"), 16))
                    .col(at("created_at"))
                    .foreign_key(&mut fk("role_assignment", "member_id", "member"))
                    .foreign_key(&mut fk("role_assignment", "org_unit_id", "org_unit"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "role_assignment",
                &["member_id", "org_unit_id", "role"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("refresh_token"))
                    .col(id_pk())
                    // All tokens descended by rotation from one login share a family.
                    .col(id_ref("family_id"))
                    .col(id_ref("member_id"))
                    // SHA-256 of the token; the token itself is never stored.
                    .col(string_len(n("token_hash"), 64).unique_key())
                    .col(at("created_at"))
                    .col(at("expires_at"))
                    .col(at_null("replaced_at"))
                    .col(at_null("revoked_at"))
                    .foreign_key(&mut fk("refresh_token", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("refresh_token", &["family_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("point_rule"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    // base | bonus | deduction
                    .col(string_len(n("category"), 16))
                    .col(string_len(n("name"), 120))
                    .col(text(n("description")))
                    .col(integer(n("standard_points")))
                    .col(integer_null(n("cap_per_quarter")))
                    .col(integer_null(n("cap_per_year")))
                    .col(boolean(n("evidence_required")))
                    .col(boolean(n("active")))
                    .col(at("created_at"))
                    .col(at("updated_at"))
                    .foreign_key(&mut fk("point_rule", "branch_id", "org_unit"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("point_rule", &["branch_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("photo"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(id_ref("branch_id"))
                    .col(string_len(n("content_type"), 64))
                    .col(big_integer(n("byte_size")))
                    .col(string_len(n("sha256"), 64))
                    .col(at("created_at"))
                    .foreign_key(&mut fk("photo", "member_id", "member"))
                    .foreign_key(&mut fk("photo", "branch_id", "org_unit"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("deed"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(id_ref("branch_id"))
                    .col(id_ref("rule_id"))
                    .col(string_len(n("title"), 200))
                    .col(text(n("account")))
                    .col(at("occurred_at"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("cycle_quarter")))
                    .col(string_len(n("place_name"), 255))
                    .col(double_null(n("lat")))
                    .col(double_null(n("lng")))
                    // JSON array of photo ids.
                    .col(text(n("photo_ids")))
                    .col(string_len(n("status"), 16))
                    .col(integer(n("points_claimed")))
                    .col(integer_null(n("points_awarded")))
                    .col(text_null(n("decision_reason")))
                    .col(id_ref_null("reviewed_by"))
                    .col(at_null("reviewed_at"))
                    .col(string_len(n("client_request_id"), 64))
                    .col(at("created_at"))
                    .col(at("updated_at"))
                    .foreign_key(&mut fk("deed", "member_id", "member"))
                    .foreign_key(&mut fk("deed", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("deed", "rule_id", "point_rule"))
                    .foreign_key(&mut fk("deed", "reviewed_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("deed", &["member_id", "client_request_id"], true))
            .await?;
        manager
            .create_index(index("deed", &["branch_id", "status", "id"], false))
            .await?;
        manager
            .create_index(index("deed", &["member_id", "id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("ledger_entry"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("cycle_quarter")))
                    // base | bonus | deduction | reversal
                    .col(string_len(n("kind"), 16))
                    // The part of the account it moves: base | bonus | deduction.
                    .col(string_len(n("category"), 16))
                    .col(integer(n("points")))
                    .col(id_ref_null("deed_id"))
                    .col(id_ref_null("rule_id"))
                    .col(id_ref_null("reverses_id").unique_key())
                    .col(text(n("note")))
                    .col(id_ref_null("created_by"))
                    .col(at("created_at"))
                    .foreign_key(&mut fk("ledger_entry", "member_id", "member"))
                    .foreign_key(&mut fk("ledger_entry", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("ledger_entry", "deed_id", "deed"))
                    .foreign_key(&mut fk("ledger_entry", "rule_id", "point_rule"))
                    .foreign_key(&mut fk("ledger_entry", "reverses_id", "ledger_entry"))
                    .foreign_key(&mut fk("ledger_entry", "created_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ledger_entry", &["member_id", "cycle_year"], false))
            .await?;
        manager
            .create_index(index("ledger_entry", &["deed_id"], false))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("quarter_review"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("cycle_quarter")))
                    // open | signed | published
                    .col(string_len(n("status"), 16))
                    .col(id_ref_null("signed_by"))
                    .col(at_null("signed_at"))
                    .col(at_null("published_at"))
                    .foreign_key(&mut fk("quarter_review", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("quarter_review", "signed_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "quarter_review",
                &["branch_id", "cycle_year", "cycle_quarter"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("feedback"))
                    .col(id_pk())
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    .col(small_integer(n("cycle_quarter")))
                    .col(id_ref_null("about_member_id"))
                    .col(text(n("body")))
                    .col(string_len_null(n("contact"), 120))
                    // received | accepted | dismissed
                    .col(string_len(n("status"), 16))
                    .col(at("created_at"))
                    .foreign_key(&mut fk("feedback", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("feedback", "about_member_id", "member"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(n("audit_event"))
                    .col(id_pk())
                    // The org unit whose chain this event extends (a deed's branch, say).
                    .col(id_ref("chain_id"))
                    .col(big_integer(n("seq")))
                    .col(at("at"))
                    .col(id_ref_null("actor_id"))
                    .col(string_len(n("action"), 64))
                    .col(string_len(n("entity_type"), 32))
                    .col(string_len(n("entity_id"), 36))
                    .col(text_null(n("before")))
                    .col(text_null(n("after")))
                    .col(text_null(n("reason")))
                    .col(string_len(n("prev_hash"), 64))
                    .col(string_len(n("hash"), 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("audit_event", &["chain_id", "seq"], true))
            .await?;
        manager
            .create_index(index("audit_event", &["entity_type", "entity_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "audit_event",
            "feedback",
            "quarter_review",
            "ledger_entry",
            "deed",
            "photo",
            "point_rule",
            "refresh_token",
            "role_assignment",
            "member",
            "org_unit",
        ] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
