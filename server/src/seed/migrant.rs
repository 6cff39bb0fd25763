//! The demo's taking part from afar and through the branch: the Beijing migrant members'
//! organisation gets a committee member, who co-signs a deed member13 did at the organisation's
//! theme day in Beijing (left for demo-1's committee to decide), and secretary1 registers a deed
//! for member5, an elderly member without a phone, which committee1 reviews, not secretary1.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::PlaceDto;
use jifen_shared::domain::{MemberStatus, Reason, Role};
use sea_orm::EntityTrait;

use super::{access, Demo, MEETING, SNOW};
use crate::entity::member;
use crate::error::{AppError, AppResult, Missing};
use crate::infra::db::Db;
use crate::services::deeds::input::{self, RawForm};
use crate::services::deeds::submit::submit_as;
use crate::services::deeds::writer::SubmissionWriter;
use crate::services::migrant::attest::attest;
use crate::services::orgs::{self, NewMember};

/// The migrant organisation's committee member's username in the demo.
pub const MIGRANT_COMMITTEE: &str = "migrant-committee1";

pub async fn migrant_and_registered(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let writer = SubmissionWriter::start(db.clone());
    // Signs in with the demo's password: the same hash as committee2's, whose branch is home.
    let password_hash = member::Entity::find_by_id(demo.member("committee2").to_owned())
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?
        .password_hash;
    let txn = db.begin_write().await?;
    let committee = orgs::add_member(
        &*txn,
        NewMember {
            branch_id: demo.branch("demo-2"),
            name: "赵京生",
            username: MIGRANT_COMMITTEE,
            password_hash,
            status: MemberStatus::Migrant,
            migrant_org_id: Some(&demo.migrant_org_id),
        },
        None,
        now,
    )
    .await?;
    orgs::grant_role(
        &*txn,
        &committee.id,
        &demo.migrant_org_id,
        Role::Member,
        None,
        now,
    )
    .await?;
    orgs::grant_role(
        &*txn,
        &committee.id,
        &demo.migrant_org_id,
        Role::Committee,
        None,
        now,
    )
    .await?;
    txn.commit().await?;

    // member13 joined the Beijing organisation's theme day; its committee vouches for it.
    let member13 = access(db, demo, "member13").await?;
    let form = input::parse(
        RawForm {
            rule_id: demo.rule("demo-1", MEETING),
            title: "参加驻京流动党员党支部主题党日",
            account:
                "在北京望京街道党群服务中心参加流动党员党支部的主题党日，学习党章并参观社区服务站。",
            occurred_at: now - Duration::hours(3),
            place: &PlaceDto {
                name: "北京市朝阳区望京街道党群服务中心".into(),
                lat: Some(39.9963),
                lng: Some(116.4701),
            },
            photo_ids: &[],
        },
        now,
    )?;
    let (beijing, _) = submit_as(
        db.conn(),
        &writer,
        now,
        &member13.member,
        &member13.member,
        form,
        "seed-migrant-13".into(),
    )
    .await?;
    let attestor = crate::services::access::Access::load(db.conn(), &committee.id).await?;
    let comment = Reason::parse("本人在现场，该同志全程参加主题党日。")
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    attest(db, now, &attestor, &beijing.id, comment).await?;

    // member5 has no phone; the secretary records the snow clearing for him, committee1 reviews.
    let secretary = access(db, demo, "secretary1").await?;
    let member5 = access(db, demo, "member5").await?;
    let form = input::parse(
        RawForm {
            rule_id: demo.rule("demo-1", SNOW),
            title: "帮助清扫村口积雪",
            account:
                "老党员没有智能手机，支部书记代为登记：他早上和村民一起清扫了村口到小学的积雪。",
            occurred_at: now - Duration::hours(1),
            place: &PlaceDto {
                name: "东关村村口".into(),
                lat: Some(34.7481),
                lng: Some(113.6302),
            },
            photo_ids: &[],
        },
        now,
    )?;
    submit_as(
        db.conn(),
        &writer,
        now,
        &member5.member,
        &secretary.member,
        form,
        "seed-registered-5".into(),
    )
    .await?;
    Ok(())
}
