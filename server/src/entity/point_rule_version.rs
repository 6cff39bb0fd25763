use sea_orm::entity::prelude::*;

/// One version of a catalogue item: what an award under it was worth and meant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "point_rule_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub rule_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub name: String,
    pub description: String,
    pub standard_points: i32,
    pub cap_per_quarter: Option<i32>,
    pub cap_per_year: Option<i32>,
    pub evidence_required: bool,
    pub created_at: DateTimeUtc,
    pub created_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
