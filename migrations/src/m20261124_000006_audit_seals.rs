//! Seals on the audit history: for each event, an HMAC of its chain, place and hash made with a
//! key kept outside the database, so that a chain rewritten with recomputed hashes (which anyone
//! who can write to the database can do) no longer carries valid seals. Rows are only ever
//! inserted: the serving role needs no UPDATE or DELETE on this table.

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
                    .table(n("audit_seal"))
                    .col(id_pk())
                    // No foreign key to audit_event: a seal must outlive a deleted event to tell
                    // of it.
                    .col(id_ref("chain_id"))
                    .col(big_integer(n("seq")))
                    .col(id_ref("event_id"))
                    // The sealed event's hash: the head of its chain when it was written.
                    .col(string_len(n("head_hash"), 64))
                    // Hex HMAC-SHA256 of chain, seq and head hash under the audit key.
                    .col(string_len(n("signature"), 64))
                    .col(at("sealed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("audit_seal", &["chain_id", "seq"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(n("audit_seal")).to_owned())
            .await
    }
}
