//! The page that checks a printed statement's code, for anyone: the masked name, the branch, the
//! year, the totals and when it was issued; or that it was replaced; or that no statement has it.

use jifen_shared::api::{StatementCheck, StatementStanding};
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use maud::{html, Markup};

use super::{date_time, page, points};

pub fn found(lang: Lang, c: &StatementCheck) -> Markup {
    let t = |w: Word| w.text(lang);
    page(
        lang,
        t(Word::VerifyTitle),
        html! {
            h1 { (t(Word::VerifyTitle)) }
            @match (c.standing, c.superseded_at) {
                (StatementStanding::Superseded, Some(at)) => {
                    p.notice #standing role="status" {
                        (Word::VerifySuperseded.fill(lang, &[("at", &date_time(lang, at))]))
                    }
                }
                _ => { p.ok #standing role="status" { (t(Word::VerifyCurrent)) } }
            }
            div.card {
                p { (t(Word::StatementCheckCode)) ": " span.code { (c.check_code) } }
                p { (t(Word::StatementMember)) ": " (c.member_name) }
                p { (t(Word::StatementBranch)) ": " (c.branch_name) }
                p { (t(Word::StatementIssuedAt)) ": " (date_time(lang, c.issued_at)) }
            }
            table.totals #totals {
                caption { (Word::StatementTitle.fill(lang, &[("year", &c.year)])) }
                thead { tr {
                    th scope="col" { (t(Word::PointsBase)) }
                    th scope="col" { (t(Word::PointsBonus)) }
                    th scope="col" { (t(Word::Deductions)) }
                    th scope="col" { (t(Word::StatementTotal)) }
                } }
                tbody { tr {
                    td { (c.base) } td { (c.bonus) } td { (points(c.deduction)) } td { (points(c.total)) }
                } }
            }
        },
    )
}

pub fn unknown(lang: Lang) -> Markup {
    let t = |w: Word| w.text(lang);
    page(
        lang,
        t(Word::VerifyTitle),
        html! {
            h1 { (t(Word::VerifyTitle)) }
            p.card.calm #standing role="status" { (t(Word::VerifyUnknown)) }
        },
    )
}
