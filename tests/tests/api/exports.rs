//! Exports (issue 14): the town's secretary takes the ledger of every branch below the town to the
//! county as a workbook or as CSV that Excel opens with the Chinese intact; the app reads the same
//! ledger a page at a time; a branch's committee keeps its posted quarter board as a file; and
//! nobody exports a branch they do not oversee.

use std::collections::HashSet;
use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use jifen_server::entity::{ledger_entry, member};
use jifen_server::infra::ids;
use jifen_server::seed::{HAIRCUT, SNOW};
use jifen_server::services::stats::Period;
use jifen_server::services::{export, unit_ledger};
use jifen_shared::api::{BoardView, LedgerCause, QuarterReviewView, UnitLedgerPage};
use jifen_shared::domain::{QuarterStatus, RuleCategory};
use jifen_tests::{problem, QuarterStep, Review, TestApp, User};
use reqwest::{Response, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// A Wednesday in May 2026: the first quarter is over, the second is running.
const NOW: &str = "2026-05-20T10:00:00+08:00";

/// A name a spreadsheet would take for a formula, with a comma and quotes in it.
const TRICKY_NAME: &str = "=SUM(1,2) \"王\"";

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Where the story happens: demo-1's member3 is renamed to [`TRICKY_NAME`]; in demo-1 member3's
/// haircut of March (a bonus of 5) and member1's snow clearing (approved, then revoked) are
/// approved by committee1; in demo-2 member16's haircut by committee2.
struct Story {
    app: TestApp,
    admin: User,
    committee1: User,
    secretary1: User,
}

async fn story() -> Story {
    let app = TestApp::spawn_at(NOW).await;
    member::Entity::update_many()
        .col_expr(member::Column::Name, Expr::value(TRICKY_NAME))
        .filter(member::Column::Id.eq(app.demo.member("member3")))
        .exec(&app.database().await)
        .await
        .expect("renamed");
    let admin = app.login_as("admin1").await;
    let committee1 = app.login_as("committee1").await;
    let committee2 = app.login_as("committee2").await;
    let secretary1 = app.login_as("secretary1").await;
    let member1 = app.login_as("member1").await;
    let member3 = app.login_as("member3").await;
    let member16 = app.login_as("member16").await;

    let mut haircut = app.deed_form(HAIRCUT);
    haircut.title = "为老党员理发, 上门服务".into();
    haircut.occurred_at = at("2026-03-10T09:00:00+08:00");
    let deed = app.submit(&member3, &haircut).await;
    approve(&app, &committee1, &deed.id).await;

    let deed = app.submit(&member1, &app.deed_form(SNOW)).await;
    approve(&app, &committee1, &deed.id).await;
    let res = app
        .review(&committee1, &deed.id, Review::Revoke("重复申报"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the approval is revoked");

    let deed = app
        .submit(&member16, &app.deed_form_in("demo-2", HAIRCUT))
        .await;
    approve(&app, &committee2, &deed.id).await;
    Story {
        app,
        admin,
        committee1,
        secretary1,
    }
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

async fn approve(app: &TestApp, committee: &User, deed: &str) {
    let res = app.review(committee, deed, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK, "the deed is approved");
}

async fn ledger(app: &TestApp, who: &User, unit: &str, query: &str) -> Response {
    app.get(who, &format!("/api/v1/orgs/{unit}/ledger{query}"))
        .await
}

/// Every page of a unit's ledger for 2026, walked with the cursor `limit` entries at a time.
async fn walk(app: &TestApp, who: &User, unit: &str, limit: u64) -> Vec<UnitLedgerPage> {
    let mut pages = Vec::new();
    let mut cursor = String::new();
    loop {
        let res = ledger(
            app,
            who,
            unit,
            &format!("?year=2026&limit={limit}&cursor={cursor}"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK, "a page of the ledger");
        let page: UnitLedgerPage = res.json().await.expect("a ledger page");
        assert!(
            page.items.len() as u64 <= limit,
            "no page is longer than asked"
        );
        let next = page.next_cursor.clone();
        pages.push(page);
        match next {
            Some(c) => cursor = c,
            None => return pages,
        }
    }
}

fn workbook(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook")
}

/// One part of the workbook's zip, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect("the part")
        .read_to_string(&mut text)
        .expect("UTF-8 XML");
    text
}

/// Excel's serial number of a Shanghai wall-clock time (days since 1899-12-30).
fn excel_serial(local: &str) -> f64 {
    let t = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").unwrap();
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (t - epoch).num_seconds() as f64 / 86_400.0
}

#[tokio::test]
async fn the_town_secretary_takes_the_towns_ledger_to_the_county_as_a_workbook() {
    let Story { app, admin, .. } = story().await;
    let town = app.demo.town_id.clone();

    let res = ledger(&app, &admin, &town, "?year=2026&format=xlsx").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], XLSX);
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("ledger-2026.xlsx"),
        "{disposition}"
    );
    let bytes = res.bytes().await.unwrap().to_vec();

    let mut book = workbook(bytes.clone());
    assert_eq!(book.sheet_names(), vec!["积分台账".to_owned()]);
    let sheet = book.worksheet_range("积分台账").expect("the ledger sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "记分时间",
            "季度",
            "支部",
            "党员",
            "类别",
            "积分项目",
            "项目版本",
            "分值",
            "来源",
            "事由"
        ]
    );

    // The haircut member3 did in March, approved now: counted in the first quarter.
    let haircut = rows
        .iter()
        .find(|r| {
            r[3] == Data::String(TRICKY_NAME.into()) && r[8] == Data::String("党员申报".into())
        })
        .expect("member3's haircut is in the town's ledger");
    match &haircut[0] {
        Data::DateTime(t) => assert!(
            (t.as_f64() - excel_serial("2026-05-20 10:00:00")).abs() < 1e-6,
            "written at 10:00 on a Shanghai clock, not {}",
            t.as_f64()
        ),
        other => panic!("the time is a date-time cell, not {other:?}"),
    }
    assert_eq!(haircut[1], Data::Float(1.0), "the quarter it counts in");
    assert_eq!(haircut[2], Data::String("东关村党支部".into()));
    assert_eq!(haircut[4], Data::String("加分".into()));
    assert_eq!(haircut[5], Data::String(HAIRCUT.into()));
    assert_eq!(haircut[6], Data::Float(1.0), "the item's version");
    assert_eq!(haircut[7], Data::Float(5.0), "points are numbers");
    assert_eq!(haircut[9], Data::String("为老党员理发, 上门服务".into()));

    // Both branches of the town, the revoked snow clearing and its reversal.
    assert!(rows
        .iter()
        .any(|r| r[2] == Data::String("西营村党支部".into())));
    let snow: Vec<&&[Data]> = rows
        .iter()
        .filter(|r| r[5] == Data::String(SNOW.into()))
        .collect();
    assert_eq!(snow.len(), 2, "the award and its reversal");
    assert_eq!(snow[1][8], Data::String("撤销冲正".into()));
    assert_eq!(snow[1][7], Data::Float(-1.0));
    assert_eq!(snow[1][9], Data::String("重复申报".into()));

    // The same entries as the app's pages.
    let entries: usize = walk(&app, &admin, &town, 100)
        .await
        .iter()
        .map(|p| p.items.len())
        .sum();
    assert_eq!(rows.len(), 1 + entries, "a header and a row per entry");

    // A bold, frozen header with a filter over every column.
    let sheet_xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "the header row is frozen: {sheet_xml:.600}"
    );
    assert!(
        sheet_xml.contains(&format!(r#"<autoFilter ref="A1:J{}"/>"#, rows.len())),
        "a filter over the table"
    );
    assert!(sheet_xml.contains("<cols>"), "columns have widths");
    assert!(
        part(&bytes, "xl/styles.xml").contains("<b/>"),
        "a bold font"
    );
}

#[tokio::test]
async fn the_ledger_as_csv_opens_in_excel_with_names_kept_as_text() {
    let Story {
        app, committee1, ..
    } = story().await;
    let branch = app.demo.branch("demo-1").to_owned();

    let res = ledger(
        &app,
        &committee1,
        &branch,
        "?year=2026&quarter=1&format=csv",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("ledger-2026-q1.csv"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "a byte-order mark, so Excel reads UTF-8"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n"), "lines end in CRLF");
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(
        lines[0],
        "记分时间,季度,支部,党员,类别,积分项目,项目版本,分值,来源,事由"
    );
    assert_eq!(
        lines[1..],
        [format!(
            "2026-05-20 10:00:00,1,东关村党支部,\"'=SUM(1,2) \"\"王\"\"\",加分,{HAIRCUT},1,5,党员申报,\"为老党员理发, 上门服务\""
        )],
        "the first quarter holds the haircut alone; the name is quoted and kept from running as a formula"
    );

    let english = app
        .client
        .get(app.url(&format!(
            "/api/v1/orgs/{branch}/ledger?year=2026&quarter=1&format=csv"
        )))
        .bearer_auth(&committee1.access_token)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let english = std::str::from_utf8(&english[3..]).unwrap();
    assert!(english.starts_with("Time,Quarter,Branch,Member,Category,Item,"));
    assert!(english.contains(",Bonus,") && english.contains(",Deed report,"));
}

#[tokio::test]
async fn the_app_reads_the_ledger_a_page_at_a_time_and_sees_every_entry_once() {
    let Story { app, admin, .. } = story().await;
    let town = app.demo.town_id.clone();

    let whole = walk(&app, &admin, &town, 100).await;
    assert_eq!(whole.len(), 1, "one page holds it all");
    let all = &whole[0].items;
    assert_eq!(
        all.len(),
        4,
        "two haircuts, the snow clearing and its reversal"
    );

    let pages = walk(&app, &admin, &town, 3).await;
    assert_eq!(pages.len(), 2);
    let walked: Vec<&str> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|e| e.id.as_str()))
        .collect();
    let unique: HashSet<&str> = walked.iter().copied().collect();
    assert_eq!(unique.len(), walked.len(), "no entry twice");
    assert_eq!(
        walked,
        all.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        "the same entries in the same order (as written)"
    );

    let causes: HashSet<LedgerCause> = all.iter().map(|e| e.cause).collect();
    assert!(causes.contains(&LedgerCause::Deed));
    assert!(causes.contains(&LedgerCause::Reversal));
    let reversal = all
        .iter()
        .find(|e| e.cause == LedgerCause::Reversal)
        .unwrap();
    assert_eq!(reversal.points, -1);
    assert_eq!(reversal.category, RuleCategory::Bonus);
    assert_eq!(reversal.rule_name.as_deref(), Some(SNOW));
    assert_eq!(reversal.member_id, app.demo.member("member1"));
    assert!(reversal.reverses_id.is_some());
    assert_eq!(reversal.reason, "重复申报");

    // One quarter of one branch.
    let q1 = ledger(
        &app,
        &admin,
        app.demo.branch("demo-2"),
        "?year=2026&quarter=1",
    )
    .await;
    let q1: UnitLedgerPage = q1.json().await.unwrap();
    assert!(q1
        .items
        .iter()
        .all(|e| e.quarter == 1 && e.branch_name == "西营村党支部"));

    for (query, field) in [
        ("?cursor=not-a-cursor", "cursor"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?quarter=5", "quarter"),
        ("?year=1999", "year"),
    ] {
        let p = problem(
            ledger(&app, &admin, &town, query).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            p.errors.iter().any(|e| e.field == field),
            "{query} names {field}: {p:?}"
        );
    }
    let res = ledger(&app, &admin, &town, "?format=pdf").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "an unknown format");
}

/// A file is one snapshot of the ledger: read a thousand entries at a time, a county's year
/// takes several pages, and an entry written between two of them (after the file began) is not
/// in it, while every entry written before is, once.
#[tokio::test]
async fn an_entry_written_while_the_ledger_file_is_read_stays_out_of_it() {
    let Story { app, .. } = story().await;
    let db = app.state.db.conn().clone();
    let town = app.demo.town_id.clone();
    let model = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::ReversesId.is_null())
        .one(&db)
        .await
        .unwrap()
        .expect("an entry of the story");
    let copy = |note: &str| {
        ledger_entry::ActiveModel::from(ledger_entry::Model {
            id: ids::new(),
            deed_id: None,
            note: note.into(),
            ..model.clone()
        })
    };
    let extra = (0..1_500).map(|i| copy(&format!("补录 {i}")));
    ledger_entry::Entity::insert_many(extra)
        .exec(&db)
        .await
        .expect("1500 more entries");
    let before = 4 + 1_500;
    let scope = unit_ledger::Scope {
        unit_id: town.as_str().into(),
        period: Period::parse(2026, None).unwrap(),
    };

    let mut pages = export::ledger::pages(db.clone(), scope.clone());
    let first = pages.next().await.expect("a first page").expect("read");
    assert_eq!(first.len() as u64, export::ledger::PAGE, "a full page");
    ledger_entry::Entity::insert(copy("读取期间写入"))
        .exec(&db)
        .await
        .expect("written while the file is read");
    let mut read = first.len();
    while let Some(page) = pages.next().await {
        read += page.expect("read").len();
    }
    assert_eq!(
        read, before,
        "the file holds the ledger as it stood when it began"
    );

    let mut again = export::ledger::pages(db, scope);
    let mut read = 0;
    while let Some(page) = again.next().await {
        read += page.expect("read").len();
    }
    assert_eq!(read, before + 1, "the next file has the new entry");
}

#[tokio::test]
async fn a_branch_committee_cannot_export_the_neighbour_branch_or_the_town() {
    let Story {
        app, committee1, ..
    } = story().await;
    let neighbour = app.demo.branch("demo-2").to_owned();
    let town = app.demo.town_id.clone();
    for query in ["", "?format=csv", "?format=xlsx"] {
        for unit in [&neighbour, &town, &app.demo.county_id] {
            let p = problem(
                ledger(&app, &committee1, unit, query).await,
                StatusCode::NOT_FOUND,
            )
            .await;
            assert_eq!(p.code, "org_unit.not_found", "{unit}{query}");
        }
    }
    // A plain member of demo-1 knows the branch but keeps no ledger of it.
    let member = app.login_as("member1").await;
    let p = problem(
        ledger(&app, &member, app.demo.branch("demo-1"), "?format=csv").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(p.code, "auth.forbidden");
    // The town's administrator reaches neither the county above nor a unit that does not exist.
    let admin = app.login_as("admin1").await;
    for unit in [app.demo.county_id.as_str(), "not-an-id"] {
        problem(ledger(&app, &admin, unit, "").await, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn the_committee_keeps_the_posted_quarter_board_as_a_file() {
    let Story {
        app,
        committee1,
        secretary1,
        ..
    } = story().await;
    let quarter = format!(
        "/api/v1/branches/{}/quarters/2026/1",
        app.demo.branch("demo-1")
    );

    let p = problem(
        app.get(&committee1, &format!("{quarter}?format=csv")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        p.code, "board.not_found",
        "nothing to export before it is posted"
    );

    for step in [QuarterStep::Sign, QuarterStep::Publish] {
        let res = app.quarter_step(&secretary1, "demo-1", step, 2026, 1).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", step.action());
    }
    let status: QuarterReviewView = app.get(&committee1, &quarter).await.json().await.unwrap();
    assert_eq!(
        status.status,
        QuarterStatus::Published,
        "JSON is still the status"
    );

    let board: BoardView = app
        .public_board("demo-1", "?year=2026&quarter=1")
        .await
        .json()
        .await
        .unwrap();
    let res = app.get(&committee1, &format!("{quarter}?format=csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("board-demo-1-2026-q1.csv"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(lines[0], "党员,基础分,加分,扣分,本季度合计,年度累计");
    assert_eq!(
        lines.len(),
        1 + board.rows.len(),
        "a line per member on the board"
    );
    assert!(
        lines.contains(&"\"'=SUM(1,2) \"\"王\"\"\",0,5,0,5,5"),
        "member3's quarter: {lines:#?}"
    );

    let res = app
        .get(&committee1, &format!("{quarter}?format=xlsx"))
        .await;
    assert_eq!(res.headers()["content-type"], XLSX);
    let mut book = workbook(res.bytes().await.unwrap().to_vec());
    assert_eq!(
        book.sheet_names(),
        vec!["积分榜".to_owned(), "加减分明细".to_owned()]
    );
    let standings = book.worksheet_range("积分榜").unwrap();
    let names: Vec<String> = standings.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(
        names,
        board
            .rows
            .iter()
            .map(|r| r.member_name.clone())
            .collect::<Vec<_>>(),
        "the board's members in the board's order"
    );
    let entries = book.worksheet_range("加减分明细").unwrap();
    let entries: Vec<&[Data]> = entries.rows().collect();
    assert_eq!(entries.len(), 2, "a header and the haircut");
    assert_eq!(entries[1][1], Data::String("加分".into()));
    assert_eq!(entries[1][2], Data::Float(5.0));
    assert_eq!(entries[1][3], Data::String("为老党员理发, 上门服务".into()));

    // A branch that masks names on its board masks them in the file too.
    let settings = format!("/api/v1/branches/{}/settings", app.demo.branch("demo-1"));
    let res = app
        .patch(&secretary1, &settings, &json!({"board_names": "masked"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let masked: BoardView = app
        .public_board("demo-1", "?year=2026&quarter=1")
        .await
        .json()
        .await
        .unwrap();
    let res = app.get(&committee1, &format!("{quarter}?format=csv")).await;
    let bytes = res.bytes().await.unwrap();
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    for row in &masked.rows {
        assert!(
            row.member_name.contains('*'),
            "{} is masked",
            row.member_name
        );
        assert!(
            text.contains(&row.member_name),
            "{} in the file",
            row.member_name
        );
    }
    assert!(!text.contains("SUM"), "no full name left");

    // The neighbour's committee cannot take it.
    let committee2 = app.login_as("committee2").await;
    problem(
        app.get(&committee2, &format!("{quarter}?format=xlsx"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
