//! Subscribe-message values cut to WeChat's limits per type. WeChat refuses a whole message
//! (47003) when one value breaks its type, so nothing is sent whole that could be too long.

use chrono::{DateTime, Datelike, Timelike, Utc};
use jifen_shared::domain::{CycleQuarter, DeedStatus, SHANGHAI_OFFSET_SECS};
use serde_json::{json, Value};

/// `thing`: at most 20 characters of any kind.
pub fn thing(text: &str) -> String {
    cut(text.trim(), 20)
}

/// `phrase`: at most 5 Chinese characters.
pub fn phrase(text: &str) -> String {
    cut(text.trim(), 5)
}

/// `time`: like `2026年10月1日 15:01`, in Asia/Shanghai.
pub fn time(at: DateTime<Utc>) -> String {
    let local = at + chrono::Duration::seconds(i64::from(SHANGHAI_OFFSET_SECS));
    format!(
        "{}年{}月{}日 {:02}:{:02}",
        local.year(),
        local.month(),
        local.day(),
        local.hour(),
        local.minute()
    )
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The deed-result template's data: `thing1` the deed, `phrase2` the outcome, `thing3` the
/// points or the committee's reason, `time4` when it was decided.
pub fn deed_result(
    title: &str,
    outcome: DeedStatus,
    points: Option<i32>,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Value {
    let note = match (outcome, points) {
        (DeedStatus::Approved, Some(p)) => format!("获得{p}分"),
        _ => reason.unwrap_or("请在小程序中查看").to_owned(),
    };
    json!({
        "thing1": { "value": thing(title) },
        "phrase2": { "value": phrase(outcome_phrase(outcome)) },
        "thing3": { "value": thing(&note) },
        "time4": { "value": time(at) },
    })
}

/// The board template's data: `thing1` the branch, `thing2` which quarter, `time3` when posted.
pub fn board_published(branch: &str, quarter: CycleQuarter, at: DateTime<Utc>) -> Value {
    json!({
        "thing1": { "value": thing(branch) },
        "thing2": { "value": thing(&format!("{}年第{}季度党员积分", quarter.year, quarter.quarter)) },
        "time3": { "value": time(at) },
    })
}

/// The points-alert template's data: `thing1` which quarter, `number2` the member's total so far,
/// `number3` the alert line, `thing4` how far behind and where to look.
pub fn points_alert(quarter: CycleQuarter, total: i32, threshold: i32, behind: i32) -> Value {
    json!({
        "thing1": { "value": thing(&format!("{}年第{}季度积分", quarter.year, quarter.quarter)) },
        "number2": { "value": total.to_string() },
        "number3": { "value": threshold.to_string() },
        "thing4": { "value": thing(&format!("还差{behind}分，看看哪些事项可加分")) },
    })
}

fn outcome_phrase(outcome: DeedStatus) -> &'static str {
    match outcome {
        DeedStatus::Approved => "已通过",
        DeedStatus::Rejected => "未通过",
        DeedStatus::Returned => "需补充",
        DeedStatus::Revoked => "已撤销",
        DeedStatus::Withdrawn => "已撤回",
        DeedStatus::Submitted => "待审核",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_title_is_cut_to_twenty_characters() {
        let title = "组织本村党员和群众志愿者清扫村口到乡道两公里的积雪并撒盐防滑";
        let cut = thing(title);
        assert_eq!(cut.chars().count(), 20);
        assert!(cut.ends_with('…'));
        assert_eq!(thing("清扫积雪"), "清扫积雪");
    }

    #[test]
    fn time_is_shown_in_beijing_time() {
        let at = DateTime::parse_from_rfc3339("2026-09-30T17:01:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(time(at), "2026年10月1日 01:01");
    }

    #[test]
    fn every_outcome_fits_a_phrase() {
        for s in [
            DeedStatus::Approved,
            DeedStatus::Rejected,
            DeedStatus::Returned,
            DeedStatus::Revoked,
        ] {
            assert!(outcome_phrase(s).chars().count() <= 5);
        }
    }
}
