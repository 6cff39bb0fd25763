//! Statistics (统计): a town's organisation member opens 城南镇's figures for 2026 and for each
//! quarter, drills down to a branch and its members, and every figure matches what was counted by
//! hand below; the quarters and the year are cut in Asia/Shanghai; only those who oversee a unit
//! see its figures.
//!
//! The fixture, 城南镇党委 under the demo county (times in Asia/Shanghai):
//!
//! 南村党支部: south1, south2, south3 (migrant), southc (committee), souths (secretary).
//! | deed | member | item  | happened          | submitted    | first decision          | now       |
//! |------|--------|-------|-------------------|--------------|-------------------------|-----------|
//! | D1   | south1 | bonus | 2026-03-31 23:30  | 04-01 08:00  | approved 04-01 10:00 2h | approved  |
//! | D2   | south1 | bonus | 2026-04-01 00:30  | 04-01 09:00  | approved 04-02 09:00 24h| approved  |
//! | D3   | south2 | bonus | 2025-12-31 23:30  | 01-01 08:00  | approved 01-01 12:00 4h | approved  |
//! | D4   | south2 | bonus | 2026-01-01 00:30  | 01-02 08:00  | rejected 01-02 14:00 6h | rejected  |
//! | D5   | south3 | bonus | 2026-02-10 10:00  | 02-10 12:00  | returned 02-11 12:00 24h| returned  |
//! | D6   | south3 | base  | 2026-05-10 09:00  | 05-10 10:00  | approved 05-10 18:00 8h | approved  |
//! | D7   | south1 | bonus | 2026-05-01 09:00  | 05-01 10:00  | —                       | submitted |
//! | D8   | south2 | bonus | 2026-05-02 09:00  | 05-02 10:00  | — (withdrawn 05-02 11:00)| withdrawn|
//! | D9   | south1 | base  | 2026-05-11 09:00  | 05-11 10:00  | approved 05-11 13:00 3h | revoked   |
//! | D10  | south2 | bonus | 2026-06-01 09:00  | 06-01 10:00  | approved 06-03 10:00 48h| approved  |
//! | D11  | southc | bonus | 2026-02-01 09:00  | 02-01 10:00  | approved 02-01 10:30 0.5h| approved |
//! and south2 loses 10 points (deduction proposed 06-01, confirmed 06-02: Q2).
//!
//! 北村党支部: north1, north2, northc (committee); D12: north1, bonus, happened 03-01 09:00,
//! submitted 03-01 10:00, approved 03-01 11:00 (1h).
//!
//! The base item is worth 2, the bonus item 5. The server's clock reads 2026-07-15 (Q3).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_server::infra::db::Db;
use jifen_server::services::access::Access;
use jifen_server::services::deeds::input::{self, RawForm};
use jifen_server::services::deeds::review::{decide, Decision};
use jifen_server::services::deeds::submit::submit;
use jifen_server::services::deeds::writer::SubmissionWriter;
use jifen_server::services::notify::Templates;
use jifen_server::services::orgs::{self, NewMember};
use jifen_server::services::rules::{self, RuleSpec};
use jifen_server::services::{auth, deductions};
use jifen_shared::api::{
    AppealView, Band, DeedCounts, DeedPage, FileAppealRequest, MemberFigures, OrgStats, PlaceDto,
    ProposeDeductionRequest, ReasonRequest, ReviewTime, Share, TokenResponse, UnitFigures,
};
use jifen_shared::domain::{MemberStatus, OrgKind, Points, Reason, Role, RuleCategory, RuleName};
use jifen_tests::{problem, Review, TestApp, User, PASSWORD};
use reqwest::StatusCode;

const NOW: &str = "2026-07-15T10:00:00+08:00";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// 城南镇 and its two branches, seeded through the services at the times of the table above.
struct Fixture {
    town: String,
    south: String,
    north: String,
    members: HashMap<&'static str, String>,
}

impl Fixture {
    fn member(&self, username: &str) -> &str {
        &self.members[username]
    }
}

async fn seed(app: &TestApp) -> Fixture {
    let db = &app.state.db;
    let setup = at("2025-12-01T09:00:00+08:00");
    let hash = auth::password::hash(PASSWORD).expect("hash");
    let txn = db.begin_write().await.expect("write");
    let town = orgs::create_org(
        &*txn,
        Some(&app.demo.county_id),
        OrgKind::Town,
        "城南镇党委",
        None,
        setup,
    )
    .await
    .expect("town");
    let mut members = HashMap::new();
    let mut branches = Vec::new();
    let mut rule_ids = HashMap::new();
    for (name, code, people) in [
        (
            "南村党支部",
            "south",
            &[
                ("south1", "甲一", MemberStatus::Active, None),
                ("south2", "甲二", MemberStatus::Active, None),
                ("south3", "甲三", MemberStatus::Migrant, None),
                (
                    "southc",
                    "甲委",
                    MemberStatus::Active,
                    Some(Role::Committee),
                ),
                (
                    "souths",
                    "甲书",
                    MemberStatus::Active,
                    Some(Role::Secretary),
                ),
            ][..],
        ),
        (
            "北村党支部",
            "north",
            &[
                ("north1", "乙一", MemberStatus::Active, None),
                ("north2", "乙二", MemberStatus::Active, None),
                (
                    "northc",
                    "乙委",
                    MemberStatus::Active,
                    Some(Role::Committee),
                ),
            ][..],
        ),
    ] {
        let branch = orgs::create_org(
            &*txn,
            Some(&town.id),
            OrgKind::Branch,
            name,
            Some(code),
            setup,
        )
        .await
        .expect("branch");
        for (category, item, points) in [
            (RuleCategory::Base, "按时参加组织生活", 2),
            (RuleCategory::Bonus, "参加义务劳动", 5),
            (RuleCategory::Deduction, "违反村规民约", -10),
        ] {
            let spec = RuleSpec {
                category,
                name: RuleName::parse(item).expect("name"),
                description: String::new(),
                standard_points: Points::parse(points).expect("points"),
                cap_per_quarter: None,
                cap_per_year: None,
                evidence_required: false,
            };
            let rule = rules::insert(&*txn, &branch.id, &spec, setup)
                .await
                .expect("rule");
            rule_ids.insert((code, category), rule.id);
        }
        for &(username, person, status, role) in people {
            let m = orgs::add_member(
                &*txn,
                NewMember {
                    branch_id: &branch.id,
                    name: person,
                    username,
                    password_hash: Some(hash.clone()),
                    status,
                    migrant_org_id: None,
                },
                None,
                setup,
            )
            .await
            .expect("member");
            if let Some(role) = role {
                orgs::grant_role(&*txn, &m.id, &branch.id, role, None, setup)
                    .await
                    .expect("role");
            }
            members.insert(username, m.id);
        }
        branches.push(branch.id);
    }
    // The town's organisation member keeps their own points in demo-1.
    let admin = orgs::add_member(
        &*txn,
        NewMember {
            branch_id: app.demo.branch("demo-1"),
            name: "城南镇组织委员",
            username: "townadmin",
            password_hash: Some(hash),
            status: MemberStatus::Active,
            migrant_org_id: None,
        },
        None,
        setup,
    )
    .await
    .expect("admin");
    orgs::grant_role(&*txn, &admin.id, &town.id, Role::OrgAdmin, None, setup)
        .await
        .expect("org admin");
    members.insert("townadmin", admin.id);
    txn.commit().await.expect("commit");

    let fixture = Fixture {
        town: town.id,
        south: branches[0].clone(),
        north: branches[1].clone(),
        members,
    };
    let deeds = Deeds {
        db,
        writer: SubmissionWriter::start(db.clone()),
        rules: rule_ids,
        fixture: &fixture,
    };
    use Then::*;
    let b = RuleCategory::Bonus;
    let base = RuleCategory::Base;
    let plan: [(&str, RuleCategory, &str, &str, Then); 12] = [
        (
            "south1",
            b,
            "2026-03-31T23:30:00+08:00",
            "2026-04-01T08:00:00+08:00",
            Approve("southc", "2026-04-01T10:00:00+08:00"),
        ),
        (
            "south1",
            b,
            "2026-04-01T00:30:00+08:00",
            "2026-04-01T09:00:00+08:00",
            Approve("southc", "2026-04-02T09:00:00+08:00"),
        ),
        (
            "south2",
            b,
            "2025-12-31T23:30:00+08:00",
            "2026-01-01T08:00:00+08:00",
            Approve("southc", "2026-01-01T12:00:00+08:00"),
        ),
        (
            "south2",
            b,
            "2026-01-01T00:30:00+08:00",
            "2026-01-02T08:00:00+08:00",
            Reject("southc", "2026-01-02T14:00:00+08:00"),
        ),
        (
            "south3",
            b,
            "2026-02-10T10:00:00+08:00",
            "2026-02-10T12:00:00+08:00",
            Return("southc", "2026-02-11T12:00:00+08:00"),
        ),
        (
            "south3",
            base,
            "2026-05-10T09:00:00+08:00",
            "2026-05-10T10:00:00+08:00",
            Approve("southc", "2026-05-10T18:00:00+08:00"),
        ),
        (
            "south1",
            b,
            "2026-05-01T09:00:00+08:00",
            "2026-05-01T10:00:00+08:00",
            Wait,
        ),
        (
            "south2",
            b,
            "2026-05-02T09:00:00+08:00",
            "2026-05-02T10:00:00+08:00",
            Withdraw("2026-05-02T11:00:00+08:00"),
        ),
        (
            "south1",
            base,
            "2026-05-11T09:00:00+08:00",
            "2026-05-11T10:00:00+08:00",
            Revoke(
                "southc",
                "2026-05-11T13:00:00+08:00",
                "2026-05-20T10:00:00+08:00",
            ),
        ),
        (
            "south2",
            b,
            "2026-06-01T09:00:00+08:00",
            "2026-06-01T10:00:00+08:00",
            Approve("southc", "2026-06-03T10:00:00+08:00"),
        ),
        (
            "southc",
            b,
            "2026-02-01T09:00:00+08:00",
            "2026-02-01T10:00:00+08:00",
            Approve("souths", "2026-02-01T10:30:00+08:00"),
        ),
        (
            "north1",
            b,
            "2026-03-01T09:00:00+08:00",
            "2026-03-01T10:00:00+08:00",
            Approve("northc", "2026-03-01T11:00:00+08:00"),
        ),
    ];
    for (i, (who, category, happened, submitted, then)) in plan.into_iter().enumerate() {
        deeds
            .report(i, who, category, happened, submitted, then)
            .await;
    }
    // south2 loses 10 points at the quarterly review in June (Q2), by two people.
    let proposed = deductions::propose(
        db,
        at("2026-06-01T15:00:00+08:00"),
        &access(db, fixture.member("southc")).await,
        fixture.member("south2"),
        ProposeDeductionRequest {
            rule_id: deeds.rules[&("south", RuleCategory::Deduction)].clone(),
            points: None,
            reason: "无故缺席五月份党员大会".into(),
            feedback_id: None,
        },
    )
    .await
    .expect("proposed");
    deductions::confirm(
        db,
        at("2026-06-02T09:00:00+08:00"),
        &access(db, fixture.member("souths")).await,
        &proposed.id,
    )
    .await
    .expect("confirmed");
    fixture
}

async fn access(db: &Db, member_id: &str) -> Access {
    Access::load(db.conn(), member_id).await.expect("access")
}

#[derive(Clone, Copy)]
enum Then {
    Approve(&'static str, &'static str),
    Reject(&'static str, &'static str),
    Return(&'static str, &'static str),
    /// Approved by .0 at .1, revoked at .2.
    Revoke(&'static str, &'static str, &'static str),
    Withdraw(&'static str),
    Wait,
}

struct Deeds<'a> {
    db: &'a Db,
    writer: SubmissionWriter,
    rules: HashMap<(&'static str, RuleCategory), String>,
    fixture: &'a Fixture,
}

impl Deeds<'_> {
    async fn report(
        &self,
        i: usize,
        who: &str,
        category: RuleCategory,
        happened: &str,
        submitted: &str,
        then: Then,
    ) {
        let member = access(self.db, self.fixture.member(who)).await;
        let branch = if who.starts_with("south") {
            "south"
        } else {
            "north"
        };
        let submitted = at(submitted);
        let form = input::parse(
            RawForm {
                rule_id: &self.rules[&(branch, category)],
                title: "参加义务劳动",
                account: "和几位党员一起清扫村道。",
                occurred_at: at(happened),
                place: &PlaceDto {
                    name: "村委会".into(),
                    lat: None,
                    lng: None,
                },
                photo_ids: &[],
            },
            submitted,
        )
        .expect("form");
        let (deed, _) = submit(
            self.db.conn(),
            &self.writer,
            submitted,
            &member.member,
            form,
            format!("stats-{i}"),
        )
        .await
        .expect("submitted");
        let reason = |s: &str| Reason::parse(s).expect("reason");
        let approve = || Decision::Approve {
            points: None,
            comment: None,
        };
        let steps: Vec<(&str, &str, Decision)> = match then {
            Then::Approve(by, when) => vec![(by, when, approve())],
            Then::Reject(by, when) => vec![(by, when, Decision::Reject(reason("本季度已申报过")))],
            Then::Return(by, when) => vec![(by, when, Decision::Return(reason("请补充日期")))],
            Then::Revoke(by, when, later) => vec![
                (by, when, approve()),
                (by, later, Decision::Revoke(reason("经核实当天未参加"))),
            ],
            Then::Withdraw(when) => vec![(who, when, Decision::Withdraw)],
            Then::Wait => vec![],
        };
        for (by, when, decision) in steps {
            let by = access(self.db, self.fixture.member(by)).await;
            // No WeChat account is bound in the fixture, so nothing is queued.
            let (_, _queued) = decide(
                self.db,
                at(when),
                &Templates::default(),
                &by,
                &deed.id,
                decision,
            )
            .await
            .expect("decided");
        }
    }
}

async fn sign_in(app: &TestApp, username: &str) -> User {
    let res = app.login(username, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "{username} signs in");
    let tokens: TokenResponse = res.json().await.expect("tokens");
    User {
        username: username.to_owned(),
        member_id: String::new(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    }
}

async fn stats(app: &TestApp, user: &User, unit: &str, query: &str) -> OrgStats {
    let res = app
        .get(user, &format!("/api/v1/orgs/{unit}/stats{query}"))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{} reads {unit}{query}",
        user.username
    );
    res.json().await.expect("stats body")
}

fn hours(decided: u32, median: f64, p90: f64) -> ReviewTime {
    ReviewTime {
        decided,
        median_hours: Some(median),
        p90_hours: Some(p90),
    }
}

/// The members of each band from `from` up, as many as given.
fn bands_from(bands: &[Band], from: i32) -> Vec<u32> {
    bands
        .iter()
        .skip_while(|b| b.from < from)
        .map(|b| b.members)
        .collect()
}

fn child<'a>(stats: &'a OrgStats, id: &str) -> &'a UnitFigures {
    stats
        .children
        .iter()
        .find(|c| c.org_unit_id == id)
        .expect("child listed")
}

fn row<'a>(stats: &'a OrgStats, member_id: &str) -> &'a MemberFigures {
    stats
        .members
        .iter()
        .find(|m| m.member_id == member_id)
        .expect("member listed")
}

#[tokio::test]
async fn a_town_sees_its_year_branch_by_branch_as_counted_by_hand() {
    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let admin = sign_in(&app, "townadmin").await;

    let year = stats(&app, &admin, &f.town, "?year=2026").await;
    assert_eq!((year.year, year.quarter), (2026, None));
    let town = &year.unit;
    assert_eq!((town.kind, town.branches), (OrgKind::Town, 2));
    assert_eq!((town.members.active, town.members.migrant), (7, 1));
    assert_eq!(
        town.participation,
        Share::new(5, 8),
        "south1, south2 (D10), south3 (D6), southc, north1; not souths, north2, northc"
    );
    // Totals: south1 10, south2 5-10=-5, south3 2, southc 5, souths 0; north1 5, north2 0, northc 0.
    assert_eq!(town.points.total.sum, 17);
    assert_eq!(town.points.total.median, Some(1.0), "-5 0 0 0 | 2 5 5 10");
    assert_eq!(town.points.bonus.sum, 25);
    assert_eq!(town.points.bonus.median, Some(2.5), "0 0 0 0 | 5 5 5 10");
    assert_eq!(town.points.base.sum, 2, "D6; D9 approved then revoked");
    assert_eq!(town.points.deduction.sum, 10);
    assert_eq!(
        bands_from(&town.points.total.bands, -10)[..3],
        [1, 6, 1],
        "[-10,0): -5; [0,10): 0 0 0 2 5 5; [10,20): 10"
    );
    assert_eq!(town.points.total.bands.first().map(|b| b.from), Some(-10));
    assert_eq!(
        town.points.total.bands.last(),
        Some(&Band {
            from: 120,
            to: None,
            members: 0
        })
    );
    assert_eq!(
        town.deeds,
        DeedCounts {
            submitted: 1,
            approved: 6,
            rejected: 1,
            returned: 1,
            withdrawn: 1,
            revoked: 1,
        },
        "D3 happened in 2025 (Shanghai) and is not a deed of 2026; D4 (1 January 00:30) is"
    );
    assert_eq!(
        town.review_time,
        hours(10, 5.0, 24.0),
        "0.5 1 2 3 4 | 6 8 24 24 48: median (4+6)/2, 90th percentile the 9th"
    );
    assert_eq!(town.meetings, None, "no meeting was held");
    assert_eq!(
        town.under_alert, 2,
        "南村's line is 60% of its median 2 = 2: south2 and souths"
    );

    assert_eq!(
        year.children
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["北村党支部", "南村党支部"],
        "by name"
    );
    let south = child(&year, &f.south);
    assert_eq!((south.kind, south.branches), (OrgKind::Branch, 1));
    assert_eq!((south.members.active, south.members.migrant), (4, 1));
    assert_eq!(south.participation, Share::new(4, 5));
    assert_eq!(south.points.total.sum, 12);
    assert_eq!(south.points.total.median, Some(2.0), "-5 0 | 2 | 5 10");
    assert_eq!(south.points.bonus.median, Some(5.0), "0 0 | 5 | 5 10");
    assert_eq!(
        south.review_time,
        hours(9, 6.0, 48.0),
        "0.5 2 3 4 | 6 | 8 24 24 48; the 9th of 9 (ceil 8.1)"
    );
    assert_eq!(south.under_alert, 2);
    let north = child(&year, &f.north);
    assert_eq!(north.participation, Share::new(1, 3));
    assert_eq!(
        (north.points.bonus.sum, north.points.bonus.median),
        (5, Some(0.0))
    );
    assert_eq!(north.review_time, hours(1, 1.0, 1.0));
    assert_eq!(north.under_alert, 0, "the line is 60% of a median of 0");
    assert!(
        year.members.is_empty(),
        "members are listed for a branch only"
    );

    assert_eq!(
        year.trend.iter().map(|q| q.quarter).collect::<Vec<_>>(),
        [1, 2, 3],
        "up to the quarter running"
    );
    let [q1, q2, q3] = &year.trend[..] else {
        panic!("three quarters")
    };
    assert_eq!(
        (q1.base, q1.bonus, q1.deduction),
        (0, 15, 0),
        "D1 (31 March 23:30), D11, D12"
    );
    assert_eq!(
        (q2.base, q2.bonus, q2.deduction),
        (2, 10, 10),
        "D2 (1 April 00:30), D10"
    );
    assert_eq!(q1.review_time, hours(5, 4.0, 24.0), "0.5 1 4 6 24");
    assert_eq!(q2.review_time, hours(5, 8.0, 48.0), "2 3 8 24 48");
    assert_eq!(
        q3.review_time,
        ReviewTime {
            decided: 0,
            median_hours: None,
            p90_hours: None
        }
    );
}

#[tokio::test]
async fn quarters_and_years_are_cut_in_shanghai() {
    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let admin = sign_in(&app, "townadmin").await;

    let q1 = stats(&app, &admin, &f.south, "?year=2026&quarter=1").await;
    assert_eq!(q1.quarter, Some(1));
    let unit = &q1.unit;
    assert_eq!(
        row(&q1, f.member("south1")).bonus,
        5,
        "D1, on 31 March at 23:30 in Shanghai (15:30 UTC), is in the first quarter"
    );
    assert_eq!(unit.points.bonus.sum, 10, "D1 and D11");
    assert_eq!(unit.participation, Share::new(2, 5), "south1 and southc");
    assert_eq!(
        unit.deeds,
        DeedCounts {
            approved: 2,
            rejected: 1,
            returned: 1,
            ..DeedCounts::default()
        },
        "D1, D11; D4 (1 January 00:30 in Shanghai, still 31 December in UTC); D5"
    );
    assert_eq!(
        unit.review_time,
        hours(4, 5.0, 24.0),
        "decided in Q1: D3 4h, D4 6h, D5 24h, D11 0.5h; D1 was decided on 1 April"
    );
    assert_eq!(
        unit.under_alert, 0,
        "totals to March: 5 0 0 5 0, a line of 0"
    );

    let q2 = stats(&app, &admin, &f.south, "?year=2026&quarter=2").await;
    let south1 = row(&q2, f.member("south1"));
    assert_eq!(
        (south1.bonus, south1.base, south1.total),
        (5, 0, 5),
        "D2, on 1 April at 00:30 in Shanghai (31 March in UTC), is in the second quarter; D9 \
         was approved and revoked within it"
    );
    assert_eq!(
        (south1.deeds_approved, south1.deeds_waiting),
        (1, 1),
        "D2; D7"
    );
    let south2 = row(&q2, f.member("south2"));
    assert_eq!((south2.bonus, south2.deduction, south2.total), (5, 10, -5));
    assert_eq!(
        q2.unit.participation,
        Share::new(3, 5),
        "south1, south2, south3"
    );

    let last_year = stats(&app, &admin, &f.south, "?year=2025").await;
    assert_eq!(
        last_year.unit.deeds,
        DeedCounts {
            approved: 1,
            ..DeedCounts::default()
        },
        "D3 happened on 31 December 2025 at 23:30 in Shanghai"
    );
    assert_eq!(last_year.unit.points.bonus.sum, 5);
    assert_eq!(last_year.unit.participation, Share::new(1, 5));
    assert_eq!(
        last_year.unit.review_time.decided, 0,
        "D3 was decided on 1 January 2026"
    );
    assert_eq!(
        last_year.trend.len(),
        4,
        "a past year shows its four quarters"
    );
}

#[tokio::test]
async fn a_branch_lists_each_member_by_name() {
    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let committee = sign_in(&app, "southc").await;

    let year = stats(&app, &committee, &f.south, "").await;
    assert_eq!(year.year, 2026, "the current year when none is asked");
    assert!(year.children.is_empty());
    assert_eq!(
        year.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["甲一", "甲三", "甲书", "甲二", "甲委"],
        "by name (code point order)"
    );
    // username, [base, bonus, deduction, total], deeds approved, waiting, below the line, status
    let cases = [
        ("south1", [0, 10, 0, 10], 2, 1, false, MemberStatus::Active),
        ("south2", [0, 5, 10, -5], 1, 0, true, MemberStatus::Active),
        ("south3", [2, 0, 0, 2], 1, 0, false, MemberStatus::Migrant),
        ("southc", [0, 5, 0, 5], 1, 0, false, MemberStatus::Active),
        ("souths", [0, 0, 0, 0], 0, 0, true, MemberStatus::Active),
    ];
    for (who, [base, bonus, deduction, total], approved, waiting, under, status) in cases {
        let m = row(&year, f.member(who));
        assert_eq!(
            (m.base, m.bonus, m.deduction, m.total),
            (base, bonus, deduction, total),
            "{who}'s points"
        );
        assert_eq!(
            (m.deeds_approved, m.deeds_waiting),
            (approved, waiting),
            "{who}'s deeds"
        );
        assert_eq!(m.under_alert, under, "{who} below the line of 2");
        assert_eq!(m.status, status);
        assert_eq!(m.attendance, Share::new(0, 0), "no meetings");
    }
}

#[tokio::test]
async fn only_those_who_oversee_a_unit_see_its_figures() {
    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let path = |unit: &str| format!("/api/v1/orgs/{unit}/stats");

    let committee = sign_in(&app, "southc").await;
    assert_eq!(
        app.get(&committee, &path(&f.south)).await.status(),
        StatusCode::OK
    );
    let neighbour = problem(
        app.get(&committee, &path(&f.north)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        neighbour.code, "org_unit.not_found",
        "the neighbour's branch is not theirs to see"
    );
    // Their own town, which they do not oversee, like any unit they hold no role over.
    problem(
        app.get(&committee, &path(&f.town)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let admin = sign_in(&app, "townadmin").await;
    for unit in [&f.town, &f.south, &f.north] {
        assert_eq!(app.get(&admin, &path(unit)).await.status(), StatusCode::OK);
    }
    // 城关镇, where their own points are kept, is not theirs to oversee.
    problem(
        app.get(&admin, &path(&app.demo.town_id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&admin, &path(app.demo.branch("demo-2"))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&admin, &path(&app.demo.migrant_org_id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let member = sign_in(&app, "south1").await;
    problem(
        app.get(&member, &path(&f.south)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.get(&member, &path(&f.north)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&member, &path(&f.town)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // 城关镇's organisation member does not see 城南镇; the county's would.
    let other_town = app.login_as("admin1").await;
    problem(
        app.get(&other_town, &path(&f.town)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let anonymous = app
        .client
        .get(app.url(&path(&f.town)))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn impossible_periods_and_unknown_formats_are_refused() {
    let app = TestApp::spawn_at(NOW).await;
    let admin = app.login_as("admin1").await;
    let town = app.demo.town_id.clone();
    for (query, field, why) in [
        ("?year=2026&quarter=5", "quarter", "no fifth quarter"),
        ("?year=2026&quarter=0", "quarter", "no quarter 0"),
        ("?year=1999", "year", "before 2000"),
    ] {
        let p = problem(
            app.get(&admin, &format!("/api/v1/orgs/{town}/stats{query}"))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            p.errors.iter().any(|e| e.field == field),
            "{why}: {query} names {field}, got {:?}",
            p.errors
        );
    }
    // A format the server does not make is not a query it understands.
    let unknown = app
        .get(&admin, &format!("/api/v1/orgs/{town}/stats?format=pdf"))
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_town_exports_its_figures_for_the_county_as_a_workbook_and_as_csv() {
    use calamine::{open_workbook_from_rs, Data, DataType, Reader, Xlsx};

    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let admin = sign_in(&app, "townadmin").await;
    let json = stats(&app, &admin, &f.town, "?year=2026").await;

    let response = app
        .get(
            &admin,
            &format!("/api/v1/orgs/{}/stats?year=2026&format=xlsx", f.town),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.expect("the workbook").to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheets = book.sheet_names().to_owned();
    assert!(sheets.len() >= 2, "units and the quarter trend: {sheets:?}");
    let units = book.worksheet_range(&sheets[0]).expect("the units sheet");
    let rows: Vec<_> = units.rows().collect();
    assert_eq!(rows.len(), 1 + 1 + 2, "header, the town, its two branches");
    assert_eq!(rows[1][0], Data::String(json.unit.name.clone()));
    // The third column counts branches, as a number a spreadsheet can add up.
    assert_eq!(rows[1][2].as_f64(), Some(2.0));
    let branch_names: Vec<String> = rows[2..].iter().map(|r| r[0].to_string()).collect();
    let expected: Vec<String> = json.children.iter().map(|c| c.name.clone()).collect();
    assert_eq!(branch_names, expected);

    let csv = app
        .get(
            &admin,
            &format!("/api/v1/orgs/{}/stats?year=2026&format=csv", f.town),
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.bytes().await.expect("the file");
    assert!(
        text.starts_with(&[0xEF, 0xBB, 0xBF]),
        "a byte-order mark for Excel"
    );
    let text = String::from_utf8(text[3..].to_vec()).expect("UTF-8");
    assert_eq!(
        text.lines().count(),
        4,
        "header, the town and its two branches: {text}"
    );
    assert!(text.lines().nth(1).unwrap().starts_with(&json.unit.name));
}

/// Issue 15: the review time ends at the first decision, kept on the deed. A rejection
/// overturned on appeal sends the deed back to pending, and its later approval is no first
/// decision: the wait still ends at the rejection.
#[tokio::test]
async fn a_decision_overturned_on_appeal_keeps_its_first_decision_time() {
    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let admin = sign_in(&app, "townadmin").await;
    let south2 = sign_in(&app, "south2").await;
    let southc = sign_in(&app, "southc").await;
    let souths = sign_in(&app, "souths").await;

    // D4, rejected on 2 January after 6 hours, is south2's only rejected deed.
    let rejected: DeedPage = app
        .get(
            &southc,
            &format!(
                "/api/v1/deeds?scope=review&branch_id={}&status=rejected",
                f.south
            ),
        )
        .await
        .json()
        .await
        .expect("the rejected deeds");
    let [d4] = &rejected.items[..] else {
        panic!("one rejected deed: {:?}", rejected.items);
    };
    let res = app
        .post(
            &south2,
            "/api/v1/appeals",
            &FileAppealRequest {
                deed_id: Some(d4.id.clone()),
                ledger_entry_id: None,
                reason: "一月一日零点半在村里清扫积雪，有同组三人作证".into(),
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "south2 appeals");
    let filed: AppealView = res.json().await.expect("the appeal");
    let res = app
        .post(
            &souths,
            &format!("/api/v1/appeals/{}/overturn", filed.id),
            &ReasonRequest {
                reason: "经核实确有其事".into(),
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the secretary overturns it");

    // Pending again: no new decision yet, and the first one still counts in Q1.
    let q1 = stats(&app, &admin, &f.south, "?year=2026&quarter=1").await;
    assert_eq!(q1.unit.deeds.submitted, 1, "D4 waits again");
    assert_eq!(
        q1.unit.review_time,
        hours(4, 5.0, 24.0),
        "D3 4h, D4 6h (its rejection), D5 24h, D11 0.5h"
    );

    // Approved now, in July: the wait still ended at the rejection.
    let res = app
        .review(
            &southc,
            &d4.id,
            Review::Approve {
                points: None,
                comment: None,
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "southc approves it");
    let year = stats(&app, &admin, &f.south, "?year=2026").await;
    assert_eq!(
        year.trend[0].review_time,
        hours(4, 5.0, 24.0),
        "Q1 unchanged: D4's first decision is its rejection"
    );
    assert_eq!(
        year.trend[2].review_time.decided, 0,
        "the approval in July is not a first decision"
    );
    assert_eq!(
        year.unit.review_time.decided, 9,
        "each of 南村's nine deeds decided in the year, once"
    );
}

/// Issue 15: a unit's statistics are put together from its branches' records, each kept while
/// the chains it came from stand still. Approving D7 in 南村 is counted in the town's very next
/// figures, while 北村's records, untouched, come from memory.
#[tokio::test]
async fn a_decision_in_one_branch_is_counted_at_once_while_the_other_branch_is_not_read_again() {
    let app = TestApp::spawn_at(NOW).await;
    let f = seed(&app).await;
    let admin = sign_in(&app, "townadmin").await;
    let southc = sign_in(&app, "southc").await;

    let before = stats(&app, &admin, &f.town, "?year=2026").await;
    let reused = app.state.stats.reused();
    assert_eq!(stats(&app, &admin, &f.town, "?year=2026").await, before);
    assert_eq!(
        app.state.stats.reused(),
        reused + 2,
        "both branches' records were kept"
    );

    let waiting: DeedPage = app
        .get(
            &southc,
            &format!(
                "/api/v1/deeds?scope=review&branch_id={}&status=submitted",
                f.south
            ),
        )
        .await
        .json()
        .await
        .expect("the queue");
    let [d7] = &waiting.items[..] else {
        panic!("D7 waits alone: {:?}", waiting.items);
    };
    let res = app.review(&southc, &d7.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK, "southc approves D7");

    let reused = app.state.stats.reused();
    let after = stats(&app, &admin, &f.town, "?year=2026").await;
    assert_eq!(
        app.state.stats.reused(),
        reused + 1,
        "北村's records were kept, 南村's read again"
    );
    let (south_before, south_after) = (child(&before, &f.south), child(&after, &f.south));
    assert_eq!(
        south_after.deeds.submitted,
        south_before.deeds.submitted - 1
    );
    assert_eq!(south_after.deeds.approved, south_before.deeds.approved + 1);
    assert_eq!(after.unit.deeds.approved, before.unit.deeds.approved + 1);
    assert_eq!(child(&after, &f.north), child(&before, &f.north));
}
