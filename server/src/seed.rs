//! A lived-in demo: a county, a town, two village branches and a migrant members' branch, about
//! thirty members, each branch's rules catalogue, and deeds in every state. Everything goes
//! through the same services as real use, so the demo's ledger and audit history are genuine.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

mod meetings;
mod migrant;
mod year;
// Issue 14: each part's demo data in its own module (add below this line)
mod admin;
pub use admin::administration;
mod roster;
pub use roster::roster;
mod county;
pub use county::county;
mod ratings;
pub use ratings::ratings;
pub use year::statements;
// Issue 15: the scale data generator (`jifen seed-scale`)
pub mod scale;

use chrono::Duration;
use jifen_shared::api::PlaceDto;
use jifen_shared::domain::{
    CycleQuarter, MemberStatus, OrgKind, Points, Reason, Role, RuleCategory, RuleName,
};

use crate::entity::{member, org_unit};
use crate::error::AppResult;
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::deeds::input::{self, RawForm};
use crate::services::deeds::review::{decide, Decision};
use crate::services::deeds::submit::submit;
use crate::services::deeds::writer::SubmissionWriter;
use crate::services::notify::Templates;
use crate::services::orgs::{self, NewMember};
use crate::services::rules::{self, RuleSpec};

/// What the seed made, for printing and for tests.
#[derive(Debug, Clone)]
pub struct Demo {
    pub county_id: String,
    pub town_id: String,
    pub migrant_org_id: String,
    /// Branch ids by public code (`demo-1`, `demo-2`).
    pub branches: HashMap<String, String>,
    /// Member ids by username.
    pub members: HashMap<String, String>,
    /// Rule ids by (branch code, rule name).
    pub rules: HashMap<(String, String), String>,
}

impl Demo {
    pub fn branch(&self, code: &str) -> &str {
        &self.branches[code]
    }

    pub fn member(&self, username: &str) -> &str {
        &self.members[username]
    }

    pub fn rule(&self, branch_code: &str, name: &str) -> &str {
        &self.rules[&(branch_code.to_owned(), name.to_owned())]
    }
}

pub const CLEAN_AREA: &str = "卫生责任区全季度保持整洁";
pub const SNOW: &str = "参加扫雪清路义务劳动";
pub const HAIRCUT: &str = "为群众义务理发";
pub const MEETING: &str = "按时参加组织生活";
pub const DUES: &str = "按时足额交纳党费";
pub const ABSENCE: &str = "无故缺席组织生活";
pub const VILLAGE_RULES: &str = "违反村规民约";

/// (category, name, description, points, cap per quarter, cap per year, evidence required)
type RuleRow = (
    RuleCategory,
    &'static str,
    &'static str,
    i32,
    Option<i32>,
    Option<i32>,
    bool,
);

const CATALOGUE: &[RuleRow] = &[
    (
        RuleCategory::Base,
        MEETING,
        "每次按时参加支部党员大会、党小组会或党课",
        2,
        None,
        Some(24),
        false,
    ),
    (
        RuleCategory::Base,
        DUES,
        "按月足额交纳党费",
        5,
        None,
        Some(20),
        false,
    ),
    (
        RuleCategory::Bonus,
        CLEAN_AREA,
        "认领的卫生责任区一个季度保持干净整洁",
        10,
        Some(10),
        None,
        false,
    ),
    (
        RuleCategory::Bonus,
        SNOW,
        "参加清扫积雪、疏通道路等义务劳动，每次每人",
        1,
        Some(10),
        None,
        false,
    ),
    (
        RuleCategory::Bonus,
        HAIRCUT,
        "每月为村民义务理发一次",
        5,
        Some(20),
        None,
        false,
    ),
    (
        RuleCategory::Deduction,
        ABSENCE,
        "无正当理由不参加组织生活，每次",
        -5,
        None,
        None,
        false,
    ),
    (
        RuleCategory::Deduction,
        VILLAGE_RULES,
        "经支委会核实的违反村规民约行为",
        -10,
        None,
        None,
        false,
    ),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "桂兰", "海涛", "玉梅", "德胜", "凤霞", "永福", "春燕", "国庆", "丽娟",
    "振华", "淑芬",
];

fn person(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + i / SURNAMES.len()) % GIVEN.len()]
    )
}

/// Whether the demo organisation is already there.
pub async fn exists(db: &Db) -> AppResult<bool> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq("demo-1"))
        .one(db.conn())
        .await?
        .is_some())
}

/// The organisation, catalogue and accounts, without any deeds: what every test starts from.
pub async fn organisation(db: &Db, now: DateTime<Utc>, password: &str) -> AppResult<Demo> {
    let hash = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || crate::services::auth::password::hash(&password))
            .await
            .map_err(|e| anyhow::anyhow!(e))??
    };
    let txn = db.begin_write().await?;
    let db = &*txn;
    let county = orgs::create_org(db, None, OrgKind::County, "示范县委", None, now).await?;
    let town =
        orgs::create_org(db, Some(&county.id), OrgKind::Town, "城关镇党委", None, now).await?;
    let migrant = orgs::create_org(
        db,
        Some(&county.id),
        OrgKind::Migrant,
        "驻北京流动党员党支部",
        Some("migrant-bj"),
        now,
    )
    .await?;
    let mut demo = Demo {
        county_id: county.id.clone(),
        town_id: town.id.clone(),
        migrant_org_id: migrant.id.clone(),
        branches: HashMap::new(),
        members: HashMap::new(),
        rules: HashMap::new(),
    };
    let add = |demo: &mut Demo, username: String, id: String| {
        demo.members.insert(username, id);
    };
    let mut n = 0usize;
    for (code, name, members) in [
        ("demo-1", "东关村党支部", 1..=15),
        ("demo-2", "西营村党支部", 16..=28),
    ] {
        let branch =
            orgs::create_org(db, Some(&town.id), OrgKind::Branch, name, Some(code), now).await?;
        demo.branches.insert(code.to_owned(), branch.id.clone());
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
            let rule = rules::insert(db, &branch.id, &spec, now).await?;
            crate::services::audit::record(
                db,
                crate::services::audit::Event {
                    chain_id: &branch.id,
                    actor_id: None,
                    action: "rule.created",
                    entity_type: "rule",
                    entity_id: &rule.id,
                    before: None,
                    after: Some(
                        serde_json::to_value(rules::view(rule.clone())?)
                            .map_err(anyhow::Error::from)?,
                    ),
                    reason: None,
                },
                now,
            )
            .await?;
            demo.rules
                .insert((code.to_owned(), (*rule_name).to_owned()), rule.id);
        }
        let last = *members.end();
        for i in members {
            // The last three of each branch work in Beijing and also belong to the migrant branch.
            let migrant_member = i + 2 >= last;
            n += 1;
            let m = orgs::add_member(
                db,
                NewMember {
                    branch_id: &branch.id,
                    name: &person(n),
                    username: &format!("member{i}"),
                    password_hash: Some(hash.clone()),
                    status: if migrant_member {
                        MemberStatus::Migrant
                    } else {
                        MemberStatus::Active
                    },
                    migrant_org_id: migrant_member.then_some(migrant.id.as_str()),
                },
                None,
                now,
            )
            .await?;
            if migrant_member {
                orgs::grant_role(db, &m.id, &migrant.id, Role::Member, None, now).await?;
            }
            add(&mut demo, m.username, m.id);
        }
        let suffix = &code[5..];
        for (username, role) in [
            (format!("committee{suffix}"), Role::Committee),
            (format!("secretary{suffix}"), Role::Secretary),
        ] {
            n += 1;
            let m = orgs::add_member(
                db,
                NewMember {
                    branch_id: &branch.id,
                    name: &person(n),
                    username: &username,
                    password_hash: Some(hash.clone()),
                    status: MemberStatus::Active,
                    migrant_org_id: None,
                },
                None,
                now,
            )
            .await?;
            orgs::grant_role(db, &m.id, &branch.id, role, None, now).await?;
            if role == Role::Secretary {
                orgs::grant_role(db, &m.id, &branch.id, Role::Committee, None, now).await?;
            }
            add(&mut demo, m.username, m.id);
        }
    }
    let admin = orgs::add_member(
        db,
        NewMember {
            branch_id: demo.branch("demo-1"),
            name: "镇党委组织委员",
            username: "admin1",
            password_hash: Some(hash.clone()),
            status: MemberStatus::Active,
            migrant_org_id: None,
        },
        None,
        now,
    )
    .await?;
    orgs::grant_role(db, &admin.id, &town.id, Role::OrgAdmin, None, now).await?;
    add(&mut demo, admin.username, admin.id);
    txn.commit().await?;
    Ok(demo)
}

async fn access(db: &Db, demo: &Demo, username: &str) -> AppResult<Access> {
    Access::load(db.conn(), demo.member(username)).await
}

const PLACES: &[(&str, f64, f64)] = &[
    ("东关村村委会", 34.7466, 113.6253),
    ("村东头到乡道的路段", 34.7481, 113.6302),
    ("村文化广场", 34.7455, 113.6240),
    ("西营村卫生室门口", 34.7390, 113.6101),
];

/// What becomes of a demo report after it is submitted.
#[derive(Debug, Clone, Copy)]
enum Then {
    Approve,
    Return,
    Reject,
    Withdraw,
    Revoke,
}

/// Deeds in every state, spread over the quarters of the current cycle year up to now.
pub async fn deeds(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<usize> {
    // Reports go through the same batching writer as the API's; the demo sends no WeChat messages.
    let writer = SubmissionWriter::start(db.clone());
    let templates = Templates::default();
    let year_start = {
        let q = CycleQuarter::of(now);
        chrono::NaiveDate::from_ymd_opt(q.year, 1, 1)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|d| d.and_utc())
            .unwrap_or(now)
    };
    let span = (now - year_start).num_hours().max(24);
    year::last_year(db, now, demo).await?;
    year::open_this_year(db, now, demo).await?;
    let mut made = 0;
    for (code, first, last) in [("demo-1", 1, 15), ("demo-2", 16, 28)] {
        let reviewer = access(db, demo, &format!("committee{}", &code[5..])).await?;
        for i in first..=last {
            let who = access(db, demo, &format!("member{i}")).await?;
            let plan: &[(&str, &str, &str, Option<Then>)] = &[
                (
                    MEETING,
                    "参加七一主题党日活动",
                    "按时参加支部主题党日，重温入党誓词。",
                    Some(Then::Approve),
                ),
                (
                    SNOW,
                    "清扫村口道路积雪",
                    "早上六点和村里几位党员一起清扫村口到乡道约两百米的积雪，保证学生上学通行。",
                    Some(Then::Approve),
                ),
                (
                    CLEAN_AREA,
                    "责任区本季度保持整洁",
                    "认领的文化广场东侧卫生责任区，每周清扫两次，本季度保持干净。",
                    Some(Then::Approve),
                ),
                (
                    HAIRCUT,
                    "为村里老人义务理发",
                    "在村委会为八位老人免费理发。",
                    match i % 5 {
                        0 => Some(Then::Return),
                        1 => Some(Then::Reject),
                        2 => None,
                        3 => Some(Then::Withdraw),
                        _ => Some(Then::Revoke),
                    },
                ),
            ];
            for (k, &(rule, title, account, then)) in plan.iter().enumerate() {
                let at =
                    year_start + Duration::hours(span * (k as i64 * 2 + 1 + (i % 3) as i64) / 9);
                let (place, lat, lng) = PLACES[(i + k) % PLACES.len()];
                let form = input::parse(
                    RawForm {
                        rule_id: demo.rule(code, rule),
                        title,
                        account,
                        occurred_at: at,
                        place: &PlaceDto {
                            name: place.into(),
                            lat: Some(lat),
                            lng: Some(lng),
                        },
                        photo_ids: &[],
                    },
                    now,
                )?;
                let (d, _) = submit(
                    db.conn(),
                    &writer,
                    now,
                    &who.member,
                    form,
                    format!("seed-{i}-{k}"),
                )
                .await?;
                made += 1;
                let reason = |s: &str| {
                    Reason::parse(s)
                        .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!(e)))
                };
                let approve = Decision::Approve {
                    points: None,
                    comment: None,
                };
                let steps = match then {
                    None => vec![],
                    Some(Then::Approve) => vec![(&reviewer, approve)],
                    Some(Then::Return) => vec![(
                        &reviewer,
                        Decision::Return(reason("请补充理发的具体日期和人数")?),
                    )],
                    Some(Then::Reject) => vec![(
                        &reviewer,
                        Decision::Reject(reason("本季度同一事项已申报，不重复计分")?),
                    )],
                    Some(Then::Withdraw) => vec![(&who, Decision::Withdraw)],
                    Some(Then::Revoke) => vec![
                        (&reviewer, approve),
                        (
                            &reviewer,
                            Decision::Revoke(reason("经群众反映核实，当天未开展理发服务")?),
                        ),
                    ],
                };
                for (by, decision) in steps {
                    // The demo sends no WeChat messages, so nothing was queued.
                    let (_, _queued) = decide(db, now, &templates, by, &d.id, decision).await?;
                }
            }
        }
        // One deduction decided at a quarterly review, proposed by the committee member and
        // confirmed by the secretary.
        let secretary = access(db, demo, &format!("secretary{}", &code[5..])).await?;
        let proposed = crate::services::deductions::propose(
            db,
            now,
            &reviewer,
            demo.member(&format!("member{}", first + 1)),
            jifen_shared::api::ProposeDeductionRequest {
                rule_id: demo.rule(code, ABSENCE).to_owned(),
                points: None,
                reason: "支委会决定：无故缺席三月份党员大会".into(),
                feedback_id: None,
            },
        )
        .await?;
        crate::services::deductions::confirm(db, now, &secretary, &proposed.id).await?;
    }
    // The secretary has asked for an invite to bind committee1's WeChat; as committee1 holds a
    // role, no code exists until a second role holder (admin1, say) confirms it.
    let secretary = access(db, demo, "secretary1").await?;
    crate::services::wechat::invites::issue(db, now, &secretary, demo.member("committee1")).await?;
    board_with_feedback(db, now, demo).await?;
    migrant::migrant_and_registered(db, now, demo).await?;
    meetings::meetings(db, now, demo).await?;
    year::this_quarter(db, now, demo).await?;
    Ok(made)
}

/// demo-1's latest quarter of this year that has ended with every report decided, signed and
/// posted on the public board, with the masses' feedback on it: some waiting for the committee,
/// and a flood from one sender that the committee set aside at once. Nothing early in the year,
/// when no such quarter exists yet.
async fn board_with_feedback(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    use crate::services::{feedback, quarters};
    use jifen_shared::api::BulkDismissRequest;
    use jifen_shared::domain::{FeedbackBody, FeedbackContact};

    let current = CycleQuarter::of(now);
    let branch = demo.branch("demo-1");
    let secretary = access(db, demo, "secretary1").await?;
    // The latest ended quarter whose reports are all decided.
    let mut signed = None;
    for q in (1..current.quarter).rev() {
        let Ok(quarter) = CycleQuarter::parse(current.year, q) else {
            continue;
        };
        // The demo sends no WeChat messages, so nothing is queued.
        match quarters::sign(db, now, &Templates::default(), &secretary, branch, quarter).await {
            Ok(_) => {
                signed = Some(quarter);
                break;
            }
            Err(crate::error::AppError::Quarter(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    let Some(quarter) = signed else {
        return Ok(());
    };
    // The demo sends no WeChat messages, so nothing was queued.
    let (_, _queued) =
        quarters::publish(db, now, &Templates::default(), &secretary, branch, quarter).await?;

    let text = |s: &str| {
        FeedbackBody::parse(s).map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!(e)))
    };
    // Senders are keyed hashes of addresses; the demo's are made up like its people.
    let sender = |name: &str| {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(format!("demo sender {name}")))
    };
    feedback::receive(
        db,
        now,
        "demo-1",
        feedback::NewFeedback {
            quarter,
            about_member_id: Some(demo.member("member5").to_owned()),
            body: text("member5 同志七月参加扫雪那天我也在，属实。")?,
            contact: None,
        },
        &sender("a villager"),
    )
    .await?;
    let suggestion = feedback::receive(
        db,
        now,
        "demo-1",
        feedback::NewFeedback {
            quarter,
            about_member_id: None,
            body: text("建议公示时把每项加分的具体事由写得再细一些，群众看得更明白。")?,
            contact: FeedbackContact::parse("王大爷（村东头）").ok(),
        },
        &sender("an old man"),
    )
    .await?;
    let complaint = feedback::receive(
        db,
        now,
        "demo-1",
        feedback::NewFeedback {
            quarter,
            about_member_id: Some(demo.member("member7").to_owned()),
            body: text("member7 家门口长期堆放柴草，占了半条村道，劝了几次都不听。")?,
            contact: None,
        },
        &sender("a neighbour"),
    )
    .await?;
    let committee = access(db, demo, "committee1").await?;
    // The suggestion is not about anyone's points; the complaint, checked, becomes a deduction
    // once the secretary signs it as the second person.
    feedback::decide(
        db,
        now,
        &committee,
        &suggestion.id,
        feedback::Decision::Dismiss("建议已转村委会，公示格式下季度改进；不涉及个人积分".into()),
    )
    .await?;
    let accepted = feedback::decide(
        db,
        now,
        &committee,
        &complaint.id,
        feedback::Decision::Accept(jifen_shared::api::AcceptFeedbackRequest {
            rule_id: demo.rule("demo-1", VILLAGE_RULES).to_owned(),
            points: Some(-2),
            member_id: None,
            reason: "经支委上门核实属实，已督促清理".into(),
        }),
    )
    .await?;
    if let Some(proposal) = accepted.deduction_id {
        crate::services::deductions::confirm(db, now, &secretary, &proposal).await?;
    }
    let mut flood = Vec::new();
    for _ in 0..5 {
        let view = feedback::receive(
            db,
            now,
            "demo-1",
            feedback::NewFeedback {
                quarter,
                about_member_id: None,
                body: text("积分不公平！！！")?,
                contact: None,
            },
            &sender("one flooder"),
        )
        .await?;
        flood.push(view.id);
    }
    feedback::dismiss_many(
        db,
        now,
        &committee,
        branch,
        quarter,
        BulkDismissRequest {
            ids: flood,
            reason: "同一来源短时间内重复提交，未说明具体事实".into(),
        },
    )
    .await?;
    Ok(())
}

/// Prints what the demo holds, for `jifen seed-demo`.
pub fn describe(demo: &Demo, deeds: usize) -> String {
    let mut out = String::from("Demo data created:\n");
    out.push_str(
        "  示范县委 → 城关镇党委 → 东关村党支部 (code demo-1), 西营村党支部 (code demo-2)\n",
    );
    out.push_str("  驻北京流动党员党支部 (code migrant-bj) for migrant members\n");
    out.push_str("  demo-1: member1..member15 (member13-15 migrant), committee1, secretary1\n");
    out.push_str("  demo-2: member16..member28 (member26-28 migrant), committee2, secretary2\n");
    out.push_str("  admin1: org_admin over 城关镇党委 (both branches)\n");
    out.push_str(
        "  城南镇党委: 南关村 (demo-3, brisk), 北湖村 (demo-4), 石桥村 (demo-5, quiet and slow to \
         review), member29..member46, committee3..5, secretary3..5, a year of deeds and its ended \
         quarters signed; admin0: org_admin over 示范县委 (statistics from the county down)\n",
    );
    out.push_str(
        "  migrant-committee1: committee of 驻北京流动党员党支部; attested member13's deed there\n",
    );
    out.push_str(
        "  demo-1 meetings: two closed (attendance, leave, an absence), a 主题党日 in progress now \
         (six on site, member13 remote, member8's leave waiting); secretary1 registered a deed \
         for member5, who has no phone to hand\n",
    );
    out.push_str(
        "  an invite for committee1's WeChat, asked by secretary1, waiting for a second role holder\n",
    );
    out.push_str(
        "  demo-1's latest finished quarter signed and posted (/board/demo-1, names masked), with \
         feedback: one waiting, one turned into a deduction by two people, one dismissed\n",
    );
    out.push_str(
        "  demo-1's year: last year opened, awarded, signed quarter by quarter and closed with \
         grades (one raised by the committee, confirmed); this year opened with base points, \
         dues awarded, snow clearing in its second version, a deduction waiting for a second \
         signature (member9), appeals waiting (member11), upheld (member12) and overturned \
         (member13), newcomer1 joined this month (pro-rata base points, under the alert line), \
         member3's statement printed twice (the first code superseded)\n",
    );
    out.push_str(
        "  roster: demo-2 imported a file with two newcomers (demo-2-001, demo-2-002, invite \
         codes issued), member21 transferred to demo-1, member22 left; ratings: 城关镇 rates by \
         its own rules (demo-2's stars adjusted with a reason), 城南镇 by the defaults; \
         administration: 东关村第一党小组 under demo-1, member6 made committee by secretary1, an \
         open invite for member7 and a revoked one for member8\n",
    );
    out.push_str(&format!(
        "  {} rules per branch, {} deeds in every state, {} accounts\n",
        CATALOGUE.len(),
        deeds,
        demo.members.len()
    ));
    out
}

/// Member rows by username, for the CLI.
pub async fn member_by_username(
    db: &impl sea_orm::ConnectionTrait,
    username: &str,
) -> AppResult<Option<member::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(member::Entity::find()
        .filter(member::Column::Username.eq(username))
        .one(db)
        .await?)
}
