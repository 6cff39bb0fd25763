use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "photo")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_id: String,
    pub branch_id: String,
    pub content_type: String,
    pub byte_size: i64,
    pub sha256: String,
    pub created_at: DateTimeUtc,
    /// When and where the photo was taken, as its EXIF said before the metadata was stripped; for
    /// the reviewing committee's eyes only.
    pub taken_at: Option<DateTimeUtc>,
    pub taken_lat: Option<f64>,
    pub taken_lng: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
