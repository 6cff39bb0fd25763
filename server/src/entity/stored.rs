//! Stored words read back as their enums. The enums in `jifen_shared::domain` (and
//! [`crate::infra::outbox::OutboxStatus`]) are the one place that says which words exist; each
//! row type offers typed accessors built on [`word`]. A word no enum knows is the server's fault:
//! an internal error that names the table, row and column, never a silent default.

use std::str::FromStr;

use jifen_shared::domain::{
    DeedStatus, FeedbackStatus, LedgerKind, MemberStatus, OrgKind, QuarterStatus, Role,
    RuleCategory,
};

use super::{
    deduction, deed, feedback, ledger_entry, member, org_unit, point_rule, quarter_review,
};
use crate::error::{AppError, AppResult};

/// Parses `word`, stored in `table`.`column` of row `id`.
pub fn word<T: FromStr>(table: &str, id: &str, column: &str, word: &str) -> AppResult<T> {
    word.parse().map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "{table} {id}: unknown {column} {word:?} stored"
        ))
    })
}

impl deed::Model {
    pub fn status(&self) -> AppResult<DeedStatus> {
        word("deed", &self.id, "status", &self.status)
    }

    /// The committee member or secretary who registered the deed for its member, if one did.
    pub fn registered_by(&self) -> Option<&str> {
        (self.submitted_by != self.member_id).then_some(self.submitted_by.as_str())
    }
}

impl point_rule::Model {
    pub fn category(&self) -> AppResult<RuleCategory> {
        word("point_rule", &self.id, "category", &self.category)
    }
}

impl ledger_entry::Model {
    pub fn kind(&self) -> AppResult<LedgerKind> {
        word("ledger_entry", &self.id, "kind", &self.kind)
    }

    pub fn category(&self) -> AppResult<RuleCategory> {
        word("ledger_entry", &self.id, "category", &self.category)
    }
}

impl quarter_review::Model {
    pub fn status(&self) -> AppResult<QuarterStatus> {
        word("quarter_review", &self.id, "status", &self.status)
    }
}

impl feedback::Model {
    pub fn status(&self) -> AppResult<FeedbackStatus> {
        word("feedback", &self.id, "status", &self.status)
    }
}

impl deduction::Model {
    pub fn status(&self) -> AppResult<jifen_shared::domain::DeductionStatus> {
        word("deduction", &self.id, "status", &self.status)
    }
}

impl super::appeal::Model {
    pub fn status(&self) -> AppResult<jifen_shared::domain::AppealStatus> {
        word("appeal", &self.id, "status", &self.status)
    }
}

impl super::meeting::Model {
    pub fn kind(&self) -> AppResult<jifen_shared::domain::MeetingKind> {
        word("meeting", &self.id, "kind", &self.kind)
    }
}

impl super::meeting_attendance::Model {
    pub fn mode(&self) -> AppResult<jifen_shared::domain::AttendanceMode> {
        word("meeting_attendance", &self.id, "mode", &self.mode)
    }
}

impl super::leave_request::Model {
    pub fn status(&self) -> AppResult<jifen_shared::domain::LeaveStatus> {
        word("leave_request", &self.id, "status", &self.status)
    }
}

impl super::year_grading::Model {
    pub fn status(&self) -> AppResult<jifen_shared::domain::GradingStatus> {
        word("year_grading", &self.id, "status", &self.status)
    }
}

impl super::year_grade::Model {
    pub fn computed_grade(&self) -> AppResult<jifen_shared::domain::Grade> {
        word(
            "year_grade",
            &self.id,
            "computed_grade",
            &self.computed_grade,
        )
    }

    pub fn grade(&self) -> AppResult<jifen_shared::domain::Grade> {
        word("year_grade", &self.id, "grade", &self.grade)
    }
}

impl member::Model {
    pub fn status(&self) -> AppResult<MemberStatus> {
        word("member", &self.id, "status", &self.status)
    }
}

impl org_unit::Model {
    pub fn kind(&self) -> AppResult<OrgKind> {
        word("org_unit", &self.id, "kind", &self.kind)
    }
}

/// A role assignment's role, read without its row.
pub fn role(member_id: &str, org_unit_id: &str, stored: &str) -> AppResult<Role> {
    word(
        "role_assignment",
        &format!("{member_id}@{org_unit_id}"),
        "role",
        stored,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_word_names_its_row() {
        let AppError::Internal(cause) =
            word::<DeedStatus>("deed", "d-1", "status", "x").unwrap_err()
        else {
            panic!("an unknown stored word must be an internal error");
        };
        assert_eq!(cause.to_string(), "deed d-1: unknown status \"x\" stored");
    }
}
