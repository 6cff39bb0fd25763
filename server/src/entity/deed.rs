use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deed")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_id: String,
    pub branch_id: String,
    pub rule_id: String,
    pub title: String,
    pub account: String,
    pub occurred_at: DateTimeUtc,
    pub cycle_year: i32,
    pub cycle_quarter: i16,
    pub place_name: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// JSON array of photo ids.
    pub photo_ids: String,
    pub status: String,
    pub points_claimed: i32,
    pub points_awarded: Option<i32>,
    pub decision_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    /// The version of the rule the deed was approved under.
    pub rule_version: Option<i32>,
    pub client_request_id: String,
    /// Who sent the report: the member, or the committee member or secretary who registered it
    /// for them (登记建账). A client request id is unique per member and sender.
    pub submitted_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The deed's first approval, rejection or return, set by the review once and never changed:
    /// a decision overturned on appeal leaves it, as the review time's end (issue 15).
    pub first_decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
