use sea_orm::entity::prelude::*;

/// One member's year-end grade within a [`super::year_grading`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "year_grade")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub grading_id: String,
    pub member_id: String,
    pub total: i32,
    pub rank: i32,
    pub computed_grade: String,
    pub grade: String,
    pub adjusted_by: Option<String>,
    pub adjust_reason: Option<String>,
    pub adjusted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
