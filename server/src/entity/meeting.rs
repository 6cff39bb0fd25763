use sea_orm::entity::prelude::*;

/// A meeting (三会一课, 主题党日) held by a branch or a migrant members' organisation; see
/// [`crate::services::meetings`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub org_unit_id: String,
    pub kind: String,
    pub title: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub place: String,
    pub online_url: Option<String>,
    pub remote_allowed: bool,
    /// The base item closing awards to each member who attended.
    pub attendance_rule_id: Option<String>,
    /// The deduction item closing takes from each member absent without leave.
    pub absence_rule_id: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
