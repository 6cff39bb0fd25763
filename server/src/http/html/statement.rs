//! A member's points statement (积分证明) as a printable A4 page: the year's totals by category
//! and by quarter, every entry, the branch, when it was issued, and the check code with a QR code
//! of the address that verifies it.

use jifen_shared::domain::RuleCategory;
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use maud::{html, Markup};

use super::{date, date_time, page, points, qr_svg};
use crate::services::statements::{grouped, Issued};

/// The address that checks a statement's code.
pub fn verify_address(base: &str, code: &str) -> String {
    format!("{base}/verify/{}", grouped(code))
}

pub fn render(lang: Lang, issued: &Issued, base: &str) -> Markup {
    let t = |w: Word| w.text(lang);
    let (s, sum) = (&issued.statement, &issued.summary);
    let title = Word::StatementTitle.fill(lang, &[("year", &s.cycle_year)]);
    let verify = verify_address(base, &s.check_code);
    let kind = |c: RuleCategory| match c {
        RuleCategory::Base => t(Word::PointsBase),
        RuleCategory::Bonus => t(Word::PointsBonus),
        RuleCategory::Deduction => t(Word::Deductions),
    };
    let body = html! {
        h1 { (title) }
        div.card {
            p { (t(Word::StatementMember)) ": " strong #member { (issued.member.name) } }
            p { (t(Word::StatementBranch)) ": " (issued.branch.name) }
            p { (t(Word::StatementIssuedAt)) ": " (date_time(lang, s.issued_at)) }
        }
        div.scroll {
            table.totals #totals {
                caption { (t(Word::ByQuarter)) }
                thead { tr {
                    th scope="col" { (t(Word::PointsQuarter)) }
                    th scope="col" { (t(Word::PointsBase)) }
                    th scope="col" { (t(Word::PointsBonus)) }
                    th scope="col" { (t(Word::Deductions)) }
                    th scope="col" { (t(Word::StatementTotal)) }
                } }
                tbody {
                    @for q in &sum.quarters {
                        tr {
                            th scope="row" { "Q" (q.quarter) }
                            td { (q.base) } td { (q.bonus) } td { (points(q.deduction)) } td { (points(q.total)) }
                        }
                    }
                    tr {
                        th scope="row" { (t(Word::WholeYear)) }
                        td { (s.base) } td { (s.bonus) } td { (points(s.deduction)) }
                        td { strong { (points(s.total)) } }
                    }
                }
            }
        }
        h2 { (t(Word::StatementEntries)) }
        @if sum.entries.is_empty() {
            p.card.calm { (t(Word::StatementNoEntries)) }
        } @else {
            div.scroll {
                table #entries {
                    thead { tr {
                        th scope="col" { (t(Word::StatementDate)) }
                        th scope="col" { (t(Word::StatementCategory)) }
                        th scope="col" { (t(Word::StatementPoints)) }
                        th.note scope="col" { (t(Word::StatementItem)) }
                    } }
                    tbody {
                        @for e in &sum.entries {
                            tr {
                                td { (date(lang, e.created_at)) }
                                td { (kind(e.category)) }
                                td { (points(e.points)) }
                                td.note { (e.note) }
                            }
                        }
                    }
                }
            }
        }
        div.foot {
            (qr_svg(&verify, t(Word::StatementCheckCode)))
            div.sign {
                p { (t(Word::StatementCheckCode)) ": " span.code #check-code { (grouped(&s.check_code)) } }
                p.hint { (Word::StatementVerifyHint.fill(lang, &[("url", &verify)])) }
                p.anchor { (t(Word::AuditAnchor)) ": " (s.branch_id) ":" (s.chain_seq) ":" (s.chain_hash) }
            }
        }
    };
    page(lang, &title, body)
}
