//! Points statements: what a member's year added up to when a statement was printed, with the
//! branch's audit chain head at that moment and the short check code printed on it. The code is
//! a keyed MAC over this content (the key never in the database), so `GET /verify/{code}` can say
//! whether a printed statement is genuine, and whether a newer one replaced it.

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
                    .table(n("statement"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(id_ref("branch_id"))
                    .col(integer(n("cycle_year")))
                    .col(integer(n("base")))
                    .col(integer(n("bonus")))
                    .col(integer(n("deduction")))
                    .col(integer(n("total")))
                    .col(integer(n("entries")))
                    .col(string_len(n("content_hash"), 64))
                    .col(big_integer(n("chain_seq")))
                    .col(string_len(n("chain_hash"), 64))
                    .col(string_len(n("check_code"), 16))
                    .col(at("issued_at"))
                    .col(id_ref("issued_by"))
                    .foreign_key(&mut fk("statement", "member_id", "member"))
                    .foreign_key(&mut fk("statement", "branch_id", "org_unit"))
                    .foreign_key(&mut fk("statement", "issued_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("statement", &["check_code"], true))
            .await?;
        manager
            .create_index(index("statement", &["member_id", "cycle_year"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("statement")).to_owned())
            .await
    }
}
