use sea_orm::entity::prelude::*;

/// A points year a branch has opened; see [`crate::services::years`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cycle_year")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub cycle_year: i32,
    /// The allotment the year was opened with.
    pub base_points: i32,
    /// How many members received it when the year opened.
    pub members_given: i32,
    pub opened_at: DateTimeUtc,
    /// None when the year opened on its own after New Year.
    pub opened_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
