use sea_orm::entity::prelude::*;

/// A member's appeal (积分申述) of a deed's rejection or return, or of a deduction; see
/// [`crate::services::appeals`].
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appeal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub branch_id: String,
    pub member_id: String,
    pub deed_id: Option<String>,
    pub ledger_entry_id: Option<String>,
    /// The quarter the appeal concerns: the deed's, or the quarter the deduction is booked in.
    pub cycle_year: i32,
    pub cycle_quarter: i16,
    /// The decision appealed when the appeal was filed: the deed's status (none for a
    /// deduction), the committee's reason, and who decided (the reviewer, or who wrote the entry).
    pub appealed_status: Option<String>,
    pub appealed_reason: Option<String>,
    pub appealed_decider: Option<String>,
    pub reason: String,
    pub status: String,
    pub filed_at: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    /// The entry that gave the points back, when a deduction was overturned.
    pub reversal_entry_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
