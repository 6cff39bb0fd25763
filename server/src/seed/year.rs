//! The points year in the demo, for demo-1 (东关村党支部): last year run from opening to grades,
//! and this year's open business — base points and dues, a catalogue item in its second version,
//! a deduction waiting for its second signature, an appeal in each state, a member who joined this
//! month and is under the alert line, and the branch's settings (names masked on the board).
//! Everything goes through the services, at the times it would have happened.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jifen_shared::api::{
    AlertThreshold, AwardRequest, EvidenceArea, FileAppealRequest, GradeThresholds,
    PatchBranchSettings, PlaceDto, ProposeDeductionRequest,
};
use jifen_shared::domain::{
    BoardNames, CycleQuarter, Grade, MemberStatus, Points, Reason, SHANGHAI_OFFSET_SECS,
};

use super::{access, Demo, ABSENCE, DUES, HAIRCUT, MEETING, SNOW, VILLAGE_RULES};
use crate::error::{AppError, AppResult};
use crate::infra::db::Db;
use crate::services::appeals::decide::{decide as decide_appeal, Verdict};
use crate::services::appeals::file::{file as file_appeal, Filing};
use crate::services::deeds::input::{self, RawForm};
use crate::services::deeds::review::{decide, Decision};
use crate::services::deeds::submit::submit;
use crate::services::deeds::writer::SubmissionWriter;
use crate::services::grading::{self, Adjustment};
use crate::services::notify::Templates;
use crate::services::orgs::{self, NewMember};
use crate::services::rules::{self, RulePatch};
use crate::services::{awards, deductions, quarters, settings, years};

const BRANCH: &str = "demo-1";

/// demo-1's people who keep a points account there: the fifteen members, the committee member,
/// the secretary and the town's organiser, whose home branch it is.
fn people() -> Vec<String> {
    (1..=15)
        .map(|i| format!("member{i}"))
        .chain(["committee1", "secretary1", "admin1"].map(String::from))
        .collect()
}

fn reason(text: &str) -> AppResult<Reason> {
    Reason::parse(text).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// 10:00 in Shanghai, `days` after the first day of `quarter`.
fn in_quarter(quarter: CycleQuarter, days: i64) -> DateTime<Utc> {
    let month = u32::from(quarter.quarter) * 3 - 2;
    NaiveDate::from_ymd_opt(quarter.year, month, 1)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .map(|d| {
            d.and_utc() - Duration::seconds(i64::from(SHANGHAI_OFFSET_SECS)) + Duration::days(days)
        })
        .expect("a day of a quarter")
}

/// Last year, from the secretary's settings in January to the grades confirmed this January: base
/// points, dues and meetings awarded each quarter (more to some than to others), one deduction
/// confirmed by two people, every quarter signed and posted, the year closed with the 优秀 cap
/// and one grade raised by the committee with its reason.
pub async fn last_year(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let year = CycleQuarter::of(now).year - 1;
    let branch = demo.branch(BRANCH);
    let secretary = access(db, demo, "secretary1").await?;
    let committee = access(db, demo, "committee1").await?;
    let q = |quarter: u8| CycleQuarter { year, quarter };
    let start = in_quarter(q(1), 1);

    settings::patch(
        db,
        start,
        &secretary,
        branch,
        PatchBranchSettings {
            grades: Some(GradeThresholds {
                excellent: 90,
                qualified: 70,
                basic: 60,
                excellent_cap_percent: Some(20),
            }),
            ..Default::default()
        },
    )
    .await?;
    years::open(db, start, &secretary, branch, year).await?;

    let people = people();
    // Who did how much: meetings attended in the year (2 points each, 12 at most) and quarters
    // of dues paid (5 points each), per person of `people()`, so that the year ends with every
    // grade: three clear 优秀, two tied just under the cap, 合格, 基本合格, and member10, who
    // did nothing and was deducted, 不合格.
    #[rustfmt::skip]
    const DILIGENCE: [(usize, usize); 18] = [
        (12, 4), (11, 4), (10, 4), (9, 4), (9, 4), (8, 3), (6, 3), (5, 3), (4, 4),
        (0, 0), (3, 2), (2, 2), (4, 2), (1, 2), (0, 1), (2, 0), (6, 4), (5, 4),
    ];
    let who = |pick: &dyn Fn(usize, usize) -> bool| -> Vec<String> {
        people
            .iter()
            .zip(DILIGENCE)
            .filter(|(_, (meetings, dues))| pick(*meetings, *dues))
            .map(|(u, _)| demo.member(u).to_owned())
            .collect()
    };
    for quarter in 1..=4u8 {
        let at = in_quarter(q(quarter), 20);
        let nth = usize::from(quarter);
        let paid = who(&|_, dues| dues >= nth);
        if !paid.is_empty() {
            awards::award(
                db,
                at,
                &committee,
                branch,
                AwardRequest {
                    rule_id: demo.rule(BRANCH, DUES).to_owned(),
                    member_ids: paid,
                    reason: format!("{year}年第{quarter}季度党费按时足额交纳"),
                },
            )
            .await?;
        }
        // The year's meetings spread over its quarters, three at most in one.
        for meeting in 0..3usize {
            let came = who(&|meetings, _| (meetings + 4 - nth) / 4 > meeting);
            if came.is_empty() {
                continue;
            }
            awards::award(
                db,
                at + Duration::days(meeting as i64 * 14),
                &committee,
                branch,
                AwardRequest {
                    rule_id: demo.rule(BRANCH, MEETING).to_owned(),
                    member_ids: came,
                    reason: format!("参加{year}年第{quarter}季度第{}次组织生活", meeting + 1),
                },
            )
            .await?;
        }
        if quarter == 2 {
            let proposed = deductions::propose(
                db,
                at,
                &committee,
                demo.member("member10"),
                ProposeDeductionRequest {
                    rule_id: demo.rule(BRANCH, VILLAGE_RULES).to_owned(),
                    points: None,
                    reason: "在村道两侧私搭棚舍，经村委会两次劝导仍未拆除".into(),
                    feedback_id: None,
                },
            )
            .await?;
            deductions::confirm(db, at + Duration::hours(2), &secretary, &proposed.id).await?;
        }
        let ended = in_quarter(q(quarter), 95).min(now);
        // The demo sends no WeChat messages, so nothing is queued.
        let (_, _queued) = quarters::sign(
            db,
            ended,
            &Templates::default(),
            &secretary,
            branch,
            q(quarter),
        )
        .await?;
        let (_, _queued) = quarters::publish(
            db,
            (ended + Duration::hours(1)).min(now),
            &Templates::default(),
            &secretary,
            branch,
            q(quarter),
        )
        .await?;
    }

    // The year closes in January; the committee raises one grade, the secretary confirms.
    let january = in_quarter(q(4), 100).min(now);
    let closed = grading::close(db, january, &secretary, branch, year).await?;
    if let Some(row) = closed
        .rows
        .iter()
        .find(|r| r.grade == Grade::BasicallyQualified && r.member_id != committee.id())
    {
        grading::adjust(
            db,
            (january + Duration::hours(1)).min(now),
            &committee,
            branch,
            year,
            Adjustment {
                member_id: &row.member_id,
                grade: Grade::Qualified,
                reason: reason("全年坚持为村里孤寡老人送水送菜，支委会评议提高一档")?,
            },
        )
        .await?;
    }
    grading::confirm(
        db,
        (january + Duration::days(2)).min(now),
        &secretary,
        branch,
        year,
    )
    .await?;
    Ok(())
}

/// This year's base points, given when the year opened (before any report of the year).
pub async fn open_this_year(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let year = CycleQuarter::of(now).year;
    let secretary = access(db, demo, "secretary1").await?;
    let opened_at = in_quarter(CycleQuarter { year, quarter: 1 }, 1).min(now);
    years::open(db, opened_at, &secretary, demo.branch(BRANCH), year).await?;
    Ok(())
}

/// What is under way this quarter in demo-1.
pub async fn this_quarter(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let branch = demo.branch(BRANCH);
    let secretary = access(db, demo, "secretary1").await?;
    let committee = access(db, demo, "committee1").await?;
    let admin = access(db, demo, "admin1").await?;
    // Twelve steps over the last three days, or since the quarter began when that is later, so
    // that everything below happens in this quarter, which is open.
    let since =
        (now - Duration::hours(72)).max(in_quarter(CycleQuarter::of(now), 0) - Duration::hours(10));
    let at = |step: i32| since + (now - since) * step / 12;

    // The board masks names; members below 90% of the branch median are warned.
    settings::patch(
        db,
        at(1),
        &secretary,
        branch,
        PatchBranchSettings {
            board_names: Some(BoardNames::Masked),
            alert: Some(AlertThreshold::MedianShare { percent: 90 }),
            // The village and its fields: reviewers see how far a reported place lies outside.
            evidence_area: Some(Some(EvidenceArea {
                lat: 34.7466,
                lng: 113.6253,
                radius_m: 3000,
            })),
            ..Default::default()
        },
    )
    .await?;

    // Snow clearing is worth more from now on: its second version.
    rules::patch(
        db,
        at(2),
        &secretary,
        demo.rule(BRANCH, SNOW),
        RulePatch {
            standard_points: Some(Points::parse(2).map_err(|e| anyhow::anyhow!(e))?),
            description: Some(
                "参加清扫积雪、疏通道路等义务劳动，每次每人（自本季度起每次 2 分）".into(),
            ),
            ..Default::default()
        },
    )
    .await?;

    // This quarter's dues, for everyone who paid.
    let paid: Vec<String> = people()
        .iter()
        .filter(|u| !matches!(u.as_str(), "member4" | "member9"))
        .map(|u| demo.member(u).to_owned())
        .collect();
    awards::award(
        db,
        at(3),
        &committee,
        branch,
        AwardRequest {
            rule_id: demo.rule(BRANCH, DUES).to_owned(),
            member_ids: paid,
            reason: "本季度党费按时足额交纳".into(),
        },
    )
    .await?;

    // A deduction proposed by the committee member, waiting for a second signature.
    deductions::propose(
        db,
        at(4),
        &committee,
        demo.member("member9"),
        ProposeDeductionRequest {
            rule_id: demo.rule(BRANCH, VILLAGE_RULES).to_owned(),
            points: Some(-2),
            reason: "在村道堆放建筑垃圾，经两次提醒未清理".into(),
            feedback_id: None,
        },
    )
    .await?;

    // Appeals: one waiting, one upheld, one overturned.
    let writer = SubmissionWriter::start(db.clone());
    let templates = Templates::default();
    let report =
        |username: &'static str, rule: &'static str, title: &'static str, key: &'static str| {
            let writer = &writer;
            async move {
                let who = access(db, demo, username).await?;
                let form = input::parse(
                    RawForm {
                        rule_id: demo.rule(BRANCH, rule),
                        title,
                        account: "本季度的事，详见标题；村委会有记录。",
                        occurred_at: at(0),
                        place: &PlaceDto {
                            name: "东关村村委会".into(),
                            lat: Some(34.7566),
                            lng: Some(113.6650),
                        },
                        photo_ids: &[],
                    },
                    at(5),
                )?;
                let (d, _) = submit(
                    db.conn(),
                    writer,
                    at(5),
                    &who.member,
                    form,
                    format!("seed-year-{key}"),
                )
                .await?;
                AppResult::Ok((who, d.id))
            }
        };
    let (member11, rejected) =
        report("member11", HAIRCUT, "为村东头三位老人理发", "appeal-wait").await?;
    let (_, _queued) = decide(
        db,
        at(6),
        &templates,
        &committee,
        &rejected,
        Decision::Reject(reason("照片和人数对不上，无法核实")?),
    )
    .await?;
    file_appeal(
        db,
        at(7),
        &member11,
        Filing::try_from(FileAppealRequest {
            deed_id: Some(rejected),
            ledger_entry_id: None,
            reason: "当天村医也在场，可以作证；照片是侧面拍的".into(),
        })?,
    )
    .await?;

    let (member12, returned) =
        report("member12", SNOW, "清扫学校门口积雪", "appeal-upheld").await?;
    let (_, _queued) = decide(
        db,
        at(6),
        &templates,
        &committee,
        &returned,
        Decision::Return(reason("请写明清扫的时间和一起参加的人")?),
    )
    .await?;
    let upheld = file_appeal(
        db,
        at(7),
        &member12,
        Filing::try_from(FileAppealRequest {
            deed_id: Some(returned),
            ledger_entry_id: None,
            reason: "标题里已经写了地点，不需要补充".into(),
        })?,
    )
    .await?;
    decide_appeal(
        db,
        at(8),
        &secretary,
        &upheld.id,
        Verdict::Uphold,
        reason("退回只是请补充时间和同行人员，补充后即可重新提交")?,
    )
    .await?;

    let absence = deductions::propose(
        db,
        at(5),
        &committee,
        demo.member("member13"),
        ProposeDeductionRequest {
            rule_id: demo.rule(BRANCH, ABSENCE).to_owned(),
            points: None,
            reason: "未参加本季度主题党日".into(),
            feedback_id: None,
        },
    )
    .await?;
    let absence = deductions::confirm(db, at(6), &secretary, &absence.id).await?;
    let member13 = access(db, demo, "member13").await?;
    let overturned = file_appeal(
        db,
        at(7),
        &member13,
        Filing::try_from(FileAppealRequest {
            deed_id: None,
            ledger_entry_id: absence.ledger_entry_id,
            reason: "主题党日那天在县医院陪护住院的母亲，事前向书记请过假".into(),
        })?,
    )
    .await?;
    decide_appeal(
        db,
        at(9),
        &admin,
        &overturned.id,
        Verdict::Overturn,
        reason("经核实事前已请假，不属于无故缺席，扣分退回")?,
    )
    .await?;

    // A member who joined this month: base points for the days left in the year, and so far
    // under the alert line. Elderly and without a phone, he signs in nowhere.
    let txn = db.begin_write().await?;
    orgs::add_member(
        &*txn,
        NewMember {
            branch_id: branch,
            name: "赵德福",
            username: "newcomer1",
            password_hash: None,
            status: MemberStatus::Active,
            migrant_org_id: None,
        },
        None,
        at(10),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// member3 printed this year's statement, then was awarded a meeting and printed it again: the
/// first code now reads as superseded at `/verify/…`, the second as current.
pub async fn statements(
    db: &Db,
    now: DateTime<Utc>,
    demo: &Demo,
    key: &crate::services::statements::StatementKey,
) -> AppResult<()> {
    let year = CycleQuarter::of(now).year;
    let member3 = demo.member("member3");
    let committee = access(db, demo, "committee1").await?;
    crate::services::statements::issue(db, now - Duration::hours(6), key, member3, member3, year)
        .await?;
    awards::award(
        db,
        now - Duration::hours(5),
        &committee,
        demo.branch(BRANCH),
        AwardRequest {
            rule_id: demo.rule(BRANCH, MEETING).to_owned(),
            member_ids: vec![member3.to_owned()],
            reason: "参加本月主题党日".into(),
        },
    )
    .await?;
    crate::services::statements::issue(db, now, key, member3, member3, year).await?;
    Ok(())
}
