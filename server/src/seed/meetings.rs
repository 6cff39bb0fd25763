//! demo-1's meetings: two past ones, closed, with attendance (on site, remote for the migrant
//! members, leave granted, one absence), and a 主题党日 in progress now, for the secretary's live
//! check-in screen. All through the meeting services, at the times they happened.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::domain::{DeedTitle, MeetingKind, PlaceName, Reason};
use sea_orm::EntityTrait;

use super::{access, Demo, ABSENCE, MEETING};
use crate::error::AppResult;
use crate::infra::config::Secret;
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::meetings::checkin::{checkin, Presence};
use crate::services::meetings::code::CheckinKey;
use crate::services::meetings::leave::{ask, decide, Decision};
use crate::services::meetings::schedule::{schedule, NewMeeting};
use crate::services::meetings::{close::close, expected};

const BRANCH: &str = "demo-1";
const MIGRANTS: &[&str] = &["member13", "member14", "member15"];

pub async fn meetings(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    // The codes were shown on a screen at the time; any key makes them the same way.
    let key = CheckinKey::new(&Secret::new(ids::new()));
    let secretary = access(db, demo, "secretary1").await?;
    let meeting = |kind, title: &str, starts_at: DateTime<Utc>, remote_allowed| NewMeeting {
        kind,
        title: DeedTitle::parse(title).expect("a demo title"),
        starts_at,
        ends_at: starts_at + Duration::hours(2),
        place: PlaceName::parse("东关村党群服务中心").expect("a demo place"),
        online_url: None,
        remote_allowed,
        attendance_rule_id: Some(demo.rule(BRANCH, MEETING).to_owned()),
        absence_rule_id: Some(demo.rule(BRANCH, ABSENCE).to_owned()),
    };
    let past = [
        (
            MeetingKind::BranchAssembly,
            "支部党员大会：学习村级事务公开制度",
            now - Duration::days(24),
            Some("member9"),
        ),
        (
            MeetingKind::PartyLecture,
            "党课：做群众身边的好党员",
            now - Duration::days(10),
            None,
        ),
    ];
    for (kind, title, starts_at, absent) in past {
        let held = meeting(kind, title, starts_at, true);
        let m = schedule(
            db,
            starts_at - Duration::days(3),
            &secretary,
            demo.branch(BRANCH),
            held,
        )
        .await?;
        let who = access(db, demo, "member7").await?;
        let leave = ask(
            db,
            starts_at - Duration::days(1),
            &who,
            &m.id,
            Reason::parse("在县医院陪护老人").expect("a demo reason"),
        )
        .await?;
        decide(
            db,
            starts_at - Duration::hours(20),
            &secretary,
            &leave.id,
            Decision::Grant,
        )
        .await?;
        let row = crate::entity::meeting::Entity::find_by_id(m.id.clone())
            .one(db.conn())
            .await?
            .ok_or(crate::error::AppError::NotFound(
                crate::error::Missing::Meeting,
            ))?;
        let rows = expected(db.conn(), &row).await?;
        for (i, mb) in rows.iter().enumerate() {
            if mb.username == "member7" || Some(mb.username.as_str()) == absent {
                continue;
            }
            let at = starts_at - Duration::minutes(10) + Duration::minutes(i as i64 % 12);
            let presence = if MIGRANTS.contains(&mb.username.as_str()) {
                Presence::Remote
            } else {
                Presence::OnSite {
                    code: key.current(&m.id, at).0,
                }
            };
            let who = crate::services::access::Access::load(db.conn(), &mb.id).await?;
            checkin(db, at, &key, &who, &m.id, presence).await?;
        }
        close(db, m.ends_at + Duration::minutes(30), &secretary, &m.id).await?;
    }

    // Today's 主题党日, under way: some have scanned in, a migrant member follows online, one
    // asked for leave and waits for the secretary.
    let starts_at = now - Duration::minutes(30);
    let mut today = meeting(
        MeetingKind::ThemeDay,
        "主题党日：清理河道垃圾",
        starts_at,
        true,
    );
    today.online_url = Some("https://meeting.example.cn/j/20260508".into());
    let m = schedule(
        db,
        now - Duration::days(2),
        &secretary,
        demo.branch(BRANCH),
        today,
    )
    .await?;
    for (i, username) in [
        "member1",
        "member2",
        "member3",
        "member4",
        "member5",
        "committee1",
    ]
    .into_iter()
    .enumerate()
    {
        let at = now - Duration::minutes(35 - 5 * i as i64).max(Duration::minutes(1));
        let who = access(db, demo, username).await?;
        let code = key.current(&m.id, at).0;
        checkin(db, at, &key, &who, &m.id, Presence::OnSite { code }).await?;
    }
    let migrant = access(db, demo, "member13").await?;
    checkin(
        db,
        now - Duration::minutes(20),
        &key,
        &migrant,
        &m.id,
        Presence::Remote,
    )
    .await?;
    let who = access(db, demo, "member8").await?;
    ask(
        db,
        now - Duration::hours(3),
        &who,
        &m.id,
        Reason::parse("今天在镇上卖菜，走不开").expect("a demo reason"),
    )
    .await?;
    Ok(())
}
