use sea_orm::entity::prelude::*;

/// The stars an administrator set for a branch's year; one row per (branch, year).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rating_adjustment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub cycle_year: i32,
    pub stars: i16,
    pub computed_stars: i16,
    pub reason: String,
    pub adjusted_by: String,
    pub adjusted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
