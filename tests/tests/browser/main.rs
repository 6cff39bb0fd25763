//! The web app in a real headless Chromium: a member on a phone, a committee member on a tablet.
//! Each story saves screenshots of the screens it passes under `target/screenshots/`.

use jifen_server::seed::{SNOW, VILLAGE_RULES};
use jifen_shared::api::{DeedPage, FeedbackRequest, FeedbackView};
use jifen_tests::webdriver::{Browser, Driver};
use jifen_tests::{Review, TestApp};
use reqwest::StatusCode;
use serde_json::json;

// Issue 14: each part's stories in their own module, `use super::*;` (add below this line)
mod admin;
mod ratings;
mod roster;
mod stats;

const PHONE: (u32, u32) = (390, 844);
const TABLET: (u32, u32) = (1024, 1366);

async fn sign_in(
    app: &TestApp,
    driver: &Driver,
    story: &str,
    username: &str,
    viewport: (u32, u32),
) -> Browser {
    let mut b = driver
        .browser(story, viewport.0, viewport.1)
        .await
        .expect("browser starts");
    b.goto(&app.url("/login")).await.unwrap();
    b.fill("#username", username).await.unwrap();
    b.fill("#password", jifen_tests::PASSWORD).await.unwrap();
    b.screenshot("login").await.unwrap();
    b.click("button[type=submit]").await.unwrap();
    b.find(".tabbar").await.unwrap();
    b
}

#[tokio::test]
async fn a_deed_goes_from_a_phone_to_the_committees_tablet_and_back_as_points() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");

    // A member on a phone reports clearing snow, with a photo straight from the camera.
    let mut phone = sign_in(&app, &driver, "phone-report", "member3", PHONE).await;
    phone.wait_for_path("/report").await.unwrap();
    let rule_id = app.demo.rule("demo-1", SNOW).to_owned();
    phone.select("#rule", &rule_id).await.unwrap();
    phone.fill("#title", "清扫村口积雪").await.unwrap();
    phone
        .fill(
            "#account",
            "早上六点和几位党员一起清扫村口到乡道约两百米的积雪。",
        )
        .await
        .unwrap();
    phone.fill("#place", "东关村村口").await.unwrap();
    let picture = std::env::temp_dir().join(format!(
        "jifen-camera-{}.png",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&picture, jifen_tests::png::gradient(2400, 1800)).unwrap();
    phone.attach("#photo-input", &picture).await.unwrap();
    phone.wait_for_text(".photos", "已上传").await.unwrap();
    phone.screenshot("form-filled").await.unwrap();
    phone.click("button[type=submit]").await.unwrap();
    let path = phone.wait_for_path("/deeds/").await.unwrap();
    phone.wait_for_text(".badge", "待审核").await.unwrap();
    phone.screenshot("pending").await.unwrap();
    let deed_id = path.trim_start_matches("/deeds/").to_owned();

    // The photo was shrunk on the phone before it was sent.
    let member = app.login_as("member3").await;
    let deed: jifen_shared::api::DeedView = app
        .get(&member, &format!("/api/v1/deeds/{deed_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deed.photo_ids.len(), 1);
    let bytes = app
        .get(&member, &format!("/api/v1/photos/{}", deed.photo_ids[0]))
        .await
        .bytes()
        .await
        .unwrap();
    let (kind, size) = jifen_server::services::photos::sniff(&bytes).unwrap();
    assert_eq!(kind, "image/jpeg");
    assert_eq!(size, Some((1600, 1200)), "long side cut to 1600 px");

    // A committee member on a tablet sees it in the queue, next to its details, and approves it.
    let mut tablet = sign_in(&app, &driver, "tablet-review", "committee1", TABLET).await;
    tablet.wait_for_path("/review").await.unwrap();
    tablet
        .wait_for_text("#review-queue", "清扫村口积雪")
        .await
        .unwrap();
    tablet
        .click(&format!("a[href=\"/review/{deed_id}\"]"))
        .await
        .unwrap();
    tablet.wait_for_text(".detail", "东关村村口").await.unwrap();
    tablet.find(".queue #review-queue").await.unwrap(); // both panes at tablet width
    tablet.screenshot("two-panes").await.unwrap();
    tablet.click("#approve").await.unwrap();
    tablet
        .wait_for_text(".detail .badge", "已通过")
        .await
        .unwrap();
    tablet.screenshot("approved").await.unwrap();

    // Back on the phone, the points have moved.
    phone.goto(&app.url("/points")).await.unwrap();
    phone.wait_for_text(".card-bonus", "1").await.unwrap();
    phone.wait_for_text(".cells", "清扫村口积雪").await.unwrap();
    phone.screenshot("points").await.unwrap();

    phone.close().await;
    tablet.close().await;
    let _ = std::fs::remove_file(picture);
}

#[tokio::test]
async fn a_returned_deed_is_revised_and_resubmitted_from_the_phone() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let member = app.login_as("member5").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    app.review(&committee, &deed.id, Review::Return("请写明清扫的路段"))
        .await;

    let mut phone = sign_in(&app, &driver, "phone-revise", "member5", PHONE).await;
    phone.goto(&app.url("/deeds")).await.unwrap();
    phone.wait_for_text("#my-deeds", "已退回").await.unwrap();
    phone.screenshot("list").await.unwrap();
    phone
        .click(&format!("a[href=\"/deeds/{}\"]", deed.id))
        .await
        .unwrap();
    phone
        .wait_for_text(".notice", "请写明清扫的路段")
        .await
        .unwrap();
    phone.screenshot("returned").await.unwrap();
    phone.click(".btn-primary").await.unwrap();
    phone
        .fill("#account", "清扫了村口到乡道约两百米的路段。")
        .await
        .unwrap();
    phone.click("form button[type=submit]").await.unwrap();
    phone.wait_for_text(".badge", "待审核").await.unwrap();
    phone.screenshot("resubmitted").await.unwrap();

    let page: DeedPage = app
        .get(&member, "/api/v1/deeds")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items[0].account, "清扫了村口到乡道约两百米的路段。");
    assert_eq!(
        page.items[0].status,
        jifen_shared::domain::DeedStatus::Submitted
    );

    // Done for the day: the member opens "Me" (a screen fetched on first use) and signs out.
    phone.click("a[href=\"/me\"]").await.unwrap();
    phone.wait_for_text(".cells", "东关村党支部").await.unwrap();
    phone.find("#large-text").await.unwrap();
    phone.screenshot("me").await.unwrap();
    phone.click(".btn-warn").await.unwrap();
    phone.wait_for_path("/login").await.unwrap();
    phone.close().await;
}

#[tokio::test]
async fn an_invalid_report_shows_what_to_fix_next_to_each_field() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let mut phone = sign_in(&app, &driver, "phone-invalid", "member6", PHONE).await;
    phone.wait_for_path("/report").await.unwrap();
    phone.find("#rule").await.unwrap();
    phone.click("button[type=submit]").await.unwrap();
    for field in ["rule_id", "title", "account", "place-name"] {
        phone.find(&format!("#err-{field}")).await.unwrap();
    }
    phone.wait_for_text("#err-title", "不能为空").await.unwrap();
    phone.screenshot("empty-form").await.unwrap();

    // The server's own checks show the same way: a time in the future.
    let rule_id = app.demo.rule("demo-1", SNOW).to_owned();
    phone.select("#rule", &rule_id).await.unwrap();
    phone.fill("#title", "扫雪").await.unwrap();
    phone.fill("#account", "清扫积雪").await.unwrap();
    phone.fill("#place", "村口").await.unwrap();
    let next_year = format!(
        "{}-01-01T08:00",
        chrono::Utc::now()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap()
            + 1
    );
    phone
        .execute(
            "const i = document.querySelector('#occurred'); i.value = arguments[0]; i.dispatchEvent(new Event('input', {bubbles: true}));",
            json!([next_year]),
        )
        .await
        .unwrap();
    phone.click("button[type=submit]").await.unwrap();
    phone
        .wait_for_text("#err-occurred_at", "不能晚于现在")
        .await
        .unwrap();
    phone.screenshot("future-time").await.unwrap();

    let member = app.login_as("member6").await;
    let page: DeedPage = app
        .get(&member, "/api/v1/deeds")
        .await
        .json()
        .await
        .unwrap();
    assert!(page.items.is_empty(), "nothing was stored");
    phone.close().await;
}

#[tokio::test]
async fn a_villager_reads_the_posted_board_on_a_phone_prints_it_and_leaves_feedback() {
    // Early January: the fourth quarter has ended, the committee has decided its reports, and the
    // secretary signs and posts it. The board is the server's own page: no web app needed.
    let app = TestApp::spawn_at("2027-01-05T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let mut form = app.deed_form(SNOW);
    form.occurred_at = "2026-12-20T09:00:00+08:00".parse().unwrap();
    let deed = app.submit(&member, &form).await;
    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    let branch = app.demo.branch("demo-1").to_owned();
    for action in ["sign", "publish"] {
        let res = app
            .post(
                &secretary,
                &format!("/api/v1/branches/{branch}/quarters/2026/4/{action}"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
    }

    // A villager scans the board's QR code on a small phone, without an account.
    let driver = Driver::start().await.expect("chromedriver");
    let mut phone = driver.browser("phone-board", 360, 740).await.unwrap();
    phone.goto(&app.url("/board/demo-1")).await.unwrap();
    phone
        .wait_for_text("h1", "2026年第4季度积分公示")
        .await
        .unwrap();
    phone.wait_for_text("#board", "刘凤霞").await.unwrap();
    phone
        .wait_for_text("#board-entries", "清扫村口积雪")
        .await
        .unwrap();
    let plain = phone
        .execute(
            "return document.scripts.length === 0 \
             && document.documentElement.scrollWidth <= window.innerWidth",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(
        plain,
        json!(true),
        "a page without a script that does not scroll sideways at 360 px"
    );
    phone.screenshot("board").await.unwrap();

    // Printed for the village wall: A4 portrait, starting with the quarter's table.
    let (first_page, pages) = phone.print_first_page("board-print").await.unwrap();
    assert!(pages >= 1, "the print has pages");
    let png = std::fs::read(&first_page).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "the first page as a picture");

    // Sending nothing is refused next to the field; then the villager writes about the member.
    // Each is a plain form post: the answer is a new page from the server.
    phone
        .click(".feedback-form button[type=submit]")
        .await
        .unwrap();
    phone.wait_for_text("#err-body", "不能为空").await.unwrap();
    phone.select("#about", &member.member_id).await.unwrap();
    phone
        .fill("#feedback-body", "刘凤霞那天确实在村口扫雪，我看见了。")
        .await
        .unwrap();
    phone
        .click(".feedback-form button[type=submit]")
        .await
        .unwrap();
    phone.wait_for_text(".received", "已收到").await.unwrap();
    phone.screenshot("feedback-sent").await.unwrap();

    // The committee reads it, about that member.
    let received: Vec<FeedbackView> = app
        .get(
            &committee,
            &format!("/api/v1/branches/{branch}/quarters/2026/4/feedback"),
        )
        .await
        .json::<jifen_shared::api::FeedbackPage>()
        .await
        .unwrap()
        .items;
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].about_member_id.as_deref(),
        Some(member.member_id.as_str())
    );
    assert!(received[0].body.contains("村口扫雪"));
    phone.close().await;
}

/// Steps the quarter page to `label` (e.g. `2026Q4`).
async fn show_quarter(b: &mut Browser, label: &str) {
    b.find("#quarter-label").await.unwrap();
    for _ in 0..8 {
        let shown = b.text("#quarter-label").await.unwrap();
        if shown == label {
            return;
        }
        let button = if shown.as_str() < label { 2 } else { 1 };
        b.click(&format!(".year-switch button:nth-of-type({button})"))
            .await
            .unwrap();
    }
    panic!("the quarter page never showed {label}");
}

#[tokio::test]
async fn the_secretary_posts_the_quarter_and_the_committee_deducts_on_feedback_from_a_tablet() {
    // Early January: the committee decided the fourth quarter's last report.
    let app = TestApp::spawn_with_web_app_at("2027-01-05T10:00:00+08:00").await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let mut form = app.deed_form(SNOW);
    form.occurred_at = "2026-12-20T09:00:00+08:00".parse().unwrap();
    let deed = app.submit(&member, &form).await;
    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK);
    let driver = Driver::start().await.expect("chromedriver");

    // The secretary signs and posts it from a tablet. (The browser's own clock is today's, so
    // the page first shows the quarter before today's; the secretary steps to 2026's fourth.)
    let mut tablet = sign_in(&app, &driver, "tablet-quarter", "secretary1", TABLET).await;
    tablet.goto(&app.url("/quarter")).await.unwrap();
    show_quarter(&mut tablet, "2026Q4").await;
    tablet
        .wait_for_text("#quarter-status", "审核中")
        .await
        .unwrap();
    tablet.click("#sign").await.unwrap();
    tablet
        .wait_for_text("#quarter-status", "已签字")
        .await
        .unwrap();
    tablet.click("#publish").await.unwrap();
    tablet
        .wait_for_text("#quarter-status", "已张榜公布")
        .await
        .unwrap();
    tablet.screenshot("posted").await.unwrap();
    tablet.close().await;

    // A villager writes about the member from the board.
    let feedback = FeedbackRequest {
        year: 2026,
        quarter: 4,
        about_member_id: Some(member.member_id.clone()),
        body: "刘凤霞十二月在村口乱倒建筑垃圾".into(),
        contact: None,
    };
    let res = app.give_feedback("demo-1", &feedback).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);

    // The committee finds it true and deducts, with the catalogue's deduction item.
    let mut tablet = sign_in(&app, &driver, "tablet-feedback", "committee1", TABLET).await;
    tablet.wait_for_path("/review").await.unwrap();
    tablet.click("#to-quarter").await.unwrap();
    show_quarter(&mut tablet, "2026Q4").await;
    tablet
        .wait_for_text("#feedback-list", "乱倒建筑垃圾")
        .await
        .unwrap();
    tablet.screenshot("feedback").await.unwrap();
    tablet.click(".feedback-item .accept").await.unwrap();
    tablet
        .wait_for_text(".feedback-item", "不能为空")
        .await
        .unwrap();
    tablet
        .wait_for_text(".feedback-item", "请选择扣分项目")
        .await
        .unwrap();
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    tablet
        .select(".feedback-item select", &village_rules)
        .await
        .unwrap();
    tablet
        .fill(".feedback-item textarea", "经村委会核实属实")
        .await
        .unwrap();
    let before = app.points(&member, &member.member_id, 2027).await;
    tablet.click(".feedback-item .accept").await.unwrap();
    // A deduction takes two people: it waits for a second committee member's signature.
    tablet
        .wait_for_text(".feedback-item .badge", "待另一位支委确认")
        .await
        .unwrap();
    tablet
        .screenshot("awaiting-second-signature")
        .await
        .unwrap();
    assert_eq!(app.points(&member, &member.member_id, 2027).await, before);
    tablet.close().await;

    // The secretary confirms it on the deductions screen; then it counts.
    let mut tablet = sign_in(&app, &driver, "tablet-confirm", "secretary1", TABLET).await;
    tablet.click("a[href=\"/me\"]").await.unwrap();
    tablet.click("#to-deductions").await.unwrap();
    tablet
        .wait_for_text("#deductions-waiting", "经村委会核实属实")
        .await
        .unwrap();
    tablet.click(".deduction-item .confirm").await.unwrap();
    tablet
        .wait_for_text("#deductions-waiting", "没有待确认的扣分")
        .await
        .unwrap();
    tablet.screenshot("deducted").await.unwrap();
    let points = app.points(&member, &member.member_id, 2027).await;
    assert!(points.deduction < before.deduction, "{points:?}");
    tablet.close().await;

    // The member reads it among their messages on the phone, and marks them read.
    let mut phone = sign_in(&app, &driver, "phone-inbox", "member3", PHONE).await;
    phone.click("a[href=\"/me\"]").await.unwrap();
    phone.wait_for_text("#to-inbox", "条未读").await.unwrap();
    phone.click("#to-inbox").await.unwrap();
    phone.wait_for_text("#inbox", "违反村规民约").await.unwrap();
    phone
        .wait_for_text("#inbox", "经村委会核实属实")
        .await
        .unwrap();
    phone.screenshot("inbox").await.unwrap();
    phone.click("#read-all").await.unwrap();
    let (browser_app, reader) = (&app, &member);
    phone
        .wait_until("every message read", || async move {
            let page: jifen_shared::api::NotificationPage = browser_app
                .get(reader, "/api/v1/me/notifications")
                .await
                .json()
                .await
                .unwrap();
            page.unread == 0
        })
        .await
        .unwrap();
    phone.close().await;
}

/// A member keeps working past the access token's few minutes: the app renews it with the
/// refresh cookie, which no script in the page can read, and the page runs under the content
/// security policy without a single refusal.
#[tokio::test]
async fn a_member_stays_signed_in_past_the_access_token_and_no_script_holds_the_refresh_token() {
    let app = TestApp::spawn_with_web_app_and_config(|c| c.access_token_ttl_secs = 2).await;
    let driver = Driver::start().await.expect("chromedriver");
    let mut phone = sign_in(&app, &driver, "phone-renewal", "member3", PHONE).await;
    phone.wait_for_path("/report").await.unwrap();

    let stored = phone
        .execute(
            "return JSON.stringify(Object.assign({}, localStorage, sessionStorage)) + document.cookie",
            json!([]),
        )
        .await
        .unwrap();
    let stored = stored.as_str().unwrap_or_default().to_owned();
    assert!(
        !stored.contains("refresh") && !stored.contains("jifen_refresh"),
        "the refresh token is out of the page's reach: {stored}"
    );

    // Past the access token's life the points still load: the app renewed it with the cookie.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    phone.goto(&app.url("/points")).await.unwrap();
    phone.find(".card-bonus").await.unwrap();
    assert_eq!(phone.current_path().await.unwrap(), "/points");
    phone.screenshot("renewed").await.unwrap();

    let console = phone.console().await;
    assert!(
        !console.contains("Content Security Policy"),
        "the page ran under its policy without refusals: {console}"
    );
    phone.close().await;
}

/// The secretary keeps the catalogue from a tablet: adds an item, edits it into its second
/// version, reads its versions and retires it; a member on a phone reads the catalogue without
/// the editor.
#[tokio::test]
async fn the_secretary_adds_an_item_edits_it_into_version_two_and_a_member_only_reads_it() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");

    let mut tablet = sign_in(&app, &driver, "tablet-catalogue", "secretary1", TABLET).await;
    tablet.click("a[href=\"/me\"]").await.unwrap();
    tablet.click("#to-catalogue").await.unwrap();
    tablet
        .wait_for_text("#catalogue-bonus", SNOW)
        .await
        .unwrap();
    tablet.screenshot("catalogue").await.unwrap();

    // A new bonus item.
    tablet.click("#add-rule").await.unwrap();
    tablet.select("#new-category", "bonus").await.unwrap();
    tablet.fill("#new-name", "帮助困难群众秋收").await.unwrap();
    tablet
        .fill("#new-description", "帮助缺少劳力的农户收秋，每次每人")
        .await
        .unwrap();
    tablet.fill("#new-standard_points", "3").await.unwrap();
    tablet.fill("#new-cap_per_quarter", "9").await.unwrap();
    tablet.screenshot("new-item").await.unwrap();
    tablet.click("#create-rule").await.unwrap();
    tablet
        .wait_for_text("#catalogue-bonus", "帮助困难群众秋收")
        .await
        .unwrap();
    let secretary = app.login_as("secretary1").await;
    let rules: Vec<jifen_shared::api::RuleView> = app
        .get(
            &secretary,
            &format!("/api/v1/branches/{}/rules", app.demo.branch("demo-1")),
        )
        .await
        .json()
        .await
        .unwrap();
    let added = rules
        .iter()
        .find(|r| r.name == "帮助困难群众秋收")
        .expect("the item was added");
    assert_eq!((added.version, added.standard_points), (1, 3));
    let item = format!("#rule-{}", added.id);
    tablet.wait_for_text(&item, "第 1 版").await.unwrap();

    // The edit says it makes version 2, and does.
    tablet.click(&format!("{item} .edit-rule")).await.unwrap();
    tablet
        .wait_for_text("#next-version", "第 2 版")
        .await
        .unwrap();
    tablet.fill("#edit-standard_points", "4").await.unwrap();
    tablet.screenshot("edit-item").await.unwrap();
    tablet.click("#save-rule").await.unwrap();
    tablet.wait_for_text(&item, "第 2 版").await.unwrap();
    tablet.wait_for_text(&item, "+4").await.unwrap();

    // Its versions, newest first.
    tablet
        .click(&format!("{item} .show-versions"))
        .await
        .unwrap();
    tablet
        .wait_for_text(&format!("{item} .versions"), "第 1 版")
        .await
        .unwrap();
    let versions = tablet.text(&format!("{item} .versions")).await.unwrap();
    let (v2, v1) = (
        versions.find("第 2 版").unwrap(),
        versions.find("第 1 版").unwrap(),
    );
    assert!(v2 < v1, "newest first: {versions}");
    tablet.screenshot("versions").await.unwrap();

    // Retired, it stays in the list, marked.
    tablet.click(&format!("{item} .toggle-rule")).await.unwrap();
    tablet.wait_for_text(&item, "已停用").await.unwrap();
    tablet.screenshot("retired").await.unwrap();
    tablet.close().await;

    // A member reads the catalogue on a phone, without the editor.
    let mut phone = sign_in(&app, &driver, "phone-catalogue", "member3", PHONE).await;
    phone.click("a[href=\"/me\"]").await.unwrap();
    phone.click("#to-catalogue").await.unwrap();
    phone.wait_for_text("#catalogue-bonus", SNOW).await.unwrap();
    let editor = phone
        .execute(
            "return document.querySelectorAll('#add-rule, .edit-rule, .toggle-rule').length",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(editor, json!(0), "a member sees no editor");
    phone.screenshot("catalogue").await.unwrap();
    phone.close().await;
}

#[tokio::test]
async fn a_member_appeals_a_rejection_on_the_phone_and_the_secretary_overturns_it_on_a_tablet() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let member = app.login_as("member6").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    app.review(&committee, &deed.id, Review::Reject("当天未安排扫雪"))
        .await;

    // The member disagrees and appeals from the deed's page on the phone.
    let mut phone = sign_in(&app, &driver, "phone-appeal", "member6", PHONE).await;
    phone
        .goto(&app.url(&format!("/deeds/{}", deed.id)))
        .await
        .unwrap();
    phone
        .wait_for_text(".notice", "当天未安排扫雪")
        .await
        .unwrap();
    phone.click(".appeal-open").await.unwrap();
    phone
        .fill(
            &format!("#appeal-reason-{}", deed.id),
            "当天村委会临时通知扫雪，同组三人可以作证",
        )
        .await
        .unwrap();
    phone.screenshot("appeal-form").await.unwrap();
    phone.click(".appeal-send").await.unwrap();
    phone
        .wait_for_text(".appeal-state", "申述待裁决")
        .await
        .unwrap();
    phone.wait_for_text(".timeline", "提出申述").await.unwrap();
    phone.screenshot("appeal-waiting").await.unwrap();

    // The secretary (not who rejected it) opens the appeals from the review screen on a tablet.
    let mut tablet = sign_in(&app, &driver, "tablet-appeal", "secretary1", TABLET).await;
    tablet.wait_for_path("/review").await.unwrap();
    tablet.click("#to-appeals").await.unwrap();
    tablet
        .wait_for_text("#appeals-waiting", "同组三人可以作证")
        .await
        .unwrap();
    tablet
        .fill("#appeals-waiting textarea", "经核实当天确有临时通知")
        .await
        .unwrap();
    tablet.screenshot("appeal-to-decide").await.unwrap();
    tablet.click("#appeals-waiting .overturn").await.unwrap();
    tablet
        .wait_for_text("#appeals-decided", "已撤销原决定")
        .await
        .unwrap();
    tablet.screenshot("appeal-overturned").await.unwrap();

    // Back on the phone: the deed waits for review again, and the appeal says why.
    phone
        .goto(&app.url(&format!("/deeds/{}", deed.id)))
        .await
        .unwrap();
    phone
        .wait_for_text(".appeal-state", "经核实当天确有临时通知")
        .await
        .unwrap();
    phone.wait_for_text(".badge", "待审核").await.unwrap();
    phone.screenshot("deed-reopened").await.unwrap();
    let seen: jifen_shared::api::DeedView = app
        .get(&member, &format!("/api/v1/deeds/{}", deed.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.status, jifen_shared::domain::DeedStatus::Submitted);
    phone.close().await;
    tablet.close().await;
}

#[tokio::test]
async fn a_committee_member_proposes_a_deduction_on_a_tablet_and_the_secretary_confirms_it() {
    let app = TestApp::spawn_with_web_app().await;
    let member = app.login_as("member3").await;
    let year = jifen_shared::domain::CycleQuarter::of(chrono::Utc::now()).year;
    let before = app.points(&member, &member.member_id, year).await;
    let driver = Driver::start().await.expect("chromedriver");

    // committee1 proposes: the form says what is missing, then takes the member, item and reason.
    let mut tablet = sign_in(&app, &driver, "tablet-propose", "committee1", TABLET).await;
    tablet.goto(&app.url("/me")).await.unwrap();
    tablet.click("#to-deductions").await.unwrap();
    tablet.find("#deduction-form").await.unwrap();
    tablet.click("#propose-deduction").await.unwrap();
    tablet
        .wait_for_text("#deduction-form", "请选择扣分项目")
        .await
        .unwrap();
    tablet
        .select("#deduction-member", &member.member_id)
        .await
        .unwrap();
    let village_rules = app.demo.rule("demo-1", VILLAGE_RULES).to_owned();
    tablet
        .select("#deduction-rule", &village_rules)
        .await
        .unwrap();
    tablet
        .fill(
            "#deduction-reason",
            "在村道上堆放建筑垃圾，经两次提醒仍未清理",
        )
        .await
        .unwrap();
    tablet.screenshot("deduction-proposed-form").await.unwrap();
    tablet.click("#propose-deduction").await.unwrap();
    tablet
        .wait_for_text("#deductions-waiting", "经两次提醒仍未清理")
        .await
        .unwrap();
    // The proposer cannot be the second signature: no confirm button for them.
    tablet
        .wait_for_text(".deduction-item", "你提议的扣分须由另一位支委确认")
        .await
        .unwrap();
    let confirm_buttons = tablet
        .execute(
            "return document.querySelectorAll('.deduction-item .confirm').length",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(confirm_buttons, json!(0));
    tablet.screenshot("deduction-waiting").await.unwrap();
    assert_eq!(app.points(&member, &member.member_id, year).await, before);
    tablet.close().await;

    // The secretary confirms it on another tablet: the points come off, once.
    let mut tablet = sign_in(&app, &driver, "tablet-second", "secretary1", TABLET).await;
    tablet.goto(&app.url("/deductions")).await.unwrap();
    tablet
        .wait_for_text("#deductions-waiting", "经两次提醒仍未清理")
        .await
        .unwrap();
    tablet.screenshot("deduction-to-confirm").await.unwrap();
    tablet.click(".deduction-item .confirm").await.unwrap();
    tablet
        .wait_for_text("#deductions-waiting", "没有待确认的扣分")
        .await
        .unwrap();
    tablet.screenshot("deduction-confirmed").await.unwrap();
    let after = app.points(&member, &member.member_id, year).await;
    assert!(after.deduction < before.deduction, "{after:?}");
    assert_eq!(after.entries.len(), before.entries.len() + 1);
    tablet.close().await;
}

/// Polls `script` (a function body returning a boolean) in the page until it is true.
async fn until_page(b: &Browser, what: &str, script: &str) {
    for _ in 0..200 {
        if b.execute(script, json!([])).await.ok() == Some(json!(true)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}: {}", b.console().await);
}

/// The service worker has the app and answers for this page.
async fn until_kept_for_offline(b: &Browser) {
    until_page(
        b,
        "the service worker to control the page",
        "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
    )
    .await;
}

#[tokio::test]
async fn a_report_written_offline_with_a_photo_survives_a_reload_and_arrives_once() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let mut phone = sign_in(&app, &driver, "phone-offline-report", "member5", PHONE).await;
    phone.wait_for_path("/report").await.unwrap();
    // A second visit: the app is kept on the phone by now.
    phone.goto(&app.url("/report")).await.unwrap();
    until_kept_for_offline(&phone).await;

    // In the fields, out of signal.
    phone.set_offline(true).await.unwrap();
    let rule_id = app.demo.rule("demo-1", SNOW).to_owned();
    phone.select("#rule", &rule_id).await.unwrap();
    phone.fill("#title", "田间地头帮扶老人").await.unwrap();
    phone
        .fill("#account", "下午帮村西头的老人把玉米收进仓房。")
        .await
        .unwrap();
    phone.fill("#place", "村西头").await.unwrap();
    let picture = std::env::temp_dir().join(format!(
        "jifen-offline-{}.png",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&picture, jifen_tests::png::gradient(800, 600)).unwrap();
    phone.attach("#photo-input", &picture).await.unwrap();
    phone.wait_for_text(".photos", "随申报发送").await.unwrap();
    phone.click("button[type=submit]").await.unwrap();
    phone.wait_for_path("/outbox").await.unwrap();
    phone.wait_for_text("#outbox", "等待发送").await.unwrap();
    phone.screenshot("queued-offline").await.unwrap();

    // The phone reloads the page with no network: the report is still there.
    phone.goto(&app.url("/outbox")).await.unwrap();
    phone
        .wait_for_text("#outbox", "田间地头帮扶老人")
        .await
        .unwrap();
    phone.wait_for_text("#outbox", "等待发送").await.unwrap();
    let member = app.login_as("member5").await;
    let seen: DeedPage = app
        .get(&member, "/api/v1/deeds?scope=mine&limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !seen.items.iter().any(|d| d.title == "田间地头帮扶老人"),
        "nothing reached the server while offline"
    );

    // Signal again: the report goes out by itself, with its photo, once.
    phone.set_offline(false).await.unwrap();
    phone.wait_for_text("#outbox", "已发送").await.unwrap();
    phone.screenshot("sent").await.unwrap();
    phone.goto(&app.url("/outbox")).await.unwrap(); // a later start sends nothing again
    phone.wait_for_text("#outbox", "已发送").await.unwrap();
    let mine: DeedPage = app
        .get(&member, "/api/v1/deeds?scope=mine&limit=100")
        .await
        .json()
        .await
        .unwrap();
    let sent: Vec<_> = mine
        .items
        .iter()
        .filter(|d| d.title == "田间地头帮扶老人")
        .collect();
    assert_eq!(sent.len(), 1, "exactly one deed on the server");
    assert_eq!(sent[0].photo_ids.len(), 1, "with its photo");

    phone.close().await;
    let _ = std::fs::remove_file(picture);
}

#[tokio::test]
async fn the_app_opens_with_no_network_after_one_visit() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let mut phone = sign_in(&app, &driver, "phone-offline-open", "member6", PHONE).await;
    phone.wait_for_path("/report").await.unwrap();
    phone.goto(&app.url("/report")).await.unwrap();
    phone.find("#title").await.unwrap();
    until_kept_for_offline(&phone).await;

    // The server is gone: nothing answers at its address.
    app.go_dark().await;
    phone.goto(&app.url("/report")).await.unwrap();
    phone.find(".tabbar").await.unwrap();
    phone.find("#title").await.unwrap();
    phone.fill("#title", "没有网络也能写").await.unwrap();
    phone.screenshot("opened-offline").await.unwrap();

    // What was typed is still there after the page is opened again.
    phone.goto(&app.url("/report")).await.unwrap();
    until_page(
        &phone,
        "the draft to come back",
        "return document.querySelector('#title') && document.querySelector('#title').value === '没有网络也能写';",
    )
    .await;
    phone.close().await;
}

/// 为党员登记: a committee member registers a deed for an elderly member without a phone from the
/// report screen of a tablet; the queue shows who registered it, and the deed is the member's.
#[tokio::test]
async fn a_committee_member_registers_a_deed_for_a_member_without_a_phone() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let elder = app.demo.member("member5").to_owned();
    let registrar = app.demo.member("committee1").to_owned();

    let mut tablet = sign_in(&app, &driver, "tablet-register", "committee1", TABLET).await;
    tablet.goto(&app.url("/report")).await.unwrap();
    tablet.select("#register-for", &elder).await.unwrap();
    tablet
        .wait_for_text("#register-hint", "支委会其他成员审核")
        .await
        .unwrap();
    let rule_id = app.demo.rule("demo-1", SNOW).to_owned();
    tablet.select("#rule", &rule_id).await.unwrap();
    tablet
        .fill("#title", "代老党员登记：清扫村口积雪")
        .await
        .unwrap();
    tablet
        .fill(
            "#account",
            "老党员一早和邻居一起清扫了村口的积雪，由支委登门核实后登记。",
        )
        .await
        .unwrap();
    tablet.fill("#place", "东关村村口").await.unwrap();
    tablet.screenshot("register-filled").await.unwrap();
    tablet.click("button[type=submit]").await.unwrap();
    tablet.find("#registered-for").await.unwrap();

    // Found on the server once, as the member's deed registered by committee1.
    let secretary = app.login_as("secretary1").await;
    let page: DeedPage = app
        .get(
            &secretary,
            &format!("/api/v1/deeds?scope=review&member_id={elder}"),
        )
        .await
        .json()
        .await
        .unwrap();
    let registered: Vec<_> = page
        .items
        .iter()
        .filter(|d| d.title == "代老党员登记：清扫村口积雪")
        .collect();
    assert_eq!(registered.len(), 1, "one deed for the member");
    let deed = registered[0];
    assert_eq!(deed.registered_by.as_deref(), Some(registrar.as_str()));
    let member_name = deed.member_name.clone();
    let registrar_name = deed.registered_by_name.clone().expect("registrar's name");

    tablet
        .wait_for_text("#registered-for", &member_name)
        .await
        .unwrap();
    tablet.screenshot("registered").await.unwrap();

    // The queue says who registered it.
    tablet.goto(&app.url("/review")).await.unwrap();
    tablet
        .wait_for_text("#review-queue", &format!("由 {registrar_name} 登记"))
        .await
        .unwrap();
    tablet.screenshot("queue-registered-by").await.unwrap();
    tablet.close().await;
}

/// The secretary's live check-in screen on a tablet at the meeting (签到大屏): the rotating code
/// and its QR, who is still missing; a member on a phone types the code shown there and checks
/// in; the screen shows them checked in at its next refresh.
#[tokio::test]
async fn a_member_checks_in_with_the_code_on_the_secretarys_live_screen() {
    use jifen_shared::api::{MeResponse, MeetingView, NewMeetingRequest};
    use jifen_shared::domain::MeetingKind;

    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let secretary = app.login_as("secretary1").await;
    let member = app.login_as("member1").await;
    let me: MeResponse = app.get(&member, "/api/v1/me").await.json().await.unwrap();

    // A branch assembly that began ten minutes ago (the browser keeps the real clock).
    let now = chrono::Utc::now();
    let form = NewMeetingRequest {
        kind: MeetingKind::BranchAssembly,
        title: "支部党员大会：学习村规民约".into(),
        starts_at: now - chrono::Duration::minutes(10),
        ends_at: now + chrono::Duration::hours(1),
        place: "东关村党群服务中心".into(),
        online_url: None,
        remote_allowed: false,
        attendance_rule_id: Some(
            app.demo
                .rule("demo-1", jifen_server::seed::MEETING)
                .to_owned(),
        ),
        absence_rule_id: None,
    };
    let path = format!("/api/v1/branches/{}/meetings", app.demo.branch("demo-1"));
    let res = app.post(&secretary, &path, &form).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the meeting is scheduled"
    );
    let meeting: MeetingView = res.json().await.unwrap();

    // The secretary opens the live screen on the tablet (signed in without a screenshot of the
    // login page, so the screen's shots come first).
    let mut tablet = driver
        .browser("tablet-meeting", TABLET.0, TABLET.1)
        .await
        .expect("browser starts");
    tablet.goto(&app.url("/login")).await.unwrap();
    tablet.fill("#username", "secretary1").await.unwrap();
    tablet
        .fill("#password", jifen_tests::PASSWORD)
        .await
        .unwrap();
    tablet.click("button[type=submit]").await.unwrap();
    tablet.find(".tabbar").await.unwrap();
    tablet
        .goto(&app.url(&format!("/meetings/{}/live", meeting.id)))
        .await
        .unwrap();
    tablet.find("#checkin-qr svg").await.unwrap();
    tablet
        .wait_for_text("#live-missing", &me.name)
        .await
        .unwrap();
    let code = tablet.text("#checkin-code").await.unwrap();
    assert_eq!(code.trim().len(), 6, "a short code to type: {code:?}");
    tablet.screenshot("live").await.unwrap();

    // The member, on a phone, finds the meeting under 我的 → 会议 and types the code.
    let mut phone = sign_in(&app, &driver, "phone-meeting", "member1", PHONE).await;
    phone.click("a[href=\"/me\"]").await.unwrap();
    phone.click("#to-meetings").await.unwrap();
    let card = format!("#meeting-{}", meeting.id);
    phone
        .wait_for_text(&card, "支部党员大会：学习村规民约")
        .await
        .unwrap();
    phone.find(&format!("{card} .scan")).await.unwrap(); // the camera is offered first
    phone
        .fill(&format!("#code-{}", meeting.id), code.trim())
        .await
        .unwrap();
    phone
        .click(&format!("{card} .checkin-submit"))
        .await
        .unwrap();
    phone
        .wait_for_text(&format!("{card} .my-part"), "现场签到")
        .await
        .unwrap();
    phone.screenshot("checked-in").await.unwrap();

    // The live screen shows them checked in, without anyone touching it.
    tablet
        .wait_for_text("#live-present", &me.name)
        .await
        .unwrap();
    tablet
        .wait_for_text("#meeting-rate", "现场 1")
        .await
        .unwrap();
    tablet.screenshot("checked-in").await.unwrap();

    // Under 会议 the committee also finds the year's attendance rates (none closed yet here).
    tablet.goto(&app.url("/meetings")).await.unwrap();
    tablet
        .wait_for_text("#attendance-rates", "本年出勤率")
        .await
        .unwrap();
    tablet.screenshot("meetings").await.unwrap();

    phone.close().await;
    tablet.close().await;
}

/// 证明此事: a committee member of the Beijing migrant members' organisation finds, from 我的, the
/// deed of a member attached to it and co-signs it on a phone; the home branch sees the
/// co-signature.
#[tokio::test]
async fn the_migrant_committee_attests_a_deed_of_its_member_from_a_phone() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let member13 = app.login_as("member13").await;
    let deed = app
        .submit(
            &member13,
            &jifen_shared::api::SubmitDeedRequest {
                title: "参加驻京流动党员主题党日".into(),
                ..app.deed_form(SNOW)
            },
        )
        .await;
    // committee2 also sits on the committee of the Beijing organisation member13 is attached to.
    jifen_server::services::orgs::grant_role(
        app.state.db.conn(),
        app.demo.member("committee2"),
        &app.demo.migrant_org_id,
        jifen_shared::domain::Role::Committee,
        None,
        app.state.now(),
    )
    .await
    .expect("grant committee");

    let mut phone = sign_in(&app, &driver, "phone-attest", "committee2", PHONE).await;
    phone.goto(&app.url("/me")).await.unwrap();
    phone.click("#to-attest").await.unwrap();
    phone.wait_for_path("/attest").await.unwrap();
    let item = format!(".attest-item[data-deed=\"{}\"]", deed.id);
    phone
        .wait_for_text(&item, "参加驻京流动党员主题党日")
        .await
        .unwrap();
    phone.screenshot("queue").await.unwrap();
    phone
        .fill(&format!("{item} textarea"), "本支部书记在现场，情况属实")
        .await
        .unwrap();
    phone.click(&format!("{item} .attest")).await.unwrap();
    phone.wait_for_text(&item, "已证明").await.unwrap();
    phone.screenshot("attested").await.unwrap();

    let home = app.login_as("committee1").await;
    let seen: jifen_shared::api::DeedView = app
        .get(&home, &format!("/api/v1/deeds/{}", deed.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.attestations.len(), 1, "one co-signature");
    assert_eq!(seen.attestations[0].comment, "本支部书记在现场，情况属实");
    phone.close().await;
}

/// Out of signal, the member's deeds and points show as last seen, and say from when.
#[tokio::test]
async fn with_no_network_my_deeds_and_points_show_the_last_data_seen() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let member = app.login_as("member3").await;
    app.submit(&member, &app.deed_form(SNOW)).await;

    let mut phone = sign_in(&app, &driver, "phone-last-seen", "member3", PHONE).await;
    phone.click("a[href=\"/deeds\"]").await.unwrap();
    phone
        .wait_for_text("#my-deeds", "清扫村口积雪")
        .await
        .unwrap();
    phone.click("a[href=\"/points\"]").await.unwrap();
    phone.find(".cards").await.unwrap();

    phone.set_offline(true).await.unwrap();
    phone.click("a[href=\"/deeds\"]").await.unwrap();
    phone
        .wait_for_text("#last-seen", "离线，显示的是")
        .await
        .unwrap();
    phone
        .wait_for_text("#my-deeds", "清扫村口积雪")
        .await
        .unwrap();
    phone.screenshot("deeds-offline").await.unwrap();
    phone.click("a[href=\"/points\"]").await.unwrap();
    phone
        .wait_for_text("#last-seen", "离线，显示的是")
        .await
        .unwrap();
    phone.find(".cards").await.unwrap();
    phone.screenshot("points-offline").await.unwrap();
    phone.set_offline(false).await.unwrap();
    phone.close().await;
}
