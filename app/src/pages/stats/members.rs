//! A branch's members in the period: a table the reader sorts by name, points, approved deeds or
//! attendance, each name a link to that member's own figures.

use jifen_shared::api::MemberFigures;
use jifen_shared::domain::MemberStatus;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use super::figures::{rate, Card};
use crate::components::EmptyState;
use crate::i18n::{lang, tr};

/// The column the table is sorted by: names as the server sorted them, the rest highest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Name,
    Total,
    Approved,
    Attendance,
}

impl Column {
    /// Names the column's sort button for tests and styles.
    fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Total => "total",
            Column::Approved => "approved",
            Column::Attendance => "attendance",
        }
    }
}

fn sorted(mut rows: Vec<MemberFigures>, by: Column) -> Vec<MemberFigures> {
    match by {
        Column::Name => {}
        Column::Total => rows.sort_by_key(|m| std::cmp::Reverse(m.total)),
        Column::Approved => rows.sort_by_key(|m| std::cmp::Reverse(m.deeds_approved)),
        Column::Attendance => rows.sort_by(|a, b| {
            let (a, b) = (a.attendance.rate, b.attendance.rate);
            b.unwrap_or(-1.0).total_cmp(&a.unwrap_or(-1.0))
        }),
    }
    rows
}

/// `aria-sort` of `column`'s header while the table is sorted `by`.
fn sort_state(by: Column, column: Column) -> &'static str {
    match (by == column, column) {
        (false, _) => "none",
        (true, Column::Name) => "ascending",
        (true, _) => "descending",
    }
}

/// The link to one member's figures in branch `org`.
pub fn member_href(org: &str, member: &str) -> String {
    format!("/stats?org={org}&member={member}")
}

#[component]
pub fn MembersTable(members: Vec<MemberFigures>, org: String) -> impl IntoView {
    if members.is_empty() {
        return view! { <EmptyState text=tr(Word::StatsNoMembers)/> }.into_any();
    }
    let by = RwSignal::new(Column::Name);
    let members = StoredValue::new(members);
    let org = StoredValue::new(org);
    let header = move |word: Word, column: Column| {
        view! {
            <th scope="col" aria-sort=move || sort_state(by.get(), column)>
                <button type="button" class="sort-header" data-sort=column.key()
                    on:click=move |_| by.set(column)>{tr(word)}</button>
            </th>
        }
    };
    let rows = move || {
        let org = org.get_value();
        sorted(members.get_value(), by.get())
            .into_iter()
            .map(|m| {
                view! {
                    <tr data-id=m.member_id.clone()>
                        <th scope="row">
                            <A href=member_href(&org, &m.member_id)>{m.name.clone()}</A>
                            {(m.status == MemberStatus::Migrant).then(|| view! {
                                " " <span class="badge badge-withdrawn">{tr(Word::StatsMigrant)}</span>
                            })}
                        </th>
                        <td>{m.base}</td>
                        <td>{m.bonus}</td>
                        <td>{m.deduction}</td>
                        <td class="member-total">{m.total}</td>
                        <td>{m.deeds_approved}</td>
                        <td>{m.deeds_waiting}</td>
                        <td>{rate(m.attendance.rate)}</td>
                        <td>{m.under_alert.then(|| view! {
                            <span class="badge badge-rejected">{tr(Word::StatsUnderAlert)}</span>
                        })}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="table-scroll">
            <table class="quarters stats-table" id="stats-members">
                <caption>{tr(Word::StatsMembersTable)}</caption>
                <thead><tr>
                    {header(Word::Name, Column::Name)}
                    <th scope="col">{tr(Word::Base)}</th>
                    <th scope="col">{tr(Word::Bonus)}</th>
                    <th scope="col">{tr(Word::Deduct)}</th>
                    {header(Word::PointsTotal, Column::Total)}
                    {header(Word::StatsDeedsApproved, Column::Approved)}
                    <th scope="col">{tr(Word::StatsDeedsWaiting)}</th>
                    {header(Word::StatsAttendance, Column::Attendance)}
                    <th scope="col">{tr(Word::StatsUnderAlert)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One member's figures in the period, as cards.
#[component]
pub fn MemberPanel(member: MemberFigures) -> impl IntoView {
    let a = member.attendance;
    let attended = Word::StatsMemberAttended.fill(lang(), &[("count", &a.count), ("of", &a.of)]);
    view! {
        <h2 class="stats-unit" id="stats-member">{member.name.clone()}</h2>
        {member.under_alert.then(|| view! { <p class="notice">{tr(Word::StatsUnderAlert)}</p> })}
        <div class="cards stat-cards">
            <Card id="member-total" label=Word::PointsTotal value=member.total.to_string() class="card-total"/>
            <Card id="member-base" label=Word::Base value=member.base.to_string()/>
            <Card id="member-bonus" label=Word::Bonus value=member.bonus.to_string()/>
            <Card id="member-deduction" label=Word::Deduct value=member.deduction.to_string()/>
            <Card id="member-approved" label=Word::StatsDeedsApproved value=member.deeds_approved.to_string()/>
            <Card id="member-waiting" label=Word::StatsDeedsWaiting value=member.deeds_waiting.to_string()/>
            <Card id="member-attendance" label=Word::StatsAttendance value=rate(a.rate)
                detail={if a.of > 0 { attended } else { String::new() }}/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jifen_shared::api::Share;

    fn member(name: &str, total: i32, attended: Option<(u32, u32)>) -> MemberFigures {
        let (count, of) = attended.unwrap_or((0, 0));
        MemberFigures {
            member_id: name.to_owned(),
            name: name.to_owned(),
            status: MemberStatus::Active,
            base: 0,
            bonus: total,
            deduction: 0,
            total,
            deeds_approved: 0,
            deeds_waiting: 0,
            attendance: Share::new(count, of),
            under_alert: false,
        }
    }

    fn names(rows: Vec<MemberFigures>) -> Vec<String> {
        rows.into_iter().map(|m| m.name).collect()
    }

    #[test]
    fn members_sort_highest_first_and_those_never_expected_last() {
        let rows = vec![
            member("a", 3, Some((1, 2))),
            member("b", 9, None),
            member("c", -5, Some((2, 2))),
        ];
        assert_eq!(names(sorted(rows.clone(), Column::Name)), ["a", "b", "c"]);
        assert_eq!(names(sorted(rows.clone(), Column::Total)), ["b", "a", "c"]);
        assert_eq!(names(sorted(rows, Column::Attendance)), ["c", "a", "b"]);
    }
}
