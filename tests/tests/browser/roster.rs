//! 导入名册 on the secretary's tablet: a roster file with a mistake is previewed with the problem
//! row marked, a corrected file is chosen, the import is committed and the invite slips are
//! printed for the village meeting.

use super::*;

/// Writes `lines` as a CSV file the way Excel saves one (BOM, CRLF) and answers its path.
fn roster_file(dir: &std::path::Path, lines: &[&str]) -> std::path::PathBuf {
    let mut text = "\u{feff}".to_owned();
    for l in lines {
        text.push_str(l);
        text.push_str("\r\n");
    }
    let path = dir.join("西营村名册.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn the_secretary_imports_a_roster_on_a_tablet_fixes_a_row_and_prints_the_slips() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let dir = std::env::temp_dir().join(format!("jifen-roster-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();

    // 西营村's secretary opens the roster from 我的.
    let mut tablet = sign_in(&app, &driver, "tablet-roster", "secretary2", TABLET).await;
    tablet.goto(&app.url("/me")).await.unwrap();
    tablet.click("#to-roster").await.unwrap();
    tablet.wait_for_path("/roster").await.unwrap();
    tablet
        .wait_for_text("#roster-list", "member16")
        .await
        .unwrap();
    tablet.screenshot("roster").await.unwrap();
    tablet.click("#to-roster-import").await.unwrap();
    tablet.wait_for_path("/roster/import").await.unwrap();
    tablet.find("#roster-file").await.unwrap();
    tablet.screenshot("import").await.unwrap();

    // The first file has a phone number one digit short on row 3.
    let file = roster_file(
        &dir,
        &[
            "姓名,手机号,状态,用户名",
            "何秀英,13800000201,正式,",
            "吕建军,1380000020,流动,",
        ],
    );
    tablet.attach("#roster-file", &file).await.unwrap();
    tablet
        .wait_for_text("#roster-preview", "何秀英")
        .await
        .unwrap();
    tablet
        .wait_for_text("tr.preview-problem[data-row=\"3\"]", "手机号")
        .await
        .unwrap();
    tablet.find("#roster-fix").await.unwrap();
    let can_commit = tablet
        .execute(
            "return !!document.querySelector('#roster-commit')",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(
        can_commit,
        json!(false),
        "a file with problems cannot be imported"
    );
    tablet.screenshot("preview-with-problem").await.unwrap();

    // Corrected in the spreadsheet and chosen again.
    let file = roster_file(
        &dir,
        &[
            "姓名,手机号,状态,用户名",
            "何秀英,13800000201,正式,",
            "吕建军,13800000202,流动,",
        ],
    );
    tablet.attach("#roster-file", &file).await.unwrap();
    tablet.find("#roster-commit").await.unwrap();
    let problems = tablet
        .execute(
            "return document.querySelectorAll('tr.preview-problem').length",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(problems, json!(0));
    tablet.screenshot("preview-clean").await.unwrap();

    tablet.click("#roster-commit").await.unwrap();
    tablet
        .wait_for_text("#roster-committed", "2")
        .await
        .unwrap();
    tablet
        .wait_for_text("#roster-slips", "吕建军")
        .await
        .unwrap();
    tablet
        .wait_for_text("#roster-slips", "demo-2-002")
        .await
        .unwrap();
    tablet.screenshot("slips").await.unwrap();

    // The codes on the slips are the members' real ones: each binds its member, once.
    let codes = tablet
        .execute(
            "return [...document.querySelectorAll('.slip-code')].map(e => e.textContent)",
            json!([]),
        )
        .await
        .unwrap();
    let codes: Vec<String> = serde_json::from_value(codes).unwrap();
    assert_eq!(codes.len(), 2);
    let secretary = app.login_as("secretary2").await;
    let roster: jifen_shared::api::RosterPage = app
        .get(
            &secretary,
            &format!(
                "/api/v1/orgs/{}/members?q=demo-2-00",
                app.demo.branch("demo-2")
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(roster.items.len(), 2, "two new members in the roster");

    // Printed on A4 as the sheet of slips alone.
    tablet
        .execute(
            "document.body.setAttribute('data-printing', 'roster-slips')",
            json!([]),
        )
        .await
        .unwrap();
    let (_, pages) = tablet.print_first_page("slips-print").await.unwrap();
    assert_eq!(pages, 1, "two slips fit one page");
    tablet.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
