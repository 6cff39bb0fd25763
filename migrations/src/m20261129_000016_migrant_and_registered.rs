//! Taking part through the branch and from afar. A deed may be registered by the branch for a
//! member without a phone (登记建账): `submitted_by` names who sent it, the member themselves or
//! the registrar, and a client request id is unique per member and sender, so a registrar's retry
//! and the member's own reports never collide. A migrant members' organisation may attest a deed
//! done in its city (`deed_attestation`), once per organisation.

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
                    .table(n("deed"))
                    .add_column(
                        ColumnDef::new(n("submitted_by"))
                            .string_len(36)
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        // Every deed so far was sent by its own member.
        manager
            .exec_stmt(
                Query::update()
                    .table(n("deed"))
                    .value(n("submitted_by"), Expr::col(n("member_id")))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_deed_member_id_client_request_id")
                    .table(n("deed"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "deed",
                &["member_id", "submitted_by", "client_request_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(n("deed_attestation"))
                    .col(id_pk())
                    .col(id_ref("deed_id"))
                    .col(id_ref("org_unit_id"))
                    .col(id_ref("attested_by"))
                    .col(string_len(n("comment"), 500))
                    .col(at("created_at"))
                    .foreign_key(&mut fk("deed_attestation", "deed_id", "deed"))
                    .foreign_key(&mut fk("deed_attestation", "org_unit_id", "org_unit"))
                    .foreign_key(&mut fk("deed_attestation", "attested_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("deed_attestation", &["deed_id", "org_unit_id"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("deed_attestation")).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_deed_member_id_submitted_by_client_request_id")
                    .table(n("deed"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("deed", &["member_id", "client_request_id"], true))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(n("deed"))
                    .drop_column(n("submitted_by"))
                    .to_owned(),
            )
            .await
    }
}
