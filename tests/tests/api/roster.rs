//! The roster: a secretary (or an administrator above the branch) lists, adds, edits, transfers
//! and deactivates members, and imports a roster file; who may do what follows the roles.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use jifen_server::entity::{audit_event, invite_code, ledger_entry, member};
use jifen_server::seed::SNOW;
use jifen_server::services::orgs;
use jifen_shared::api::{NotificationPage, RosterImport, RosterMember, RosterPage};
use jifen_shared::domain::{CycleQuarter, MemberStatus, NotificationKind, OrgKind};
use jifen_tests::{eventually, problem, Review, TestApp, User};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

fn members_path(app: &TestApp, code: &str) -> String {
    format!("/api/v1/orgs/{}/members", app.demo.branch(code))
}

async fn page(app: &TestApp, user: &User, path: &str) -> RosterPage {
    let res = app.get(user, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

/// Every member a listing reaches, page by page.
async fn all_pages(app: &TestApp, user: &User, path: &str, limit: u64) -> Vec<RosterMember> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut p = format!("{path}{sep}limit={limit}");
        if let Some(c) = &cursor {
            p.push_str(&format!("&cursor={c}"));
        }
        let got = page(app, user, &p).await;
        assert!(got.items.len() as u64 <= limit);
        out.extend(got.items);
        match got.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

async fn members_of(app: &TestApp, code: &str) -> u64 {
    member::Entity::find()
        .filter(member::Column::HomeBranchId.eq(app.demo.branch(code)))
        .count(&app.database().await)
        .await
        .unwrap()
}

async fn upload(
    app: &TestApp,
    user: &User,
    code: &str,
    dry_run: bool,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    app.client
        .post(app.url(&format!(
            "/api/v1/branches/{}/roster?dry_run={dry_run}",
            app.demo.branch(code)
        )))
        .bearer_auth(&user.access_token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

async fn imported(res: reqwest::Response) -> RosterImport {
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// A CSV file as Excel saves it: BOM, CRLF.
fn csv(lines: &[&str]) -> Vec<u8> {
    let mut s = "\u{feff}".to_owned();
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

#[tokio::test]
async fn the_secretary_lists_searches_and_pages_the_roster_and_an_admin_the_whole_town() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let admin = app.login_as("admin1").await;

    // demo-1: member1..15, committee1, secretary1 and admin1 live there.
    let everyone = all_pages(&app, &secretary, &members_path(&app, "demo-1"), 4).await;
    assert_eq!(everyone.len(), 18);
    let unique: std::collections::HashSet<_> = everyone.iter().map(|m| m.id.clone()).collect();
    assert_eq!(unique.len(), 18, "no member on two pages");
    // One page of all of them comes in the same order as the pages of four.
    let whole = page(
        &app,
        &secretary,
        &format!("{}?limit=100", members_path(&app, "demo-1")),
    )
    .await;
    assert_eq!(
        whole.items.iter().map(|m| &m.id).collect::<Vec<_>>(),
        everyone.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
    assert!(everyone
        .iter()
        .all(|m| m.branch_code.as_deref() == Some("demo-1")));

    let found = page(
        &app,
        &secretary,
        &format!("{}?q=MEMBER1", members_path(&app, "demo-1")),
    )
    .await;
    let mut names: Vec<_> = found.items.iter().map(|m| m.username.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        ["member1", "member10", "member11", "member12", "member13", "member14", "member15"]
    );
    let literal = page(
        &app,
        &secretary,
        &format!("{}?q=%25", members_path(&app, "demo-1")),
    )
    .await;
    assert!(
        literal.items.is_empty(),
        "% is searched for, not a wildcard"
    );

    let migrants = page(
        &app,
        &secretary,
        &format!("{}?status=migrant", members_path(&app, "demo-1")),
    )
    .await;
    assert_eq!(migrants.items.len(), 3);

    let town = all_pages(
        &app,
        &admin,
        &format!("/api/v1/orgs/{}/members", app.demo.town_id),
        100,
    )
    .await;
    assert_eq!(town.len(), 18 + 15);

    for (who, path, status) in [
        (
            "member1",
            members_path(&app, "demo-1"),
            StatusCode::FORBIDDEN,
        ),
        (
            "committee1",
            members_path(&app, "demo-1"),
            StatusCode::FORBIDDEN,
        ),
        (
            "secretary2",
            members_path(&app, "demo-1"),
            StatusCode::NOT_FOUND,
        ),
        // A branch's secretary does not see the town above it.
        (
            "secretary1",
            format!("/api/v1/orgs/{}/members", app.demo.town_id),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let user = app.login_as(who).await;
        let res = app.get(&user, &path).await;
        assert_eq!(res.status(), status, "{who} on {path}");
    }
    for bad in [
        "status=left",
        "limit=0",
        "limit=101",
        "cursor=nope",
        &format!("q={}", "x".repeat(41)),
    ] {
        let res = app
            .get(
                &secretary,
                &format!("{}?{bad}", members_path(&app, "demo-1")),
            )
            .await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.code, "validation.failed", "{bad}");
    }
}

#[tokio::test]
async fn the_secretary_adds_and_edits_members_and_each_mistake_names_its_field() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let path = format!("/api/v1/branches/{}/members", app.demo.branch("demo-1"));

    let res = app
        .post(
            &secretary,
            &path,
            &json!({"name": " ", "phone": "1380013800", "status": "transferred"}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<_> = p
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("name", "text.empty"),
            ("phone", "phone.invalid"),
            ("status", "member.status_not_editable")
        ]
    );

    let res = app
        .post(
            &secretary,
            &path,
            &json!({"name": "新党员", "phone": "+86 139 0000 0001"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let added: RosterMember = res.json().await.unwrap();
    assert_eq!(added.username, "demo-1-001");
    assert_eq!(added.phone.as_deref(), Some("13900000001"));
    assert_eq!(added.status, MemberStatus::Active);
    let second: RosterMember = app
        .post(&secretary, &path, &json!({"name": "另一位"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.username, "demo-1-002");

    let res = app
        .post(
            &secretary,
            &path,
            &json!({"name": "重号", "phone": "13900000001"}),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "member.phone_taken");
    let res = app
        .post(
            &secretary,
            &path,
            &json!({"name": "重名", "username": "member1"}),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "member.username_taken"
    );

    let edited: RosterMember = app
        .patch(
            &secretary,
            &format!("/api/v1/members/{}", added.id),
            &json!({"name": "新党员甲", "status": "migrant", "phone": ""}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.status, edited.phone),
        ("新党员甲", MemberStatus::Migrant, None)
    );
    let res = app
        .patch(
            &secretary,
            &format!("/api/v1/members/{}", second.id),
            &json!({"phone": "13900000001"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the number was freed");
    let res = app
        .patch(
            &secretary,
            &format!("/api/v1/members/{}", added.id),
            &json!({"status": "transferred"}),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
        "status"
    );

    let events = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(added.id.as_str()))
        .filter(audit_event::Column::Action.eq("member.updated"))
        .count(&app.database().await)
        .await
        .unwrap();
    assert_eq!(events, 2, "the phone on creation, then the edit");

    // The admin above may; a member, the committee and another branch's secretary may not.
    let admin = app.login_as("admin1").await;
    let res = app.post(&admin, &path, &json!({"name": "镇里加的"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    for (who, status) in [
        ("member1", StatusCode::FORBIDDEN),
        ("committee1", StatusCode::FORBIDDEN),
        ("secretary2", StatusCode::NOT_FOUND),
    ] {
        let user = app.login_as(who).await;
        assert_eq!(
            app.post(&user, &path, &json!({"name": "某人"}))
                .await
                .status(),
            status,
            "{who}"
        );
        let res = app
            .patch(
                &user,
                &format!("/api/v1/members/{}", added.id),
                &json!({"name": "某人"}),
            )
            .await;
        assert_eq!(res.status(), status, "{who} edits");
    }
}

#[tokio::test]
async fn a_transfer_moves_the_member_and_leaves_their_points_where_they_were_earned() {
    let app = TestApp::spawn().await;
    let secretary1 = app.login_as("secretary1").await;
    let secretary2 = app.login_as("secretary2").await;
    let committee = app.login_as("committee1").await;
    let mover = app.login_as("member3").await;
    let form = app.deed_form(SNOW);
    let year = CycleQuarter::of(form.occurred_at).year;
    let deed = app.submit(&mover, &form).await;
    let res = app
        .review(
            &committee,
            &deed.id,
            Review::Approve {
                points: None,
                comment: None,
            },
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let before = app.points(&mover, &mover.member_id, year).await;
    assert!(before.total > 0);

    let path = format!("/api/v1/members/{}/transfer", mover.member_id);
    // The other branch's secretary cannot send someone else's member; the destination must exist.
    let res = app
        .post(&secretary2, &path, &json!({"branch_id": "demo-2"}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let made_up = problem(
        app.post(&secretary1, &path, &json!({"branch_id": "no-such-branch"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(made_up.code, "org_unit.not_found");
    // A branch of another county is answered as one that does not exist: no probing ids.
    let db = app.database().await;
    let now = chrono::Utc::now();
    let county = orgs::create_org(&db, None, OrgKind::County, "邻县", None, now)
        .await
        .unwrap();
    let town = orgs::create_org(&db, Some(&county.id), OrgKind::Town, "邻镇", None, now)
        .await
        .unwrap();
    let far = orgs::create_org(
        &db,
        Some(&town.id),
        OrgKind::Branch,
        "邻县一村支部",
        Some("far-1"),
        now,
    )
    .await
    .unwrap();
    for bad in [far.id.as_str(), "far-1", "", &app.demo.town_id.clone()] {
        let res = app
            .post(&secretary1, &path, &json!({"branch_id": bad}))
            .await;
        let p = problem(res, StatusCode::NOT_FOUND).await;
        assert_eq!(
            (p.code, p.message),
            (made_up.code.clone(), made_up.message.clone()),
            "{bad:?}"
        );
    }
    let res = app
        .post(&secretary1, &path, &json!({"branch_id": "demo-1"}))
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors[0].code, "member.same_branch");
    let res = app
        .post(
            &secretary1,
            &format!("/api/v1/members/{}/transfer", committee.member_id),
            &json!({"branch_id": "demo-2"}),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "member.holds_office"
    );

    let moved: RosterMember = app
        .post(&secretary1, &path, &json!({"branch_id": "demo-2"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved.branch_id, app.demo.branch("demo-2"));

    // The member's own account still adds up; the entry stays with the branch that awarded it.
    let after = app.points(&mover, &mover.member_id, year).await;
    assert_eq!(after.total, before.total);
    let db = app.database().await;
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::MemberId.eq(mover.member_id.as_str()))
        .all(&db)
        .await
        .unwrap();
    assert!(entries
        .iter()
        .all(|e| e.branch_id == app.demo.branch("demo-1")));
    // The old branch no longer counts them; the new one does.
    let old = all_pages(&app, &secretary1, &members_path(&app, "demo-1"), 100).await;
    assert!(old.iter().all(|m| m.id != mover.member_id));
    let new = all_pages(&app, &secretary2, &members_path(&app, "demo-2"), 100).await;
    assert!(new.iter().any(|m| m.id == mover.member_id));
    let taking_part = jifen_server::services::orgs::taking_part(&db, app.demo.branch("demo-2"))
        .await
        .unwrap();
    assert!(taking_part.iter().any(|m| m.id == mover.member_id));

    // Both chains tell of it; the receiving secretary hears of it.
    for (chain, action) in [
        ("demo-1", "member.transferred_out"),
        ("demo-2", "member.transferred_in"),
    ] {
        let n = audit_event::Entity::find()
            .filter(audit_event::Column::ChainId.eq(app.demo.branch(chain)))
            .filter(audit_event::Column::Action.eq(action))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(n, 1, "{action}");
    }
    let inbox: NotificationPage = app
        .get(&secretary2, "/api/v1/me/notifications")
        .await
        .json()
        .await
        .unwrap();
    let told = inbox
        .items
        .iter()
        .find(|n| n.kind == NotificationKind::MemberTransferredIn)
        .expect("the receiving secretary is told");
    assert!(told.body.contains("东关村党支部"), "{}", told.body);
    // Now the receiving branch keeps the member; the sender no longer does.
    let res = app
        .post(&secretary1, &path, &json!({"branch_id": "demo-1"}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .post(&secretary2, &path, &json!({"branch_id": "demo-1"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_member_is_signed_out_and_no_longer_counted() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let leaver = app.login_as("member4").await;
    let path = format!("/api/v1/members/{}/deactivate", leaver.member_id);

    let member = app.login_as("member5").await;
    assert_eq!(
        app.post(&member, &path, &json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            &secretary,
            &format!(
                "/api/v1/members/{}/deactivate",
                app.demo.member("committee1")
            ),
            &json!({}),
        )
        .await;
    assert_eq!(
        problem(res, StatusCode::CONFLICT).await.code,
        "member.holds_office"
    );

    let left: RosterMember = app
        .post(&secretary, &path, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left.status, MemberStatus::Transferred);

    eventually("the leaver's session ends", || async {
        let res = app.get(&leaver, "/api/v1/me").await;
        (res.status() == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
    assert_eq!(
        app.login("member4", jifen_tests::PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let db = app.database().await;
    let taking_part = jifen_server::services::orgs::taking_part(&db, app.demo.branch("demo-1"))
        .await
        .unwrap();
    assert!(taking_part.iter().all(|m| m.id != leaver.member_id));
    let listed = all_pages(&app, &secretary, &members_path(&app, "demo-1"), 100).await;
    assert!(listed.iter().all(|m| m.id != leaver.member_id));
    let gone = page(
        &app,
        &secretary,
        &format!("{}?status=transferred", members_path(&app, "demo-1")),
    )
    .await;
    assert_eq!(gone.items.len(), 1);

    let res = app.post(&secretary, &path, &json!({})).await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await.code, "member.left");
    let res = app
        .patch(
            &secretary,
            &format!("/api/v1/members/{}", leaver.member_id),
            &json!({"name": "回来了"}),
        )
        .await;
    assert_eq!(problem(res, StatusCode::CONFLICT).await.code, "member.left");
    let n = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(leaver.member_id.as_str()))
        .filter(audit_event::Column::Action.eq("member.left"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn an_import_with_every_kind_of_bad_row_reports_each_by_row_and_column_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    // member1 has a phone number; a row giving it with member2's username names two people.
    let res = app
        .patch(
            &secretary,
            &format!("/api/v1/members/{}", app.demo.member("member1")),
            &json!({"phone": "13700000001"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let long = "长".repeat(81);
    let file = csv(&[
        "姓名,手机号,状态,用户名",
        ",13900000002,正式,",
        "张三,1390000000,正式,",
        "李四,13900000004,预备,",
        "王五,13900000005,,",
        "赵六,139 0000 0005,,",
        "孙七,13700000001,,member2",
        &format!("{long},,,"),
        "周八,,,secretary2",
        "吴九,,,x!",
        "",
        "郑十,,流动,",
        "郑十,,正式,",
    ]);
    let members_before = members_of(&app, "demo-1").await;
    let preview =
        imported(upload(&app, &secretary, "demo-1", true, "名册.csv", file.clone()).await).await;
    let problems: Vec<_> = preview
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (2, "姓名", "roster.name_missing"),
            (3, "手机号", "phone.invalid"),
            (4, "状态", "roster.unknown_status"),
            (6, "手机号", "roster.duplicate_phone"),
            (7, "手机号", "roster.phone_of_other"),
            (8, "姓名", "text.too_long"),
            (9, "用户名", "roster.username_taken"),
            (10, "用户名", "member.username_invalid"),
            (12, "姓名", "roster.ambiguous_name"),
            (13, "姓名", "roster.ambiguous_name"),
        ]
    );
    assert!(
        preview.problems[3].message.contains('5'),
        "names the first row: {}",
        preview.problems[3].message
    );
    assert_eq!(preview.rows, 11, "the blank row is skipped");
    assert_eq!(preview.add.len(), 1, "王五 alone is fine");

    let res = upload(&app, &secretary, "demo-1", false, "名册.csv", file).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p.errors.len(), 10);
    assert_eq!(p.errors[0].field, "rows[2].姓名");
    assert_eq!(
        members_of(&app, "demo-1").await,
        members_before,
        "nothing written"
    );
    let db = app.database().await;
    let imports = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("roster.imported"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(imports, 0);

    // Files that are no roster at all.
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "no name column",
            csv(&["手机号,状态", "13900000001,正式"]),
            "roster.no_name_column",
        ),
        ("only the header", csv(&["姓名,手机号"]), "roster.empty"),
        (
            "not UTF-8 (GBK)",
            vec![0xD0, 0xD5, 0xC3, 0xFB, b'\n', 0xD5, 0xC5],
            "roster.unreadable",
        ),
        (
            "a broken workbook",
            b"PK\x03\x04 not really a zip".to_vec(),
            "roster.unreadable",
        ),
        ("empty", Vec::new(), "roster.file_missing"),
        (
            "too many rows",
            {
                let mut lines = vec!["姓名".to_owned()];
                lines.extend((0..1001).map(|i| format!("党员{i}")));
                csv(&lines.iter().map(String::as_str).collect::<Vec<_>>())
            },
            "roster.too_many_rows",
        ),
        (
            "too large",
            vec![b'a'; 2 * 1024 * 1024 + 1],
            "roster.too_large",
        ),
    ];
    for (what, bytes, code) in cases {
        let res = upload(&app, &secretary, "demo-1", true, "x.csv", bytes).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p.errors[0].code, code, "{what}");
        assert_eq!(p.errors[0].field, "file", "{what}");
    }
    // Only who keeps the roster may import.
    for (who, status) in [
        ("committee1", StatusCode::FORBIDDEN),
        ("secretary2", StatusCode::NOT_FOUND),
    ] {
        let user = app.login_as(who).await;
        let res = upload(&app, &user, "demo-1", true, "x.csv", csv(&["姓名", "某人"])).await;
        assert_eq!(res.status(), status, "{who}");
    }
}

/// A workbook of a few KB may name a cell a million rows down or 16 000 columns across; it is
/// refused as soon as such a cell is read, without laying out the sheet's rows and columns.
#[tokio::test]
async fn a_workbook_naming_a_far_away_cell_is_refused_and_the_server_keeps_answering() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary1").await;
    let workbook = |row: u32, col: u16| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "姓名").unwrap();
        sheet.write_string(row, col, "x").unwrap();
        book.save_to_buffer().unwrap()
    };
    let far = workbook(1_048_575, 16_383);
    assert!(far.len() < 16 * 1024, "a small file: {} bytes", far.len());
    for (what, bytes, code) in [
        ("XFD1048576", far, "roster.too_many_rows"),
        ("row 1002", workbook(1001, 0), "roster.too_many_rows"),
        ("column BM", workbook(1, 64), "roster.too_many_columns"),
    ] {
        let res = upload(&app, &secretary, "demo-1", true, "名册.xlsx", bytes).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            (p.errors[0].field.as_str(), p.errors[0].code.as_str()),
            ("file", code),
            "{what}"
        );
    }
    // The last row and column a roster may use are read.
    let preview = imported(
        upload(
            &app,
            &secretary,
            "demo-1",
            true,
            "名册.xlsx",
            workbook(1000, 63),
        )
        .await,
    )
    .await;
    assert_eq!(preview.rows, 1);
    assert_eq!(preview.problems[0].row, 1001);
    assert_eq!(preview.problems[0].code, "roster.name_missing");
    let listed = page(&app, &secretary, &members_path(&app, "demo-1")).await;
    assert!(!listed.items.is_empty(), "the server still answers");
}

/// Names of demo-2's members by username, for files that name them as they are.
async fn names(app: &TestApp, user: &User) -> std::collections::HashMap<String, RosterMember> {
    all_pages(app, user, &members_path(app, "demo-2"), 100)
        .await
        .into_iter()
        .map(|m| (m.username.clone(), m))
        .collect()
}

#[tokio::test]
async fn a_clean_csv_roster_commits_once_and_importing_it_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary2").await;
    let known = names(&app, &secretary).await;
    let m16 = &known["member16"];
    let m17 = &known["member17"];
    let file = csv(&[
        "姓名,手机号,状态,用户名,备注",
        &format!("{},13600000016,流动,member16,改为流动", m16.name),
        &format!("{},,,member17,", m17.name),
        "郑十,13600000100,正式,,新来的",
        "\"钱, 十一\",,流动,,",
        "孙十二,136 0000 0102,,sun12,",
    ]);
    let before = members_of(&app, "demo-2").await;
    let preview =
        imported(upload(&app, &secretary, "demo-2", true, "roster.csv", file.clone()).await).await;
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    assert!(!preview.committed);
    assert_eq!(preview.add.len(), 3);
    assert_eq!(
        preview
            .add
            .iter()
            .map(|a| a.username.as_str())
            .collect::<Vec<_>>(),
        ["demo-2-001", "demo-2-002", "sun12"]
    );
    assert_eq!(preview.add[2].phone.as_deref(), Some("13600000102"));
    assert_eq!(preview.update.len(), 1);
    let fields: Vec<_> = preview.update[0]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(fields, ["phone", "status"]);
    assert_eq!(preview.unchanged.len(), 1);
    assert_eq!(preview.not_in_file.len(), 15 - 2);
    assert_eq!(
        members_of(&app, "demo-2").await,
        before,
        "a preview writes nothing"
    );

    let done = imported(
        upload(
            &app,
            &secretary,
            "demo-2",
            false,
            "roster.csv",
            file.clone(),
        )
        .await,
    )
    .await;
    assert!(done.committed);
    assert_eq!(done.invites.len(), 3);
    assert!(done.invites.iter().all(|i| i.code.len() >= 8));
    assert_eq!(members_of(&app, "demo-2").await, before + 3);
    let db = app.database().await;
    let codes = invite_code::Entity::find()
        .filter(
            invite_code::Column::MemberId.is_in(done.invites.iter().map(|i| i.member_id.clone())),
        )
        .count(&db)
        .await
        .unwrap();
    assert_eq!(codes, 3);
    let after = names(&app, &secretary).await;
    assert_eq!(after["member16"].status, MemberStatus::Migrant);
    assert_eq!(after["demo-2-002"].name, "钱, 十一");
    // Nobody absent from the file was touched.
    assert_eq!(after["member18"].status, known["member18"].status);

    let events = audit_event::Entity::find().count(&db).await.unwrap();
    let again = imported(upload(&app, &secretary, "demo-2", false, "roster.csv", file).await).await;
    assert!(again.committed);
    assert_eq!(
        audit_event::Entity::find().count(&db).await.unwrap(),
        events,
        "a file that changes nothing writes nothing, not even an import event"
    );
    assert_eq!(
        (again.add.len(), again.update.len(), again.unchanged.len()),
        (0, 0, 5)
    );
    assert!(again.invites.is_empty());
    assert_eq!(members_of(&app, "demo-2").await, before + 3);
    let codes_again = invite_code::Entity::find().count(&db).await.unwrap();
    assert_eq!(codes_again, codes);
}

/// The XLSX template's header, read back as a spreadsheet program would.
async fn template_header(app: &TestApp, user: &User) -> Vec<String> {
    let res = app
        .get(
            user,
            &format!(
                "/api/v1/branches/{}/roster/template?format=xlsx",
                app.demo.branch("demo-2")
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("roster-demo-2.xlsx"));
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook");
    assert_eq!(book.sheet_names(), ["名册", "填写说明"]);
    let sheet = book.worksheet_range("名册").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(
        rows.len(),
        1,
        "the header alone: nothing to delete before importing"
    );
    rows[0].iter().map(|c| c.to_string()).collect()
}

#[tokio::test]
async fn the_templates_filled_in_import_as_xlsx_and_csv() {
    let app = TestApp::spawn().await;
    let secretary = app.login_as("secretary2").await;
    let header = template_header(&app, &secretary).await;
    assert_eq!(header, ["姓名", "手机号", "状态", "用户名"]);

    // The XLSX template with rows added, the phone typed as a number as people do.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    sheet.write_string(1, 0, "冯十三").unwrap();
    sheet.write_number(1, 1, 13500000013.0).unwrap();
    sheet.write_string(1, 2, "正式").unwrap();
    sheet.write_string(3, 0, "陈十四").unwrap();
    sheet.write_string(3, 2, "migrant").unwrap();
    sheet.write_string(4, 0, "").unwrap();
    sheet.write_string(4, 2, "不知道").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let preview =
        imported(upload(&app, &secretary, "demo-2", true, "名册.xlsx", xlsx.clone()).await).await;
    let problems: Vec<_> = preview
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        problems,
        [(5, "姓名"), (5, "状态")],
        "rows as the spreadsheet numbers them"
    );

    // Fixed, committed, committed again.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    sheet.write_string(1, 0, "冯十三").unwrap();
    sheet.write_number(1, 1, 13500000013.0).unwrap();
    sheet.write_string(3, 0, "陈十四").unwrap();
    sheet.write_string(3, 2, "migrant").unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let done =
        imported(upload(&app, &secretary, "demo-2", false, "名册.xlsx", xlsx.clone()).await).await;
    assert_eq!(done.add.len(), 2);
    assert_eq!(done.add[0].phone.as_deref(), Some("13500000013"));
    assert_eq!(done.add[1].status, MemberStatus::Migrant);
    let again = imported(upload(&app, &secretary, "demo-2", false, "名册.xlsx", xlsx).await).await;
    assert_eq!(
        (again.add.len(), again.update.len(), again.unchanged.len()),
        (0, 0, 2)
    );

    // The CSV template, downloaded and filled in with a text editor.
    let res = app
        .get(
            &secretary,
            &format!(
                "/api/v1/branches/{}/roster/template?format=csv",
                app.demo.branch("demo-2")
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    text.push_str("褚十五,13500000015,流动,\r\n");
    let done = imported(
        upload(
            &app,
            &secretary,
            "demo-2",
            false,
            "名册.csv",
            text.into_bytes(),
        )
        .await,
    )
    .await;
    assert_eq!(done.add.len(), 1);
    assert_eq!(done.not_in_file.len(), 15 + 2);

    // XLSX when no format is named; JSON is no template; an unknown format is a bad request.
    let template_path = format!(
        "/api/v1/branches/{}/roster/template",
        app.demo.branch("demo-2")
    );
    let res = app.get(&secretary, &template_path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let res = app
        .get(&secretary, &format!("{template_path}?format=json"))
        .await;
    assert_eq!(
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await.errors[0].field,
        "format"
    );
    let res = app
        .get(&secretary, &format!("{template_path}?format=pdf"))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let member = app.login_as("member16").await;
    let res = app
        .get(
            &member,
            &format!(
                "/api/v1/branches/{}/roster/template",
                app.demo.branch("demo-2")
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
