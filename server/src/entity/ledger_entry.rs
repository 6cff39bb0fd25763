use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_id: String,
    pub branch_id: String,
    pub cycle_year: i32,
    pub cycle_quarter: i16,
    pub kind: String,
    pub category: String,
    pub points: i32,
    pub deed_id: Option<String>,
    pub rule_id: Option<String>,
    pub reverses_id: Option<String>,
    pub note: String,
    /// The version of `rule_id` the entry was written under; none before versions existed.
    pub rule_version: Option<i32>,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
