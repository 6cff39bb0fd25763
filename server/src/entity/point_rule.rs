use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "point_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub category: String,
    pub name: String,
    pub description: String,
    pub standard_points: i32,
    pub cap_per_quarter: Option<i32>,
    pub cap_per_year: Option<i32>,
    pub evidence_required: bool,
    pub active: bool,
    /// The current version; each is kept in `point_rule_version`.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
