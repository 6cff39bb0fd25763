//! Falling behind (积分预警): the alert line a branch's setting draws under its members' totals.

use crate::api::AlertThreshold;

/// The alert line for a branch whose members have `totals` so far this year: a member whose total
/// is below it is behind. With a share of the median, the line is `percent`% of the median total,
/// rounded up to whole points (a member must reach the share, not nearly reach it); the median of
/// an even number of totals is the mean of the middle two. Computed exactly, without floats. No
/// members: the median is 0.
pub fn alert_line(rule: AlertThreshold, totals: &[i32]) -> i32 {
    match rule {
        AlertThreshold::Points { points } => points,
        AlertThreshold::MedianShare { percent } => {
            let twice_median = twice_median(totals);
            let line = div_ceil(i64::from(percent) * twice_median, 200);
            line.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
        }
    }
}

/// How many points `total` lacks to reach `line`; 0 when it is not behind.
pub fn behind(line: i32, total: i32) -> i32 {
    line.saturating_sub(total).max(0)
}

/// Twice the median, so that the mean of the middle two stays whole.
fn twice_median(totals: &[i32]) -> i64 {
    let mut sorted: Vec<i64> = totals.iter().map(|&t| i64::from(t)).collect();
    sorted.sort_unstable();
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => 2 * sorted[n / 2],
        n => sorted[n / 2 - 1] + sorted[n / 2],
    }
}

/// `a / b` rounded towards positive infinity, for `b > 0`.
fn div_ceil(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(percent: u8) -> AlertThreshold {
        AlertThreshold::MedianShare { percent }
    }

    #[test]
    fn an_absolute_line_is_the_setting_itself() {
        assert_eq!(
            alert_line(AlertThreshold::Points { points: 30 }, &[0, 100]),
            30
        );
    }

    #[test]
    fn a_share_of_the_median_is_rounded_up() {
        let cases: [(&[i32], u8, i32, &str); 6] = [
            (&[0, 45, 50], 60, 27, "odd count: median 45, 60% is 27"),
            (
                &[10, 20, 30, 40],
                60,
                15,
                "even count: median 25, 60% is 15",
            ),
            (
                &[10, 20, 31, 40],
                60,
                16,
                "median 25.5, 60% is 15.3, rounded up",
            ),
            (&[50, 7, 40], 50, 20, "unsorted input"),
            (&[], 60, 0, "no members"),
            (
                &[-20, -10, -10],
                50,
                -5,
                "a negative median rounds towards zero",
            ),
        ];
        for (totals, percent, line, why) in cases {
            assert_eq!(alert_line(share(percent), totals), line, "{why}");
        }
    }

    #[test]
    fn behind_is_what_is_missing_to_the_line() {
        assert_eq!(behind(27, 20), 7);
        assert_eq!(behind(27, 27), 0, "on the line is not behind");
        assert_eq!(behind(27, 40), 0);
    }
}
