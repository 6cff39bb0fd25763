//! The public board (张榜公布) as a page: the ranking, every addition and deduction, the
//! secretary's signature line, a QR code of the page and the audit anchor, and the masses'
//! feedback form, which posts without JavaScript. Printed, it is the quarter on A4 for the
//! village wall.

use chrono::{DateTime, Utc};
use jifen_shared::api::{BoardRow, BoardView};
use jifen_shared::domain::RuleCategory;
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use maud::{html, Markup};

use super::{date, date_time, page, points, qr_svg};

/// What the masses typed into the form, kept when it is shown again with its problems.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub about: String,
    pub body: String,
    pub contact: String,
}

/// Why a feedback form was not taken: per field (`body`, `contact`, `about_member_id`), or as a
/// whole.
#[derive(Debug, Clone, Default)]
pub struct Problems {
    pub fields: Vec<(String, String)>,
    pub general: Option<String>,
}

impl Problems {
    fn of(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn any(&self) -> bool {
        !self.fields.is_empty() || self.general.is_some()
    }
}

/// A posted quarter, as the page shows it.
pub struct Board<'a> {
    pub lang: Lang,
    pub view: &'a BoardView,
    pub signed_at: Option<DateTime<Utc>>,
    /// This quarter's own address, for the QR code.
    pub address: &'a str,
    pub draft: &'a Draft,
    pub problems: &'a Problems,
}

/// What a path segment keeps as it is: letters, digits and `-._~`; anything else is escaped.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The address of a branch's board for one quarter.
pub fn address(base: &str, code: &str, year: i32, quarter: u8) -> String {
    format!(
        "{base}/board/{}?year={year}&quarter={quarter}",
        percent_encoding::utf8_percent_encode(code, SEGMENT)
    )
}

/// The rows in rank order with their rank: by the quarter's points, highest first; equal points
/// share a rank (1, 2, 2, 4) and are listed by the year so far, then by name.
pub fn ranked(rows: &[BoardRow]) -> Vec<(usize, &BoardRow)> {
    let mut sorted: Vec<&BoardRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.year_total.cmp(&a.year_total))
            .then_with(|| a.member_name.cmp(&b.member_name))
    });
    sorted
        .iter()
        .map(|r| (1 + sorted.iter().filter(|o| o.total > r.total).count(), *r))
        .collect()
}

fn category(lang: Lang, c: RuleCategory) -> &'static str {
    match c {
        RuleCategory::Base => Word::Base,
        RuleCategory::Bonus => Word::Bonus,
        RuleCategory::Deduction => Word::Deduction,
    }
    .text(lang)
}

pub fn render(b: &Board<'_>) -> Markup {
    let (lang, v) = (b.lang, b.view);
    let t = |w: Word| w.text(lang);
    let title = Word::BoardTitle.fill(
        lang,
        &[
            ("branch", &v.branch_name),
            ("year", &v.year),
            ("quarter", &v.quarter),
        ],
    );
    let body = html! {
        h1 { (title) }
        p.meta {
            (t(Word::SignedByTheSecretary)) ": " (v.signed_by_name)
            " · " (t(Word::Posted)) " " (date_time(lang, v.published_at))
        }
        p.hint { (t(Word::BoardRankRule)) }
        div.scroll {
            table #board {
                caption { (t(Word::ThisQuarter)) }
                thead { tr {
                    th.rank scope="col" { (t(Word::BoardRank)) }
                    th.name scope="col" { (t(Word::Name)) }
                    th scope="col" { (t(Word::Base)) }
                    th scope="col" { (t(Word::Bonus)) }
                    th scope="col" { (t(Word::Deduct)) }
                    th scope="col" { (t(Word::Quarter)) }
                    th scope="col" { (t(Word::Year)) }
                } }
                tbody {
                    @for (rank, r) in ranked(&v.rows) {
                        tr {
                            td.rank { (rank) }
                            th.name scope="row" { (r.member_name) }
                            td { (r.base) } td { (r.bonus) } td { (points(r.deduction)) }
                            td { (points(r.total)) } td { (points(r.year_total)) }
                        }
                    }
                }
            }
        }
        h2 { (t(Word::AdditionsAndDeductions)) }
        @if v.entries.is_empty() {
            p.card.calm { (t(Word::NoAdditionsOrDeductionsThisQuarter)) }
        } @else {
            div.scroll {
                table #board-entries {
                    thead { tr {
                        th.name scope="col" { (t(Word::Name)) }
                        th scope="col" { (t(Word::StatementCategory)) }
                        th scope="col" { (t(Word::StatementPoints)) }
                        th.note scope="col" { (t(Word::StatementItem)) }
                    } }
                    tbody {
                        @for e in &v.entries {
                            tr {
                                th.name scope="row" { (e.member_name) }
                                td { (category(lang, e.category)) }
                                td { (points(e.points)) }
                                td.note { (e.note) }
                            }
                        }
                    }
                }
            }
        }
        (form(b))
        div.foot {
            div {
                (qr_svg(b.address, t(Word::BoardScanToOpen)))
                p.hint { (t(Word::BoardScanToOpen)) }
            }
            div.sign {
                p { (t(Word::BoardSignatureLine)) ": " (v.signed_by_name) " " span.line { " " } }
                p {
                    (t(Word::BoardSignedOn)) ": "
                    @if let Some(at) = b.signed_at { (date(lang, at)) } @else { span.line { " " } }
                }
                p.anchor { (t(Word::AuditAnchor)) ": " (v.audit_anchor) }
            }
        }
    };
    page(lang, &title, body)
}

/// The feedback form: a plain form post, so it works with and without JavaScript.
fn form(b: &Board<'_>) -> Markup {
    let (lang, v, d, p) = (b.lang, b.view, b.draft, b.problems);
    let t = |w: Word| w.text(lang);
    let action = format!(
        "/board/{}/feedback",
        percent_encoding::utf8_percent_encode(&v.branch_code, SEGMENT)
    );
    html! {
        section.no-print #feedback {
            h2 { (t(Word::YourFeedback)) }
            form.feedback-form.card method="post" action=(action) {
                @if p.any() {
                    p.notice role="alert" {
                        (p.general.as_deref().unwrap_or(t(Word::BoardFeedbackNotSent)))
                    }
                }
                input type="hidden" name="year" value=(v.year);
                input type="hidden" name="quarter" value=(v.quarter);
                label for="about" { (t(Word::About)) }
                select #about name="about" aria-describedby="err-about_member_id" {
                    option value="" { (t(Word::TheWholeBoard)) }
                    @for r in &v.rows {
                        option value=(r.member_id) selected[d.about == r.member_id] { (r.member_name) }
                    }
                }
                (error(p, "about_member_id"))
                label for="feedback-body" { (t(Word::Feedback)) }
                textarea #feedback-body name="body" rows="4" maxlength="500"
                    placeholder=(t(Word::FeedbackHint)) aria-describedby="err-body" { (d.body) }
                (error(p, "body"))
                label for="feedback-contact" { (t(Word::Contact)) }
                input #feedback-contact name="contact" maxlength="60" value=(d.contact)
                    placeholder=(t(Word::OptionalOnlyTheCommitteeSeesIt)) aria-describedby="err-contact";
                (error(p, "contact"))
                button type="submit" { (t(Word::SendFeedback)) }
            }
        }
    }
}

fn error(p: &Problems, field: &str) -> Markup {
    html! {
        @if let Some(m) = p.of(field) {
            p.error id=(format!("err-{field}")) { (m) }
        }
    }
}

/// The thank-you page after feedback was received.
pub fn thanks(lang: Lang, back: &str) -> Markup {
    let t = |w: Word| w.text(lang);
    page(
        lang,
        t(Word::BoardFeedbackThanks),
        html! {
            h1 { (t(Word::BoardFeedbackThanks)) }
            p.ok.received role="status" { (t(Word::FeedbackReceived)) }
            p { a href=(back) { (t(Word::BoardBackToBoard)) } }
        },
    )
}

/// A branch whose board has nothing posted yet (or not the quarter asked for): said calmly,
/// with the latest posted quarter when there is one.
pub fn not_posted(
    lang: Lang,
    branch_name: &str,
    asked: Option<(i32, u8)>,
    latest: Option<(String, i32, u8)>,
) -> Markup {
    let t = |w: Word| w.text(lang);
    let heading = format!("{} · {}", branch_name, t(Word::PointsBoard));
    page(
        lang,
        &heading,
        html! {
            h1 { (heading) }
            div.card.calm #not-posted {
                @match asked {
                    Some((year, quarter)) => {
                        p { (Word::BoardQuarterNotPosted.fill(lang, &[("year", &year), ("quarter", &quarter)])) }
                    }
                    None => {
                        p { (Word::BoardNothingPostedYet.fill(lang, &[("branch", &branch_name)])) }
                    }
                }
                @if let Some((href, year, quarter)) = &latest {
                    p { a #latest href=(href) {
                        (Word::BoardSeeLatest.fill(lang, &[("year", year), ("quarter", quarter)]))
                    } }
                }
            }
        },
    )
}

/// No branch has this code.
pub fn unknown_branch(lang: Lang) -> Markup {
    let t = |w: Word| w.text(lang);
    page(
        lang,
        t(Word::PointsBoard),
        html! {
            h1 { (t(Word::PointsBoard)) }
            p.card.calm { (t(Word::BoardUnknownBranch)) }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, total: i32, year_total: i32) -> BoardRow {
        BoardRow {
            member_id: name.into(),
            member_name: name.into(),
            base: 0,
            bonus: total,
            deduction: 0,
            total,
            year_total,
        }
    }

    #[test]
    fn equal_points_share_a_rank_and_the_next_rank_skips() {
        let rows = [
            row("丙", 5, 5),
            row("甲", 10, 10),
            row("乙", 5, 30),
            row("丁", 0, 0),
        ];
        let ranks: Vec<(usize, &str)> = ranked(&rows)
            .into_iter()
            .map(|(n, r)| (n, r.member_name.as_str()))
            .collect();
        assert_eq!(ranks, [(1, "甲"), (2, "乙"), (2, "丙"), (4, "丁")]);
    }
}
