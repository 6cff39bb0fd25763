//! 星级评定: the town's officer on a tablet sees each branch's stars, opens one to see why, and
//! adjusts its stars with a reason; the branch's committee member sees the same on a phone.

use super::*;

#[tokio::test]
async fn a_town_officer_sees_why_a_branch_has_its_stars_and_adjusts_them_with_a_reason() {
    let app = TestApp::spawn_with_web_app().await;
    let driver = Driver::start().await.expect("chromedriver");
    let west = app.demo.branch("demo-2").to_owned();

    let mut tablet = sign_in(&app, &driver, "ratings-tablet", "admin1", TABLET).await;
    tablet.goto(&app.url("/me")).await.unwrap();
    tablet.click("#to-ratings").await.unwrap();
    tablet.wait_for_path("/ratings").await.unwrap();
    tablet.find("#rating-rules-from").await.unwrap();
    tablet
        .wait_for_text("#rating-rules-from", "默认规则")
        .await
        .unwrap();
    tablet
        .find(&format!(".rating-branch[data-branch='{west}']"))
        .await
        .unwrap();
    tablet.screenshot("branches").await.unwrap();

    // 西营村 has held no meeting: its attendance star is not met, and the line says why.
    tablet
        .click(&format!(".rating-branch[data-branch='{west}']"))
        .await
        .unwrap();
    tablet
        .wait_for_text(
            ".rating-detail [data-indicator='attendance']",
            "暂无可统计的数据",
        )
        .await
        .unwrap();
    let mark = tablet
        .text(".rating-detail [data-indicator='attendance'] .rating-mark")
        .await
        .unwrap();
    assert_eq!(mark, "✗");
    tablet.screenshot("why").await.unwrap();

    // The adjustment needs a reason; with one, the stars that count change.
    tablet.click(".rating-detail .adjust-rating").await.unwrap();
    tablet
        .select(".rating-adjust select[name=stars]", "4")
        .await
        .unwrap();
    tablet
        .click(".rating-adjust button[type=submit]")
        .await
        .unwrap();
    tablet.find("#err-reason").await.unwrap();
    tablet
        .fill(
            ".rating-adjust textarea[name=reason]",
            "组织党员抗旱保苗，镇党委研究加评",
        )
        .await
        .unwrap();
    tablet
        .click(".rating-adjust button[type=submit]")
        .await
        .unwrap();
    tablet
        .wait_for_text(".rating-adjusted", "组织党员抗旱保苗")
        .await
        .unwrap();
    let stars = tablet
        .execute(
            "return document.querySelector(arguments[0]).dataset.stars",
            json!([format!(
                ".rating-branch[data-branch='{west}'] .rating-stars"
            )]),
        )
        .await
        .unwrap();
    assert_eq!(stars, json!("4"));
    tablet.screenshot("adjusted").await.unwrap();

    // The branch's committee member sees the branch's stars, the adjustment and why, on a phone.
    let mut phone = sign_in(&app, &driver, "ratings-phone", "committee2", PHONE).await;
    phone.goto(&app.url("/ratings")).await.unwrap();
    phone
        .wait_for_text(".rating-adjusted", "组织党员抗旱保苗")
        .await
        .unwrap();
    let buttons = phone
        .execute(
            "return document.querySelectorAll('.adjust-rating').length",
            json!([]),
        )
        .await
        .unwrap();
    assert_eq!(
        buttons,
        json!(0),
        "the committee does not adjust its own branch"
    );
    phone.screenshot("own-branch").await.unwrap();
    tablet.close().await;
    phone.close().await;
}
