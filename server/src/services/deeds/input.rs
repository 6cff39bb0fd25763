//! Turning a deed form from the wire into domain values, reporting every bad field at once.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::PlaceDto;
use jifen_shared::domain::{DeedAccount, DeedTitle, Place};
use jifen_shared::words::Word;

use crate::error::{AppError, FieldIssue};
use crate::infra::ids;

/// A deed form that has passed validation.
#[derive(Debug, Clone)]
pub struct DeedForm {
    pub rule_id: String,
    pub title: DeedTitle,
    pub account: DeedAccount,
    pub occurred_at: DateTime<Utc>,
    pub place: Place,
    pub photo_ids: Vec<String>,
}

/// How far ahead of the server's clock a phone's clock may run.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;
/// At most this many photos per deed.
pub const MAX_PHOTOS: usize = 9;

pub struct RawForm<'a> {
    pub rule_id: &'a str,
    pub title: &'a str,
    pub account: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub place: &'a PlaceDto,
    pub photo_ids: &'a [String],
}

pub fn parse(raw: RawForm<'_>, now: DateTime<Utc>) -> Result<DeedForm, AppError> {
    let mut issues = Vec::new();
    if !ids::is_valid(raw.rule_id) {
        issues.push(FieldIssue::worded(
            "rule_id",
            "rule.unknown",
            Word::RuleNotReportable,
        ));
    }
    let title =
        DeedTitle::parse(raw.title).map_err(|e| issues.push(FieldIssue::explained("title", &e)));
    let account = DeedAccount::parse(raw.account)
        .map_err(|e| issues.push(FieldIssue::explained("account", &e)));
    let place = Place::parse(&raw.place.name, raw.place.lat, raw.place.lng).map_err(|e| {
        let field = match e {
            jifen_shared::domain::PlaceError::Name(_) => "place.name",
            jifen_shared::domain::PlaceError::Latitude => "place.lat",
            _ => "place.lng",
        };
        issues.push(FieldIssue::explained(field, &e));
    });
    if raw.occurred_at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        issues.push(FieldIssue::worded(
            "occurred_at",
            "time.in_future",
            Word::TimeInFuture,
        ));
    } else if raw.occurred_at < now - Duration::days(400) {
        issues.push(FieldIssue::worded(
            "occurred_at",
            "time.too_old",
            Word::TimeTooOld,
        ));
    }
    if raw.photo_ids.len() > MAX_PHOTOS {
        issues.push(FieldIssue::filled(
            "photo_ids",
            "photo.too_many",
            Word::TooManyPhotos,
            &[("max", &MAX_PHOTOS)],
        ));
    } else if raw.photo_ids.iter().any(|p| !ids::is_valid(p)) {
        issues.push(FieldIssue::worded(
            "photo_ids",
            "photo.unknown",
            Word::PhotoUnknown,
        ));
    }
    match (title, account, place) {
        (Ok(title), Ok(account), Ok(place)) if issues.is_empty() => Ok(DeedForm {
            rule_id: raw.rule_id.to_owned(),
            title,
            account,
            occurred_at: raw.occurred_at,
            place,
            photo_ids: raw.photo_ids.to_vec(),
        }),
        _ => Err(AppError::Validation(issues)),
    }
}

/// A client request id: 1 to 64 characters of letters, digits, `-`, `_`, `.` or `:`.
pub fn parse_client_request_id(raw: &str) -> Result<String, AppError> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(AppError::Validation(vec![FieldIssue::worded(
            "client_request_id",
            "client_request_id.invalid",
            Word::ClientRequestIdInvalid,
        )]))
    }
}
