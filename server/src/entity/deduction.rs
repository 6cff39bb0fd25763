use sea_orm::entity::prelude::*;

/// A deduction the committee proposed; see [`crate::services::deductions`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deduction")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub member_id: String,
    pub rule_id: String,
    /// The rule's version when proposed.
    pub rule_version: i32,
    pub points: i32,
    pub reason: String,
    pub feedback_id: Option<String>,
    pub status: String,
    pub proposed_by: String,
    pub proposed_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub drop_reason: Option<String>,
    /// The entry the confirmation wrote.
    pub ledger_entry_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
