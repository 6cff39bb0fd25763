//! The year's grades as a file for the annual appraisal's paperwork (one table: by rank, the
//! name, the year's total, the grade the points gave, the grade given and the reason of an
//! adjustment), written by [`crate::services::export`].

use jifen_shared::api::{GradeRow, GradesView};
use jifen_shared::domain::Grade;
use jifen_shared::words::Word;

use crate::services::export::{Cell, Column, Export, Kind, Row, Sheet, Table};

pub static GRADES: Table = Table {
    sheet: Word::GradesSheet,
    columns: &[
        Column::new(Word::GradesColumnRank, 8.0, Kind::Integer),
        Column::new(Word::GradesColumnName, 16.0, Kind::Text),
        Column::new(Word::GradesColumnTotal, 12.0, Kind::Integer),
        Column::new(Word::GradesColumnComputed, 14.0, Kind::Text),
        Column::new(Word::GradesColumnGrade, 14.0, Kind::Text),
        Column::new(Word::GradesColumnReason, 48.0, Kind::Text),
    ],
};

pub fn grade_word(g: Grade) -> Word {
    match g {
        Grade::Excellent => Word::GradeExcellent,
        Grade::Qualified => Word::GradeQualified,
        Grade::BasicallyQualified => Word::GradeBasicallyQualified,
        Grade::Unqualified => Word::GradeUnqualified,
    }
}

fn row(r: &GradeRow) -> Row {
    vec![
        Cell::int(r.rank),
        Cell::text(&r.member_name),
        Cell::int(r.total),
        Cell::Word(grade_word(r.computed)),
        Cell::Word(grade_word(r.grade)),
        r.adjust_reason.as_deref().map_or(Cell::Empty, Cell::text),
    ]
}

/// The grades by rank, in a file named after the year.
pub fn export(view: &GradesView) -> Export {
    Export {
        name: format!("grades-{}", view.year),
        sheets: vec![Sheet::of(&GRADES, view.rows.iter().map(row).collect())],
    }
}
