//! Photos that cannot fill the disk: an index to sum one member's stored photos (the quota,
//! checked on every upload) and one to find the oldest uploads (the sweep of photos never
//! attached to a deed).

use sea_orm_migration::prelude::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [&[&str]; 2] = [&["member_id", "byte_size"], &["created_at"]];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for columns in INDEXES {
            manager.create_index(index("photo", columns, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for columns in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("ix_photo_{}", columns.join("_")))
                        .table(n("photo"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
