//! The year-end grades of the members' annual democratic appraisal (民主评议党员), from the year's
//! totals and the branch's thresholds.

use super::Grade;
use crate::api::GradeThresholds;

/// A member's place in the year: total, rank and the grade computed for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graded {
    pub total: i32,
    /// Competition ranking by total, highest first: members with equal totals share a rank and
    /// the next rank skips as many places (1, 2, 2, 4).
    pub rank: u32,
    pub grade: Grade,
}

/// The grade a total earns by the thresholds alone: 优秀 from `excellent` up, 合格 from
/// `qualified`, 基本合格 from `basic`, 不合格 below.
pub fn by_thresholds(t: &GradeThresholds, total: i32) -> Grade {
    if total >= t.excellent {
        Grade::Excellent
    } else if total >= t.qualified {
        Grade::Qualified
    } else if total >= t.basic {
        Grade::BasicallyQualified
    } else {
        Grade::Unqualified
    }
}

/// How many members may be 优秀 under a cap of `percent` of `members` graded members: the share
/// rounded down, but at least one, so that a small branch (8 members under a 10% cap) can still
/// name one excellent member. `None` when there is no cap.
pub fn excellent_cap(percent: Option<u8>, members: usize) -> Option<usize> {
    percent.map(|p| (members * usize::from(p) / 100).max(1))
}

/// Grades every total, in the order given.
///
/// Each total gets its grade by [`by_thresholds`]. With a cap on 优秀 ([`excellent_cap`]), the
/// members who reached 优秀 keep it by rank, highest total first, in groups of equal totals.
/// **Ties at the cap are kept out together**: when a group of equal totals would take the count
/// past the cap, nobody in that group (nor anyone below it) is 优秀; they are 合格 instead. The cap
/// is never exceeded and no one is preferred over an equal by the order the rows happen to be in;
/// the committee can still raise one of them with a reason, within the cap.
pub fn grade_year(t: &GradeThresholds, totals: &[i32]) -> Vec<Graded> {
    let mut out: Vec<Graded> = totals
        .iter()
        .map(|&total| Graded {
            total,
            rank: 1 + totals.iter().filter(|&&other| other > total).count() as u32,
            grade: by_thresholds(t, total),
        })
        .collect();
    let Some(cap) = excellent_cap(t.excellent_cap_percent, totals.len()) else {
        return out;
    };
    let mut excellent: Vec<i32> = out
        .iter()
        .filter(|g| g.grade == Grade::Excellent)
        .map(|g| g.total)
        .collect();
    excellent.sort_unstable_by(|a, b| b.cmp(a));
    // The lowest total that stays 优秀: walk the groups of equal totals while they fit whole.
    let mut kept = 0usize;
    let mut lowest_kept = None;
    for group in excellent.chunk_by(|a, b| a == b) {
        if kept + group.len() > cap {
            break;
        }
        kept += group.len();
        lowest_kept = Some(group[0]);
    }
    for g in out.iter_mut().filter(|g| g.grade == Grade::Excellent) {
        if lowest_kept.is_none_or(|lowest| g.total < lowest) {
            g.grade = Grade::Qualified;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Grade::*;

    fn thresholds(cap: Option<u8>) -> GradeThresholds {
        GradeThresholds {
            excellent: 90,
            qualified: 70,
            basic: 60,
            excellent_cap_percent: cap,
        }
    }

    fn grades(g: &[Graded]) -> Vec<Grade> {
        g.iter().map(|g| g.grade).collect()
    }

    #[test]
    fn each_threshold_is_the_lowest_total_of_its_grade() {
        let t = thresholds(None);
        let cases = [
            (90, Excellent, "exactly the excellent line"),
            (89, Qualified, "one below excellent"),
            (70, Qualified, "exactly the qualified line"),
            (69, BasicallyQualified, "one below qualified"),
            (60, BasicallyQualified, "exactly the basic line"),
            (59, Unqualified, "one below basic"),
            (-20, Unqualified, "a year of deductions"),
        ];
        for (total, grade, why) in cases {
            assert_eq!(by_thresholds(&t, total), grade, "{why}");
        }
    }

    #[test]
    fn ranks_are_shared_by_equal_totals_and_then_skip() {
        let g = grade_year(&thresholds(None), &[80, 95, 80, 60]);
        let ranks: Vec<u32> = g.iter().map(|g| g.rank).collect();
        assert_eq!(ranks, [2, 1, 2, 4]);
    }

    #[test]
    fn the_cap_is_a_share_rounded_down_but_at_least_one() {
        assert_eq!(excellent_cap(None, 10), None);
        assert_eq!(excellent_cap(Some(20), 10), Some(2));
        assert_eq!(excellent_cap(Some(20), 14), Some(2), "2.8 rounds down");
        assert_eq!(excellent_cap(Some(10), 8), Some(1), "0.8 still allows one");
        assert_eq!(excellent_cap(Some(100), 3), Some(3));
    }

    #[test]
    fn the_cap_keeps_the_highest_totals_excellent() {
        // Ten members, 20%: two may be excellent; four reached the line.
        let totals = [95, 91, 99, 90, 50, 70, 70, 80, 65, 60];
        let g = grade_year(&thresholds(Some(20)), &totals);
        assert_eq!(
            grades(&g),
            [
                Excellent,
                Qualified,
                Excellent,
                Qualified,
                Unqualified,
                Qualified,
                Qualified,
                Qualified,
                BasicallyQualified,
                BasicallyQualified
            ]
        );
    }

    #[test]
    fn members_tied_at_the_cap_are_kept_out_together() {
        // Ten members, 20%: two may be excellent; 99 fits, the two at 95 would make three.
        let totals = [95, 99, 95, 92, 70, 70, 70, 70, 70, 70];
        let g = grade_year(&thresholds(Some(20)), &totals);
        assert_eq!(
            &grades(&g)[..4],
            [Qualified, Excellent, Qualified, Qualified],
            "neither of the tied members is preferred, and 92 does not leapfrog them"
        );
        assert_eq!(g.iter().filter(|g| g.grade == Excellent).count(), 1);
    }

    #[test]
    fn a_tie_that_fits_the_cap_is_kept_whole() {
        let totals = [95, 95, 92, 70, 70, 70, 70, 70, 70, 70];
        let g = grade_year(&thresholds(Some(20)), &totals);
        assert_eq!(&grades(&g)[..3], [Excellent, Excellent, Qualified]);
    }

    #[test]
    fn no_members_no_grades() {
        assert!(grade_year(&thresholds(Some(20)), &[]).is_empty());
    }
}
