//! The county view in the demo: 城南镇党委, a second town under 示范县委, with three village
//! branches that fare visibly differently over the year (one brisk and quickly reviewed, one
//! middling, one quiet and slow to review), every ended quarter of the year signed, and `admin0`,
//! the county organisation department's account, so that the statistics' drill-down from the
//! county to a town, a branch and a member has something to show. Everything goes through the
//! services at the times it would have happened.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jifen_shared::api::PlaceDto;
use jifen_shared::domain::{
    CycleQuarter, MemberStatus, OrgKind, Points, Reason, Role, RuleName, SHANGHAI_OFFSET_SECS,
};

use super::{person, Demo, CATALOGUE, CLEAN_AREA, HAIRCUT, SNOW};
use crate::error::{AppError, AppResult};
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::deeds::input::{self, RawForm};
use crate::services::deeds::review::{decide, Decision};
use crate::services::deeds::submit::submit;
use crate::services::deeds::writer::SubmissionWriter;
use crate::services::notify::Templates;
use crate::services::orgs::{self, NewMember};
use crate::services::rules::{self, RuleSpec};
use crate::services::{quarters, years};

pub const TOWN: &str = "城南镇党委";

/// How a branch fares: out of ten member-quarters, how many bring a report; and the hours its
/// committee usually takes to review one.
struct Pace {
    reports_in_ten: usize,
    review_hours: i64,
}

const BRANCHES: [(&str, &str, Pace); 3] = [
    (
        "demo-3",
        "南关村党支部",
        Pace {
            reports_in_ten: 9,
            review_hours: 3,
        },
    ),
    (
        "demo-4",
        "北湖村党支部",
        Pace {
            reports_in_ten: 6,
            review_hours: 30,
        },
    ),
    (
        "demo-5",
        "石桥村党支部",
        Pace {
            reports_in_ten: 3,
            review_hours: 100,
        },
    ),
];

/// Ordinary members per branch; each branch also has a committee member and a secretary.
const MEMBERS: usize = 6;
/// The first `memberN` number of the town (demo-1 and demo-2 use 1 to 28).
const FIRST_MEMBER: usize = 29;

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

fn reason(text: &str) -> AppResult<Reason> {
    Reason::parse(text).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

/// Creates the town, its branches, people, catalogues and year.
pub async fn county(db: &Db, now: DateTime<Utc>, demo: &Demo, password: &str) -> AppResult<()> {
    let year = CycleQuarter::of(now).year;
    let start = in_quarter(CycleQuarter { year, quarter: 1 }, 1).min(now);
    let hash = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || crate::services::auth::password::hash(&password))
            .await
            .map_err(|e| anyhow::anyhow!(e))??
    };
    let mut people: HashMap<String, String> = HashMap::new();
    let mut branches = Vec::new();
    let txn = db.begin_write().await?;
    let conn = &*txn;
    let town = orgs::create_org(
        conn,
        Some(&demo.county_id),
        OrgKind::Town,
        TOWN,
        None,
        start,
    )
    .await?;
    let mut n = 0;
    for (b, (code, name, _)) in BRANCHES.iter().enumerate() {
        let branch = orgs::create_org(
            conn,
            Some(&town.id),
            OrgKind::Branch,
            name,
            Some(code),
            start,
        )
        .await?;
        let suffix = &code[5..];
        let first = FIRST_MEMBER + b * MEMBERS;
        let usernames = (first..first + MEMBERS)
            .map(|i| (format!("member{i}"), None))
            .chain([
                (format!("committee{suffix}"), Some(Role::Committee)),
                (format!("secretary{suffix}"), Some(Role::Secretary)),
            ]);
        for (username, role) in usernames {
            n += 1;
            let m = orgs::add_member(
                conn,
                NewMember {
                    branch_id: &branch.id,
                    name: &person(40 + n),
                    username: &username,
                    password_hash: Some(hash.clone()),
                    // The last member of each branch works away from home.
                    status: if username == format!("member{}", first + MEMBERS - 1) {
                        MemberStatus::Migrant
                    } else {
                        MemberStatus::Active
                    },
                    migrant_org_id: None,
                },
                None,
                start,
            )
            .await?;
            for role in role
                .into_iter()
                .chain((role == Some(Role::Secretary)).then_some(Role::Committee))
            {
                orgs::grant_role(conn, &m.id, &branch.id, role, None, start).await?;
            }
            people.insert(username, m.id);
        }
        branches.push(branch.id);
    }
    // The county organisation department's account keeps its own points in 南关村.
    let admin = orgs::add_member(
        conn,
        NewMember {
            branch_id: &branches[0],
            name: "县委组织部干部",
            username: "admin0",
            password_hash: Some(hash),
            status: MemberStatus::Active,
            migrant_org_id: None,
        },
        None,
        start,
    )
    .await?;
    orgs::grant_role(
        conn,
        &admin.id,
        &demo.county_id,
        Role::OrgAdmin,
        None,
        start,
    )
    .await?;
    txn.commit().await?;

    let writer = SubmissionWriter::start(db.clone());
    let templates = Templates::default();
    for (b, ((code, _, pace), branch)) in BRANCHES.iter().zip(&branches).enumerate() {
        let suffix = &code[5..];
        let load = |username: String| {
            let id = people[&username].clone();
            async move { Access::load(db.conn(), &id).await }
        };
        let secretary = load(format!("secretary{suffix}")).await?;
        let committee = load(format!("committee{suffix}")).await?;
        let mut items = HashMap::new();
        for (category, rule_name, description, points, cap_q, cap_y, evidence) in CATALOGUE {
            let spec = RuleSpec {
                category: *category,
                name: RuleName::parse(rule_name).map_err(|e| anyhow::anyhow!(e))?,
                description: (*description).to_owned(),
                standard_points: Points::parse(*points).map_err(|e| anyhow::anyhow!(e))?,
                cap_per_quarter: *cap_q,
                cap_per_year: *cap_y,
                evidence_required: *evidence,
            };
            let rule = rules::create(db, start, &secretary, branch, spec).await?;
            items.insert(*rule_name, rule.id);
        }
        years::open(db, start, &secretary, branch, year).await?;

        let first = FIRST_MEMBER + b * MEMBERS;
        let reporters: Vec<String> = (first..first + MEMBERS)
            .map(|i| format!("member{i}"))
            .chain([format!("committee{suffix}")])
            .collect();
        let current = CycleQuarter::of(now);
        for q in 1..=current.quarter {
            let quarter = CycleQuarter { year, quarter: q };
            for (i, username) in reporters.iter().enumerate() {
                if (i * 7 + usize::from(q) * 3 + b) % 10 >= pace.reports_in_ten {
                    continue;
                }
                let happened = in_quarter(quarter, 10 + (i * 5 + b * 2) as i64);
                let submitted = happened + Duration::hours(6);
                let decided =
                    submitted + Duration::hours(pace.review_hours * (2 + (i % 3) as i64) / 2);
                if submitted >= now {
                    continue;
                }
                let (item, title, account) = match (i + usize::from(q)) % 3 {
                    0 => (
                        CLEAN_AREA,
                        "责任区本季度保持整洁",
                        "认领的村道卫生责任区每周清扫两次，本季度保持干净。",
                    ),
                    1 => (
                        HAIRCUT,
                        "为村里老人义务理发",
                        "在村委会为六位老人免费理发。",
                    ),
                    _ => (SNOW, "清扫村道积雪", "和几位党员一起清扫村口到乡道的积雪。"),
                };
                let who = load(username.clone()).await?;
                let form = input::parse(
                    RawForm {
                        rule_id: &items[item],
                        title,
                        account,
                        occurred_at: happened,
                        place: &PlaceDto {
                            name: "村委会".into(),
                            lat: None,
                            lng: None,
                        },
                        photo_ids: &[],
                    },
                    submitted,
                )?;
                let (deed, _) = submit(
                    db.conn(),
                    &writer,
                    submitted,
                    &who.member,
                    form,
                    format!("county-{code}-{q}-{i}"),
                )
                .await?;
                // The committee member's own report is reviewed by the secretary.
                let reviewer = if username.starts_with("committee") {
                    &secretary
                } else {
                    &committee
                };
                let decision = match (i + usize::from(q) + b) % 7 {
                    // This quarter's latest reports, and some of its others, are still waiting.
                    _ if decided >= now || (q == current.quarter && (i + b) % 4 == 0) => continue,
                    0 => Decision::Reject(reason("本季度同一事项已申报，不重复计分")?),
                    1 => {
                        // The member takes it back before anyone looks at it; the demo sends
                        // no WeChat messages, so nothing was queued.
                        let (_, _queued) = decide(
                            db,
                            submitted + Duration::hours(1),
                            &templates,
                            &who,
                            &deed.id,
                            Decision::Withdraw,
                        )
                        .await?;
                        continue;
                    }
                    2 if q == current.quarter => {
                        Decision::Return(reason("请补充具体日期和参加人员")?)
                    }
                    _ => Decision::Approve {
                        points: None,
                        comment: None,
                    },
                };
                // The demo sends no WeChat messages, so nothing was queued.
                let (_, _queued) =
                    decide(db, decided, &templates, reviewer, &deed.id, decision).await?;
            }
            if quarter < current {
                let next = CycleQuarter::parse(year + i32::from(q / 4), q % 4 + 1)
                    .map_err(|e| anyhow::anyhow!(e))?;
                let signing = in_quarter(next, 5).min(now);
                // A quarter that ended days ago may still have a report waiting: left open.
                // The demo sends no WeChat messages, so nothing is queued.
                match quarters::sign(db, signing, &templates, &secretary, branch, quarter).await {
                    Ok(_) | Err(AppError::Quarter(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(())
}
