use sea_orm::entity::prelude::*;

/// A branch's closed year: the thresholds applied and whether the grades are confirmed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "year_grading")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub cycle_year: i32,
    pub status: String,
    pub thresholds: String,
    pub closed_by: String,
    pub closed_at: DateTimeUtc,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
