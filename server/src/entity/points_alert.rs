use sea_orm::entity::prelude::*;

/// A member told they are behind for one quarter; at most one per member and quarter.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "points_alert")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub member_id: String,
    pub cycle_year: i32,
    pub cycle_quarter: i16,
    pub total: i32,
    pub threshold: i32,
    pub notified_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
