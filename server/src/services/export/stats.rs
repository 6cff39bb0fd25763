//! The statistics of a unit (`jifen_shared::api::OrgStats`) as a file for the level above.
//!
//! A workbook has a sheet per table: the units (the unit itself on the first row, then each unit
//! directly below it), the members (for a branch), and the quarter trend. CSV holds one table:
//! for a branch the members, one line each (the branch's own line is the first row of the
//! workbook's units sheet); above branches the units. The handler of `GET /orgs/{id}/stats`
//! answers `?format=csv|xlsx` with
//! `crate::http::download::respond(&req, query.format, &stats, export::stats::export)`.

use jifen_shared::api::{MemberFigures, OrgStats, QuarterTrend, Share, UnitFigures};
use jifen_shared::domain::{MemberStatus, OrgKind};
use jifen_shared::words::Word;

use super::table::{Cell, Column, Kind, Row, Table};
use super::{Export, Sheet};

pub static UNITS: Table = Table {
    sheet: Word::ExportUnitsSheet,
    columns: &[
        Column::new(Word::ExportColumnUnit, 22.0, Kind::Text),
        Column::new(Word::ExportColumnKind, 10.0, Kind::Text),
        Column::new(Word::ExportColumnBranches, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnActive, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnMigrant, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnParticipants, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnParticipation, 10.0, Kind::Percent),
        Column::new(Word::ExportColumnBase, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnBonus, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnDeduction, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnNetTotal, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnMedianTotal, 14.0, Kind::Decimal),
        Column::new(Word::Pending, 8.0, Kind::Integer),
        Column::new(Word::Approved, 8.0, Kind::Integer),
        Column::new(Word::Rejected, 8.0, Kind::Integer),
        Column::new(Word::Returned, 8.0, Kind::Integer),
        Column::new(Word::Withdrawn, 8.0, Kind::Integer),
        Column::new(Word::Revoked, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnDecided, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnReviewMedian, 16.0, Kind::Decimal),
        Column::new(Word::ExportColumnReviewP90, 16.0, Kind::Decimal),
        Column::new(Word::ExportColumnMeetings, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnAttendance, 10.0, Kind::Percent),
        Column::new(Word::ExportColumnFeedback, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnFeedbackHandled, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnUnderAlert, 12.0, Kind::Integer),
    ],
};

pub static MEMBERS: Table = Table {
    sheet: Word::ExportMembersSheet,
    columns: &[
        Column::new(Word::ExportColumnMember, 12.0, Kind::Text),
        Column::new(Word::ExportColumnStatus, 8.0, Kind::Text),
        Column::new(Word::ExportColumnBase, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnBonus, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnDeduction, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnNetTotal, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnDeedsApproved, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnDeedsWaiting, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnMeetingsExpected, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnMeetingsPresent, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnAttendance, 10.0, Kind::Percent),
        Column::new(Word::ExportColumnUnderAlert, 12.0, Kind::Text),
    ],
};

pub static TREND: Table = Table {
    sheet: Word::ExportTrendSheet,
    columns: &[
        Column::new(Word::ExportColumnQuarter, 6.0, Kind::Integer),
        Column::new(Word::ExportColumnBase, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnBonus, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnDeduction, 10.0, Kind::Integer),
        Column::new(Word::ExportColumnDecided, 8.0, Kind::Integer),
        Column::new(Word::ExportColumnReviewMedian, 16.0, Kind::Decimal),
        Column::new(Word::ExportColumnReviewP90, 16.0, Kind::Decimal),
    ],
};

pub fn kind_word(k: OrgKind) -> Word {
    match k {
        OrgKind::County => Word::ExportKindCounty,
        OrgKind::Town => Word::ExportKindTown,
        OrgKind::Branch => Word::ExportKindBranch,
        OrgKind::Group => Word::ExportKindGroup,
        OrgKind::Migrant => Word::ExportKindMigrant,
    }
}

pub fn status_word(s: MemberStatus) -> Word {
    match s {
        MemberStatus::Active => Word::ExportStatusActive,
        MemberStatus::Migrant => Word::ExportStatusMigrant,
        MemberStatus::Transferred => Word::ExportStatusTransferred,
    }
}

fn rate(share: Share) -> Cell {
    Cell::real(share.rate)
}

pub fn unit_row(u: &UnitFigures) -> Row {
    let d = &u.deeds;
    vec![
        Cell::text(&u.name),
        Cell::Word(kind_word(u.kind)),
        Cell::int(u.branches),
        Cell::int(u.members.active),
        Cell::int(u.members.migrant),
        Cell::int(u.participation.count),
        rate(u.participation),
        Cell::Int(u.points.base.sum),
        Cell::Int(u.points.bonus.sum),
        Cell::Int(u.points.deduction.sum),
        Cell::Int(u.points.total.sum),
        Cell::real(u.points.total.median),
        Cell::int(d.submitted),
        Cell::int(d.approved),
        Cell::int(d.rejected),
        Cell::int(d.returned),
        Cell::int(d.withdrawn),
        Cell::int(d.revoked),
        Cell::int(u.review_time.decided),
        Cell::real(u.review_time.median_hours),
        Cell::real(u.review_time.p90_hours),
        Cell::int(u.meetings.map_or(0, |m| m.held)),
        u.meetings.map_or(Cell::Empty, |m| rate(m.attendance)),
        Cell::int(u.feedback.received),
        Cell::int(u.feedback.handled),
        Cell::int(u.under_alert),
    ]
}

pub fn member_row(m: &MemberFigures) -> Row {
    vec![
        Cell::text(&m.name),
        Cell::Word(status_word(m.status)),
        Cell::int(m.base),
        Cell::int(m.bonus),
        Cell::int(m.deduction),
        Cell::int(m.total),
        Cell::int(m.deeds_approved),
        Cell::int(m.deeds_waiting),
        Cell::int(m.attendance.of),
        Cell::int(m.attendance.count),
        rate(m.attendance),
        Cell::Word(if m.under_alert {
            Word::ExportYes
        } else {
            Word::ExportNo
        }),
    ]
}

pub fn trend_row(t: &QuarterTrend) -> Row {
    vec![
        Cell::int(t.quarter),
        Cell::Int(t.base),
        Cell::Int(t.bonus),
        Cell::Int(t.deduction),
        Cell::int(t.review_time.decided),
        Cell::real(t.review_time.median_hours),
        Cell::real(t.review_time.p90_hours),
    ]
}

/// The statistics as a file named after the period; see the module's note for the sheets.
pub fn export(stats: &OrgStats) -> Export {
    let units = Sheet::of(
        &UNITS,
        std::iter::once(&stats.unit)
            .chain(&stats.children)
            .map(unit_row)
            .collect(),
    );
    let trend = Sheet::of(&TREND, stats.trend.iter().map(trend_row).collect());
    let sheets = if stats.unit.kind == OrgKind::Branch {
        let members = Sheet::of(&MEMBERS, stats.members.iter().map(member_row).collect());
        vec![members, units, trend]
    } else {
        vec![units, trend]
    };
    let period = match stats.quarter {
        Some(q) => format!("{}-q{q}", stats.year),
        None => stats.year.to_string(),
    };
    Export {
        name: format!("stats-{period}"),
        sheets,
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use jifen_shared::api::{
        DeedCounts, FeedbackFigures, MeetingFigures, MemberCounts, PointsByCategory, PointsFigures,
        ReviewTime,
    };
    use jifen_shared::i18n::Lang;

    use super::*;
    use crate::services::export::csv;

    fn figures(sum: i64, median: Option<f64>) -> PointsFigures {
        PointsFigures {
            sum,
            median,
            bands: vec![],
        }
    }

    fn unit(name: &str, kind: OrgKind, branches: u32) -> UnitFigures {
        UnitFigures {
            org_unit_id: format!("id-{name}"),
            name: name.into(),
            kind,
            branches,
            members: MemberCounts {
                active: 10,
                migrant: 2,
            },
            participation: Share::new(9, 12),
            points: PointsByCategory {
                base: figures(600, Some(50.0)),
                bonus: figures(45, Some(3.5)),
                deduction: figures(10, Some(0.0)),
                total: figures(635, Some(52.5)),
            },
            deeds: DeedCounts {
                submitted: 1,
                approved: 20,
                rejected: 2,
                returned: 3,
                withdrawn: 0,
                revoked: 1,
            },
            review_time: ReviewTime {
                decided: 26,
                median_hours: Some(5.25),
                p90_hours: Some(30.0),
            },
            meetings: (kind != OrgKind::Town).then_some(MeetingFigures {
                held: 3,
                attendance: Share::new(30, 36),
            }),
            feedback: FeedbackFigures {
                received: 4,
                handled: 3,
            },
            under_alert: 2,
        }
    }

    fn member(name: &str, under_alert: bool) -> MemberFigures {
        MemberFigures {
            member_id: format!("id-{name}"),
            name: name.into(),
            status: MemberStatus::Migrant,
            base: 50,
            bonus: 6,
            deduction: 5,
            total: 51,
            deeds_approved: 2,
            deeds_waiting: 1,
            attendance: Share::new(2, 3),
            under_alert,
        }
    }

    fn trend() -> Vec<QuarterTrend> {
        vec![QuarterTrend {
            quarter: 1,
            base: 600,
            bonus: 30,
            deduction: 5,
            review_time: ReviewTime {
                decided: 10,
                median_hours: None,
                p90_hours: None,
            },
        }]
    }

    async fn rows(sheet: Sheet) -> Vec<Row> {
        let pages: Vec<_> = sheet.pages.collect().await;
        pages.into_iter().flat_map(|p| p.unwrap()).collect()
    }

    async fn csv_of(export: Export) -> String {
        let sheet = export.sheets.into_iter().next().unwrap();
        let table = sheet.table;
        let rows = rows(sheet).await;
        csv::header(table, Lang::ZhCn) + &csv::rows(table, &rows, Lang::ZhCn)
    }

    #[tokio::test]
    async fn a_towns_statistics_are_its_units_then_the_trend() {
        let stats = OrgStats {
            year: 2026,
            quarter: Some(2),
            unit: unit("城关镇党委", OrgKind::Town, 2),
            children: vec![
                unit("东关村党支部", OrgKind::Branch, 1),
                unit("西营村党支部", OrgKind::Branch, 1),
            ],
            members: vec![],
            trend: trend(),
        };
        let file = export(&stats);
        assert_eq!(file.name, "stats-2026-q2");
        let tables: Vec<Word> = file.sheets.iter().map(|s| s.table.sheet).collect();
        assert_eq!(tables, [Word::ExportUnitsSheet, Word::ExportTrendSheet]);

        let text = csv_of(file).await;
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 4, "a header, the town, its two branches");
        assert!(lines[0].starts_with("单位,层级,支部数,在册党员,流动党员,参与人数,参与率,"));
        assert_eq!(
            lines[1],
            "城关镇党委,乡镇,2,10,2,9,75.0%,600,45,10,635,52.50,1,20,2,3,0,1,26,5.25,30.00,0,,4,3,2",
            "no meetings at the town: none held, no attendance rate"
        );
        assert!(
            lines[2].starts_with("东关村党支部,支部,1,") && lines[2].contains(",3,83.3%,4,3,2")
        );
    }

    #[tokio::test]
    async fn a_branchs_statistics_put_its_members_first() {
        let stats = OrgStats {
            year: 2026,
            quarter: None,
            unit: unit("东关村党支部", OrgKind::Branch, 1),
            children: vec![],
            members: vec![member("王建国", true), member("=李秀英", false)],
            trend: trend(),
        };
        let file = export(&stats);
        assert_eq!(file.name, "stats-2026");
        let tables: Vec<Word> = file.sheets.iter().map(|s| s.table.sheet).collect();
        assert_eq!(
            tables,
            [
                Word::ExportMembersSheet,
                Word::ExportUnitsSheet,
                Word::ExportTrendSheet
            ]
        );
        let mut sheets = file.sheets.into_iter();
        let members = sheets.next().unwrap();
        assert_eq!(rows(members).await[0][11], Cell::Word(Word::ExportYes));
        let trend_rows = rows(sheets.nth(1).unwrap()).await;
        assert_eq!(
            trend_rows,
            [vec![
                Cell::Int(1),
                Cell::Int(600),
                Cell::Int(30),
                Cell::Int(5),
                Cell::Int(10),
                Cell::Empty,
                Cell::Empty
            ]]
        );

        let text = csv_of(export(&stats)).await;
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "党员,状态,基础分,加分,扣分,净积分,申报通过,申报待审,应到会议,实到会议,出勤率,低于预警线"
        );
        assert_eq!(lines[1], "王建国,流动,50,6,5,51,2,1,3,2,66.7%,是");
        assert_eq!(lines[2], "'=李秀英,流动,50,6,5,51,2,1,3,2,66.7%,否");
    }
}
