//! Horizontal bars, a row per unit with a bar per series (participation, attendance), each bar's
//! number printed at its end. The reader sorts the rows by name or by a series, and taps a row to
//! go down into that unit. Rows are tall enough to tap on a phone.

use leptos::prelude::*;

use super::{Legend, Series, WIDTH};

/// One row: who it is, each series' value (absent: nothing to measure) and its printed text.
#[derive(Clone, Debug, PartialEq)]
pub struct BarRow {
    pub id: String,
    pub label: String,
    pub values: Vec<Option<f64>>,
    pub texts: Vec<String>,
}

/// The name line above a row's bars, each bar with its gap, the gap under a row.
const LABEL: i32 = 22;
const BAR: i32 = 22;
const BAR_GAP: i32 = 4;
const ROW_GAP: i32 = 12;
/// Room at the right for the printed number of a full bar (`100%`).
const VALUE_ROOM: i32 = 58;

/// How the rows are ordered: as given (by name, the way the server sorts names), or by one
/// series, highest first (rows without a value last; equal values keep their order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Name,
    Series(usize),
}

fn sorted(mut rows: Vec<BarRow>, order: Order) -> Vec<BarRow> {
    match order {
        Order::Name => {}
        Order::Series(i) => rows.sort_by(|a, b| {
            let (a, b) = (
                a.values.get(i).copied().flatten(),
                b.values.get(i).copied().flatten(),
            );
            match (a, b) {
                (Some(a), Some(b)) => b.total_cmp(&a),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        }),
    }
    rows
}

#[component]
pub fn HBars(
    id: &'static str,
    title: String,
    /// What the chart shows, in words, for screen readers.
    summary: String,
    series: Vec<Series>,
    rows: Vec<BarRow>,
    /// The value of a full bar (1 for rates).
    max: f64,
    /// The sort buttons' group name, and the name button's text.
    sort_label: String,
    name_label: String,
    /// Printed where a row has no value for a series.
    missing: String,
    /// A row was tapped: its id.
    #[prop(optional, into)]
    on_pick: Option<Callback<String>>,
) -> impl IntoView {
    let order = RwSignal::new(Order::Name);
    let rows = StoredValue::new(rows);
    let lanes = series.len() as i32;
    let row_height = LABEL + lanes * (BAR + BAR_GAP) + ROW_GAP;
    let count = rows.with_value(Vec::len) as i32;
    let height = (count * row_height).max(row_height);
    let full = f64::from(WIDTH - VALUE_ROOM);
    let max = if max > 0.0 { max } else { 1.0 };
    let classes: Vec<(&'static str, String)> =
        series.iter().map(|s| (s.class, s.label.clone())).collect();
    let classes = StoredValue::new(classes);
    let missing = StoredValue::new(missing);

    let sort_button = move |label: String, which: Order| {
        let key = match which {
            Order::Name => "name".to_owned(),
            Order::Series(i) => i.to_string(),
        };
        view! {
            <button type="button" class="btn btn-mini" data-sort=key
                aria-pressed={move || if order.get() == which { "true" } else { "false" }}
                on:click=move |_| order.set(which)>{label}</button>
        }
    };
    let buttons = std::iter::once(sort_button(name_label, Order::Name))
        .chain(
            series
                .iter()
                .enumerate()
                .map(|(i, s)| sort_button(s.label.clone(), Order::Series(i))),
        )
        .collect_view();

    let picked = move |id: String| {
        if let Some(pick) = on_pick {
            pick.run(id);
        }
    };
    let drawn = move || {
        let rows = sorted(rows.get_value(), order.get());
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| {
                let top = i as i32 * row_height;
                let bars = classes.with_value(|classes| {
                    classes
                        .iter()
                        .enumerate()
                        .map(|(lane, (class, name))| {
                            let y = top + LABEL + lane as i32 * (BAR + BAR_GAP);
                            let value = row.values.get(lane).copied().flatten();
                            let text = row.texts.get(lane).cloned().unwrap_or_default();
                            let width = value
                                .map(|v| ((v / max).clamp(0.0, 1.0) * full).round() as i32)
                                .unwrap_or(0);
                            let shown = if value.is_some() {
                                text
                            } else {
                                missing.get_value()
                            };
                            let title = format!("{} · {name}: {shown}", row.label);
                            view! {
                                <rect class=format!("lane {class}") x="0" y=y width=WIDTH - VALUE_ROOM height=BAR></rect>
                                <rect class=*class x="0" y=y width=width height=BAR><title>{title}</title></rect>
                                <text class="bar-value" x=width + 6 y=y + 16>{shown}</text>
                            }
                        })
                        .collect_view()
                });
                let pick_id = row.id.clone();
                view! {
                    <g class={if on_pick.is_some() { "bar-row pick" } else { "bar-row" }} data-id=row.id.clone()
                        on:click=move |_| picked(pick_id.clone())>
                        <text class="row-label" x="0" y=top + 16>{row.label.clone()}</text>
                        {bars}
                        <rect class="hit" x="0" y=top width=WIDTH height=row_height></rect>
                    </g>
                }
            })
            .collect_view()
    };
    view! {
        <figure class="chart" id=id>
            <figcaption class="chart-title">{title}</figcaption>
            <div class="chart-sort" role="group" aria-label=sort_label>{buttons}</div>
            <svg class="chart-svg" role="img" aria-label=summary viewBox=format!("0 0 {WIDTH} {height}")
                preserveAspectRatio="xMidYMin meet">
                {drawn}
            </svg>
            <Legend series/>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, value: Option<f64>) -> BarRow {
        BarRow {
            id: label.to_owned(),
            label: label.to_owned(),
            values: vec![value],
            texts: vec![],
        }
    }

    #[test]
    fn rows_sort_by_value_highest_first_and_without_a_value_last() {
        let rows = vec![
            row("a", Some(0.2)),
            row("b", None),
            row("c", Some(0.9)),
            row("d", Some(0.2)),
        ];
        let by_value: Vec<_> = sorted(rows.clone(), Order::Series(0))
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(by_value, ["c", "a", "d", "b"]);
        let by_name: Vec<_> = sorted(rows, Order::Name)
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(by_name, ["a", "b", "c", "d"]);
    }
}
