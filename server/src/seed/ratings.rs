//! The town's branch ratings: 城关镇 sets five indicators whose thresholds its two villages meet
//! differently (东关村 holds its meetings, 西营村 held none this year), and the town's
//! organisation officer adds a star to 西营村 with the reason. Units without rules of their own
//! show the defaults.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::{AtLeastPercent, AtMostPercent, OnTimeReview, RatingRules, SignedOnTime};
use jifen_shared::domain::{CycleQuarter, Reason};

use super::{access, Demo};
use crate::error::AppResult;
use crate::infra::db::Db;
use crate::services::ratings::{self, rating, Adjustment};
use crate::services::stats::Period;

/// The town's scheme: five stars, one per indicator.
pub fn town_rules() -> RatingRules {
    RatingRules {
        participation: Some(AtLeastPercent { min_percent: 75 }),
        attendance: Some(AtLeastPercent { min_percent: 80 }),
        review_on_time: Some(OnTimeReview {
            within_days: 7,
            min_percent: 80,
        }),
        feedback_handled: None,
        under_alert: Some(AtMostPercent { max_percent: 20 }),
        quarters_signed: Some(SignedOnTime {
            within_days: 15,
            min_quarters: 4,
        }),
    }
}

pub async fn ratings(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let admin = access(db, demo, "admin1").await?;
    ratings::rules::put(
        db,
        now - Duration::hours(2),
        &admin,
        &demo.town_id,
        town_rules(),
    )
    .await?;
    let year = Period::year_of(CycleQuarter::of(now));
    let rated = rating::of_unit(db.conn(), &admin, &demo.town_id, year, now).await?;
    let Some(west) = rated
        .branches
        .iter()
        .find(|b| b.branch_id == demo.branch("demo-2"))
    else {
        return Ok(());
    };
    let reason = Reason::parse("西营村党支部今年组织党员带领群众抗旱保苗，镇党委研究决定加评一星")
        .map_err(|e| anyhow::anyhow!(e))?;
    ratings::adjust(
        db,
        now - Duration::hours(1),
        &admin,
        &demo.town_id,
        Adjustment {
            branch_id: &west.branch_id,
            year,
            stars: i32::from((west.computed_stars + 1).min(west.max_stars)),
            reason,
        },
    )
    .await?;
    Ok(())
}
