//! The units directly below, one row each, the name a link one level down: the bar chart's numbers
//! as a table, for reading, for keyboards and screen readers, and for print.

use jifen_shared::api::UnitFigures;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use super::crumbs::href;
use super::figures::rate;
use crate::i18n::tr;

#[component]
pub fn UnitsTable(children: Vec<UnitFigures>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="quarters stats-table" id="stats-units">
                <caption>{tr(Word::StatsUnitsBelow)}</caption>
                <thead><tr>
                    <th scope="col">{tr(Word::StatsName)}</th>
                    <th scope="col">{tr(Word::StatsMembers)}</th>
                    <th scope="col">{tr(Word::StatsParticipation)}</th>
                    <th scope="col">{tr(Word::StatsPointsSum)}</th>
                    <th scope="col">{tr(Word::StatsAttendance)}</th>
                    <th scope="col">{tr(Word::StatsDeedsWaiting)}</th>
                    <th scope="col">{tr(Word::StatsUnderAlert)}</th>
                </tr></thead>
                <tbody>
                    {children.into_iter().map(|u| {
                        let attendance = u.meetings.and_then(|m| m.attendance.rate);
                        view! {
                            <tr data-id=u.org_unit_id.clone()>
                                <th scope="row"><A href=href(&u.org_unit_id)>{u.name}</A></th>
                                <td>{u.members.active + u.members.migrant}</td>
                                <td class="participation">{rate(u.participation.rate)}</td>
                                <td>{u.points.total.sum}</td>
                                <td>{rate(attendance)}</td>
                                <td>{u.deeds.submitted}</td>
                                <td>{u.under_alert}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
