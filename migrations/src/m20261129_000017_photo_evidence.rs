//! Evidence the committee can trust: each photo keeps the capture time and GPS place its EXIF held
//! (read before the metadata is stripped; shown only to the reviewing committee), and photos are
//! found by content hash, both to flag one picture attached to two deeds and because the file is
//! stored under that hash.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn added() -> [ColumnDef; 3] {
    [
        at_null("taken_at"),
        double_null(n("taken_lat")),
        double_null(n("taken_lng")),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for mut column in added() {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("photo"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index("photo", &["sha256"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_photo_sha256")
                    .table(n("photo"))
                    .to_owned(),
            )
            .await?;
        for name in ["taken_at", "taken_lat", "taken_lng"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(n("photo"))
                        .drop_column(n(name))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
