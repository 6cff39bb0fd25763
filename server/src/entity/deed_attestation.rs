use sea_orm::entity::prelude::*;

/// A migrant members' organisation's co-signature on a deed of one of its attached members.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deed_attestation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub deed_id: String,
    /// The migrant members' organisation that attests.
    pub org_unit_id: String,
    pub attested_by: String,
    pub comment: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
