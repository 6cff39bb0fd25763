use sea_orm::entity::prelude::*;

/// A branch's settings as one validated JSON document; see [`crate::services::settings`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "branch_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub branch_id: String,
    pub settings: String,
    pub updated_at: DateTimeUtc,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
