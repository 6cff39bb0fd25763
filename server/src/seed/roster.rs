//! The roster in the demo: 西营村 (demo-2) imports its roster with two newcomers, who get invite
//! codes to bind WeChat (not printed: they are shown once, to the secretary who imports); one
//! member moves from 西营村 to 东关村, taking no points along (theirs stay where they were
//! earned), and another has left 西营村. member21 and member22 are chosen because no other part
//! of the demo gives them a role, a meeting or a story of their own.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::TransferRequest;
use jifen_shared::i18n::Lang;
use sea_orm::EntityTrait;

use super::{access, Demo};
use crate::entity::member;
use crate::error::{AppError, AppResult, Missing};
use crate::infra::db::Db;
use crate::services::roster::{import, leave, transfer};

pub async fn roster(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let secretary = access(db, demo, "secretary2").await?;
    let named = |username: &'static str| async move {
        member::Entity::find_by_id(demo.member(username).to_owned())
            .one(db.conn())
            .await?
            .ok_or(AppError::NotFound(Missing::Member))
    };
    let m16 = named("member16").await?;
    let m17 = named("member17").await?;
    // As a secretary types it in Excel: members already there, and the two newcomers.
    let file = format!(
        "\u{feff}姓名,手机号,状态,用户名\r\n{},,,{}\r\n{},,,{}\r\n何秀英,13800000201,正式,\r\n吕建军,,流动,\r\n",
        m16.name, m16.username, m17.name, m17.username
    );
    import::commit(
        db,
        now - Duration::hours(3),
        &secretary,
        demo.branch("demo-2"),
        file.into_bytes(),
        Lang::ZhCn,
    )
    .await?;
    transfer::transfer(
        db,
        now - Duration::hours(2),
        &secretary,
        demo.member("member21"),
        TransferRequest {
            branch_id: "demo-1".into(),
        },
    )
    .await?;
    leave::deactivate(
        db,
        now - Duration::hours(1),
        &secretary,
        demo.member("member22"),
    )
    .await?;
    Ok(())
}
