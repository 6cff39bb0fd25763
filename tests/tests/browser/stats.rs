//! 统计 on a town's tablet: the town's branches side by side, sorted, then one branch down to its
//! members and one member, and back up; and a branch's secretary on a phone.

use super::*;

/// Reports a snow clearing for each of `members` of branch `code` and has `reviewer` approve it;
/// answers the deeds.
async fn approved_deeds(
    app: &TestApp,
    code: &str,
    members: &[&str],
    reviewer: &str,
) -> Vec<jifen_shared::api::DeedView> {
    let reviewer = app.login_as(reviewer).await;
    let mut deeds = Vec::new();
    for username in members {
        let member = app.login_as(username).await;
        let deed = app.submit(&member, &app.deed_form_in(code, SNOW)).await;
        let res = app.review(&reviewer, &deed.id, Review::APPROVE).await;
        assert_eq!(res.status(), StatusCode::OK, "{username}'s deed approved");
        deeds.push(deed);
    }
    deeds
}

/// The `data-id` of each row of the rates chart, top to bottom.
async fn bar_order(b: &Browser) -> Vec<String> {
    let ids = b
        .execute(
            "return [...document.querySelectorAll('#chart-rates g.bar-row')].map(g => g.dataset.id)",
            json!([]),
        )
        .await
        .unwrap();
    serde_json::from_value(ids).unwrap()
}

#[tokio::test]
async fn a_town_admin_compares_the_branches_on_a_tablet_and_drills_down_to_a_member() {
    let app = TestApp::spawn_with_web_app().await;
    // This quarter: two of 东关村's 18 members (15 members, committee, secretary and the town's
    // administrator, whose home branch it is) have a deed approved and a third waits; four of
    // 西营村's 15 have one approved. Participation: 2/18 = 11%, 4/15 = 27%, the town 6/33 = 18%.
    approved_deeds(&app, "demo-1", &["member1", "member2"], "committee1").await;
    let waiting = app.login_as("member3").await;
    app.submit(&waiting, &app.deed_form(SNOW)).await;
    approved_deeds(
        &app,
        "demo-2",
        &["member16", "member17", "member18", "member19"],
        "committee2",
    )
    .await;
    let (east, west) = (
        app.demo.branch("demo-1").to_owned(),
        app.demo.branch("demo-2").to_owned(),
    );

    // The town's administrator opens 统计 from 我的 on a tablet: the town, both branches.
    let driver = Driver::start().await.expect("chromedriver");
    let mut tablet = sign_in(&app, &driver, "tablet-stats", "admin1", TABLET).await;
    tablet.click("a[href=\"/me\"]").await.unwrap();
    tablet.click("#to-stats").await.unwrap();
    tablet.wait_for_path("/stats").await.unwrap();
    tablet
        .wait_for_text("#stats-unit-name", "城关镇党委")
        .await
        .unwrap();
    tablet
        .wait_for_text("#fig-participation", "18%")
        .await
        .unwrap();
    tablet
        .wait_for_text("#fig-members .card-value", "33")
        .await
        .unwrap();
    tablet
        .wait_for_text("#fig-points .card-value", "6")
        .await
        .unwrap();
    tablet
        .wait_for_text(
            &format!("#stats-units tr[data-id=\"{east}\"] .participation"),
            "11%",
        )
        .await
        .unwrap();
    tablet
        .wait_for_text(
            &format!("#stats-units tr[data-id=\"{west}\"] .participation"),
            "27%",
        )
        .await
        .unwrap();
    let columns = tablet
        .execute(
            "const charts = [...document.querySelectorAll('.stats-grid > .chart')]; \
             return new Set(charts.map(c => Math.round(c.getBoundingClientRect().left))).size",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(
        columns,
        json!(2),
        "the charts sit in two columns on a tablet"
    );
    assert_eq!(
        bar_order(&tablet).await,
        [east.clone(), west.clone()],
        "by name"
    );
    tablet.screenshot("town").await.unwrap();

    // Sorted by participation, 西营村 comes first.
    tablet
        .click("#chart-rates button[data-sort=\"0\"]")
        .await
        .unwrap();
    tablet
        .find(&format!(
            "#chart-rates svg > g:first-of-type[data-id=\"{west}\"]"
        ))
        .await
        .unwrap();
    assert_eq!(bar_order(&tablet).await, [west.clone(), east.clone()]);
    tablet.screenshot("sorted").await.unwrap();

    // Printed for the county: the figures and charts on A4, without the app's navigation.
    let (first_page, pages) = tablet.print_first_page("town-print").await.unwrap();
    assert!(
        (1..=3).contains(&pages),
        "the town on a few pages of A4, not {pages}"
    );
    let printed = std::process::Command::new("pdftotext")
        .arg(first_page.with_extension("pdf"))
        .arg("-")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&printed.stdout);
    assert!(printed.contains("城关镇党委"), "{printed}");
    assert!(printed.contains("18%"), "{printed}");
    assert!(
        !printed.contains("下载 CSV"),
        "no buttons on paper: {printed}"
    );

    // A tap on 东关村's bars: its members, the approved ones with their point.
    tablet
        .click(&format!("#chart-rates g.bar-row[data-id=\"{east}\"]"))
        .await
        .unwrap();
    tablet
        .wait_for_text("#stats-unit-name", "东关村党支部")
        .await
        .unwrap();
    tablet
        .wait_for_text("#fig-participation", "11%")
        .await
        .unwrap();
    tablet
        .wait_for_text("#fig-deeds .card-value", "3")
        .await
        .unwrap();
    tablet.wait_for_text(".crumbs", "城关镇党委").await.unwrap();
    let member1 = app.demo.member("member1").to_owned();
    let member2 = app.demo.member("member2").to_owned();
    tablet
        .wait_for_text(
            &format!("#stats-members tr[data-id=\"{member1}\"] .member-total"),
            "1",
        )
        .await
        .unwrap();
    let rows = tablet
        .execute(
            "return document.querySelectorAll('#stats-members tbody tr').length",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(rows, json!(18), "every member of 东关村");
    tablet.screenshot("branch").await.unwrap();

    // Sorted by points, the two with a point lead the table.
    tablet
        .click("#stats-members button[data-sort=\"total\"]")
        .await
        .unwrap();
    let first_two = tablet
        .execute(
            "return [...document.querySelectorAll('#stats-members tbody tr')].slice(0, 2).map(r => r.dataset.id).sort()",
            json!([]),
        )
        .await
        .unwrap();
    let mut expected = vec![member1.clone(), member2];
    expected.sort();
    assert_eq!(first_two, json!(expected));
    tablet.screenshot("members-by-points").await.unwrap();

    // One member's figures, then back up to the town by the trail.
    tablet
        .click(&format!("#stats-members tr[data-id=\"{member1}\"] a"))
        .await
        .unwrap();
    tablet
        .wait_for_text("#member-total .card-value", "1")
        .await
        .unwrap();
    tablet
        .wait_for_text("#member-approved .card-value", "1")
        .await
        .unwrap();
    tablet.screenshot("member").await.unwrap();
    tablet.click(".crumbs li:first-child a").await.unwrap();
    tablet
        .wait_for_text("#stats-unit-name", "城关镇党委")
        .await
        .unwrap();
    tablet.find("#chart-rates").await.unwrap();
    tablet.close().await;
}

#[tokio::test]
async fn a_branch_secretary_reads_the_branch_on_a_phone() {
    let app = TestApp::spawn_with_web_app().await;
    // Four of 西营村's 15 members have a deed approved this quarter: 27%.
    approved_deeds(
        &app,
        "demo-2",
        &["member16", "member17", "member18", "member19"],
        "committee2",
    )
    .await;

    // The secretary opens 统计 on a phone: it opens on the branch, one column that never scrolls
    // sideways (the members' table scrolls inside itself).
    let driver = Driver::start().await.expect("chromedriver");
    let mut phone = sign_in(&app, &driver, "phone-stats", "secretary2", PHONE).await;
    phone.goto(&app.url("/stats")).await.unwrap();
    phone
        .wait_for_text("#stats-unit-name", "西营村党支部")
        .await
        .unwrap();
    phone
        .wait_for_text("#fig-participation", "27%")
        .await
        .unwrap();
    phone.find("#stats-members").await.unwrap();
    let fits = phone
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "nothing wider than the phone");
    phone.screenshot("branch").await.unwrap();
    phone
        .execute(
            "document.querySelector('#chart-points').scrollIntoView()",
            json!([]),
        )
        .await
        .unwrap();
    phone.screenshot("charts").await.unwrap();
    phone
        .execute(
            "document.querySelector('#stats-members').scrollIntoView()",
            json!([]),
        )
        .await
        .unwrap();
    phone.screenshot("members").await.unwrap();
    phone.close().await;
}
