//! Putting the figures together from what [`super::gather`] read: sums over the period's
//! quarters, medians, the 90th percentile and the bands. Pure functions, tested here.
//!
//! Definitions (the OpenAPI description of `GET /orgs/{id}/stats` repeats them):
//! - A **median** of an even number of values is the mean of the middle two.
//! - The **90th percentile** is the nearest rank: the smallest value with at least 90% of the
//!   values at or below it (of 10 review times, the 9th shortest).
//! - **Bands** are 10 points wide, from the ten at or below the lowest value (0 unless some value
//!   is negative, and no lower than [`LOW_BAND`]) up to [`OPEN_BAND`], the last band holding
//!   everything from there up. Below [`LOW_BAND`] one band holds every lower value, from the ten
//!   at or below the lowest: a member far in the red makes one band more, not one per ten points.
//!   Every band is listed, empty ones too, so that units compare side by side.

use std::ops::RangeInclusive;

use jifen_shared::api::{
    Band, DeedCounts, FeedbackFigures, MeetingFigures, MemberCounts, MemberFigures,
    PointsByCategory, PointsFigures, QuarterTrend, ReviewTime, Share, UnitFigures,
};
use jifen_shared::domain::{alert_line, behind, MemberStatus};

use super::gather::{BranchRaw, MemberRaw, BASE, BONUS, DEDUCTION};
use super::Period;
use crate::entity::org_unit;
use crate::error::AppResult;

/// Width of a points band.
pub(super) const BAND_WIDTH: i32 = 10;
/// The last band starts here and is open above (the year's totals of most branches stay below).
pub(super) const OPEN_BAND: i32 = 120;
/// The ten-point bands reach down to here at most; one band below it holds every lower value.
pub(super) const LOW_BAND: i32 = -50;

fn quarters(period: &Period) -> impl Iterator<Item = usize> {
    period.quarters().map(|q| usize::from(q - 1))
}

fn to_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// A member's points in the period: base, bonus, deduction (taken away, positive), net total.
fn member_points(m: &MemberRaw, period: &Period) -> [i64; 4] {
    let sum = |c: usize| quarters(period).map(|q| m.points[c][q]).sum::<i64>();
    let (base, bonus, deduction) = (sum(BASE), sum(BONUS), sum(DEDUCTION));
    [base, bonus, -deduction, base + bonus + deduction]
}

/// Whether each member of the branch (in order) is below the branch's alert line at the end of
/// the period: the year's total up to the period's last quarter against the line the branch's
/// setting draws under those totals, as [`crate::services::standing`] draws it.
fn below_line(branch: &BranchRaw, period: &Period) -> Vec<bool> {
    let last = usize::from(period.last_quarter().quarter);
    let totals: Vec<i32> = branch
        .members
        .iter()
        .map(|m| to_i32(m.points.iter().flat_map(|c| &c[..last]).sum()))
        .collect();
    let line = alert_line(branch.alert, &totals);
    totals.iter().map(|&t| behind(line, t) > 0).collect()
}

/// The figures of a unit made of `branches` in the period.
pub(super) fn unit(
    unit: &org_unit::Model,
    branches: &[&BranchRaw],
    period: &Period,
) -> AppResult<UnitFigures> {
    let mut members = MemberCounts::default();
    let mut taking_part = 0u32;
    let mut totals: [Vec<i64>; 4] = Default::default();
    let mut deeds = DeedCounts::default();
    let mut hours = Vec::new();
    let mut meetings = (0u32, 0u32, 0u32);
    let mut feedback = FeedbackFigures::default();
    let mut under_alert = 0u32;
    for b in branches {
        for m in &b.members {
            match m.status {
                MemberStatus::Migrant => members.migrant += 1,
                _ => members.active += 1,
            }
            if quarters(period).any(|q| m.awarded[q] > 0) {
                taking_part += 1;
            }
            for (all, v) in totals.iter_mut().zip(member_points(m, period)) {
                all.push(v);
            }
        }
        for q in quarters(period) {
            add_deeds(&mut deeds, &b.deeds[q]);
            feedback.received += b.feedback[q].received;
            feedback.handled += b.feedback[q].handled;
        }
        hours.extend(
            b.decisions
                .iter()
                .filter(|d| period.covers(period.year(), d.quarter))
                .map(|d| d.hours),
        );
        for m in b
            .meetings
            .iter()
            .filter(|m| period.covers(period.year(), m.quarter))
        {
            meetings.0 += 1;
            meetings.1 += m.present;
            meetings.2 += m.counted;
        }
        under_alert += below_line(b, period).into_iter().filter(|&b| b).count() as u32;
    }
    let [base, bonus, deduction, total] = totals.map(points);
    Ok(UnitFigures {
        org_unit_id: unit.id.clone(),
        name: unit.name.clone(),
        kind: unit.kind()?,
        branches: branches.len() as u32,
        participation: Share::new(taking_part, members.active + members.migrant),
        members,
        points: PointsByCategory {
            base,
            bonus,
            deduction,
            total,
        },
        deeds,
        review_time: review_time(hours),
        meetings: (meetings.0 > 0).then(|| MeetingFigures {
            held: meetings.0,
            attendance: Share::new(meetings.1, meetings.2),
        }),
        feedback,
        under_alert,
    })
}

fn add_deeds(into: &mut DeedCounts, c: &DeedCounts) {
    into.submitted += c.submitted;
    into.approved += c.approved;
    into.rejected += c.rejected;
    into.returned += c.returned;
    into.withdrawn += c.withdrawn;
    into.revoked += c.revoked;
}

/// Each member of the branch in the period, by name.
pub(super) fn members(branch: &BranchRaw, period: &Period) -> Vec<MemberFigures> {
    let below = below_line(branch, period);
    branch
        .members
        .iter()
        .zip(below)
        .map(|(m, under_alert)| {
            let [base, bonus, deduction, total] = member_points(m, period).map(to_i32);
            let (present, counted) = quarters(period)
                .map(|q| m.attendance[q])
                .fold((0, 0), |(p, c), (dp, dc)| (p + dp, c + dc));
            MemberFigures {
                member_id: m.id.clone(),
                name: m.name.clone(),
                status: m.status,
                base,
                bonus,
                deduction,
                total,
                deeds_approved: quarters(period).map(|q| m.approved[q]).sum(),
                deeds_waiting: quarters(period).map(|q| m.waiting[q]).sum(),
                attendance: Share::new(present, counted),
                under_alert,
            }
        })
        .collect()
}

/// Points and review times of the unit quarter by quarter.
pub(super) fn trend(branches: &[&BranchRaw], quarters: RangeInclusive<u8>) -> Vec<QuarterTrend> {
    quarters
        .map(|quarter| {
            let q = usize::from(quarter - 1);
            let sum = |c: usize| -> i64 {
                branches
                    .iter()
                    .flat_map(|b| &b.members)
                    .map(|m| m.points[c][q])
                    .sum()
            };
            let hours = branches
                .iter()
                .flat_map(|b| &b.decisions)
                .filter(|d| d.quarter == quarter)
                .map(|d| d.hours)
                .collect();
            QuarterTrend {
                quarter,
                base: sum(BASE),
                bonus: sum(BONUS),
                deduction: -sum(DEDUCTION),
                review_time: review_time(hours),
            }
        })
        .collect()
}

fn points(mut values: Vec<i64>) -> PointsFigures {
    values.sort_unstable();
    let as_f64: Vec<f64> = values.iter().map(|&v| v as f64).collect();
    PointsFigures {
        sum: values.iter().sum(),
        median: median(&as_f64),
        bands: bands(&values),
    }
}

fn review_time(mut hours: Vec<f64>) -> ReviewTime {
    hours.sort_unstable_by(f64::total_cmp);
    ReviewTime {
        decided: hours.len() as u32,
        median_hours: median(&hours),
        p90_hours: percentile_90(&hours),
    }
}

/// The median of sorted values; none of none.
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The nearest-rank 90th percentile of sorted values; none of none.
fn percentile_90(sorted: &[f64]) -> Option<f64> {
    let rank = (sorted.len() * 9).div_ceil(10);
    sorted.get(rank.checked_sub(1)?).copied()
}

/// How many of the sorted values fall in each band.
fn bands(sorted: &[i64]) -> Vec<Band> {
    let width = i64::from(BAND_WIDTH);
    // The ten at or below the lowest value, counted in i64 so that no value overflows it.
    let lowest = i64::from(to_i32(sorted.first().copied().unwrap_or(0).min(0)));
    let lowest = to_i32(lowest.div_euclid(width) * width);
    // Everything below LOW_BAND in one band, [lowest, LOW_BAND).
    let below = (lowest < LOW_BAND).then_some(Band {
        from: lowest,
        to: Some(LOW_BAND),
        members: 0,
    });
    let mut out: Vec<Band> = below
        .into_iter()
        .chain(
            (lowest.max(LOW_BAND)..OPEN_BAND)
                .step_by(BAND_WIDTH as usize)
                .map(|from| Band {
                    from,
                    to: Some(from + BAND_WIDTH),
                    members: 0,
                }),
        )
        .chain(std::iter::once(Band {
            from: OPEN_BAND,
            to: None,
            members: 0,
        }))
        .collect();
    for &v in sorted {
        let i = out
            .iter()
            .position(|b| b.to.is_none_or(|to| v < i64::from(to)))
            .unwrap_or(out.len() - 1);
        out[i].members += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[4.0]), Some(4.0));
        assert_eq!(median(&[1.0, 2.0, 9.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), Some(3.0));
    }

    #[test]
    fn the_90th_percentile_is_the_nearest_rank() {
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile_90(&ten), Some(9.0), "9th of 10");
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(percentile_90(&eleven), Some(10.0), "ceil(9.9) = 10th of 11");
        assert_eq!(percentile_90(&[5.0]), Some(5.0));
        assert_eq!(
            percentile_90(&[2.0, 8.0]),
            Some(8.0),
            "ceil(1.8) = 2nd of 2"
        );
        assert_eq!(percentile_90(&[]), None);
    }

    #[test]
    fn bands_are_ten_points_wide_from_zero_with_an_open_top() {
        let b = bands(&[0, 9, 10, 61, 119, 120, 300]);
        assert_eq!(b.len(), 13, "0–120 in tens, then 120 and up");
        assert_eq!((b[0].from, b[0].to, b[0].members), (0, Some(10), 2));
        assert_eq!((b[1].from, b[1].members), (10, 1));
        assert_eq!((b[6].from, b[6].members), (60, 1));
        assert_eq!((b[11].from, b[11].members), (110, 1));
        assert_eq!((b[12].from, b[12].to, b[12].members), (120, None, 2));
        assert_eq!(b.iter().map(|b| b.members).sum::<u32>(), 7);
    }

    #[test]
    fn bands_reach_down_to_the_lowest_negative_value() {
        let b = bands(&[-11, -10, -1, 5]);
        assert_eq!(b[0].from, -20);
        assert_eq!(
            b.iter().take(3).map(|b| b.members).collect::<Vec<_>>(),
            [1, 2, 1],
            "[-20,-10) holds -11; [-10,0) holds -10 and -1; [0,10) holds 5"
        );
        assert_eq!(bands(&[]).len(), 13, "no members: the empty bands from 0");
    }

    #[test]
    fn a_total_far_in_the_red_makes_one_open_band_below() {
        let b = bands(&[-1_000_000, -51, -50, -41, 0, 130]);
        assert_eq!(
            b.len(),
            1 + 17 + 1,
            "one band below -50, -50–120 in tens, 120 and up"
        );
        assert_eq!(
            (b[0].from, b[0].to, b[0].members),
            (-1_000_000, Some(LOW_BAND), 2),
            "[-1000000, -50) holds -1000000 and -51"
        );
        assert_eq!((b[1].from, b[1].to, b[1].members), (-50, Some(-40), 2));
        assert_eq!((b[6].from, b[6].members), (0, 1));
        assert_eq!((b[18].from, b[18].to, b[18].members), (120, None, 1));
        assert_eq!(b.iter().map(|b| b.members).sum::<u32>(), 6);
        let lowest = bands(&[i64::MIN]);
        assert_eq!(lowest.len(), 19, "even the lowest value there is");
        assert_eq!(lowest[0].members, 1);
        assert_eq!(
            bands(&[-50]).first().map(|b| (b.from, b.to)),
            Some((-50, Some(-40))),
            "no band below when nothing is below -50"
        );
    }
}
