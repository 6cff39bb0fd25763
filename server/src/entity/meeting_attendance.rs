use sea_orm::entity::prelude::*;

/// How one member took part in one meeting: checked in (on site or remotely), or, written when
/// the meeting closed, on leave or absent.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub meeting_id: String,
    pub member_id: String,
    pub mode: String,
    pub recorded_at: DateTimeUtc,
    /// The points entry closing wrote for this line, if any.
    pub ledger_entry_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
