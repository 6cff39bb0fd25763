use sea_orm::entity::prelude::*;

/// A printed points statement and its check code; see [`crate::services::statements`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "statement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_id: String,
    pub branch_id: String,
    pub cycle_year: i32,
    pub base: i32,
    pub bonus: i32,
    pub deduction: i32,
    pub total: i32,
    /// How many ledger entries the year held.
    pub entries: i32,
    /// Hex SHA-256 of the year's entries (id, category, points), so that a changed account is
    /// told from an unchanged one even when the totals happen to match.
    pub content_hash: String,
    /// The branch's audit chain head when the statement was issued.
    pub chain_seq: i64,
    pub chain_hash: String,
    pub check_code: String,
    pub issued_at: DateTimeUtc,
    pub issued_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
