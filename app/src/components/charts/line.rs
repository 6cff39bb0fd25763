//! A small line chart: a few points per series (a year's quarters), a line through the points that
//! have a value, each value printed by its point (above it, or below for a `down` series), and
//! three labelled grid lines.

use leptos::prelude::*;

use super::{decimal, nice_ceiling, Legend, Series, WIDTH};

const LEFT: i32 = 40;
const RIGHT: i32 = 16;
const TOP: i32 = 24;
const PLOT: i32 = 160;
const AXIS_LABELS: i32 = 34;

#[component]
pub fn LineChart(
    id: &'static str,
    title: String,
    /// What the chart shows, in words, for screen readers.
    summary: String,
    /// The points along the axis (quarters).
    labels: Vec<String>,
    series: Vec<Series>,
    /// Per series, a value per label (absent: nothing to measure there).
    values: Vec<Vec<Option<f64>>>,
) -> impl IntoView {
    let top = nice_ceiling(
        values
            .iter()
            .flatten()
            .flatten()
            .copied()
            .fold(0.0, f64::max),
    );
    let height = TOP + PLOT + AXIS_LABELS;
    let n = labels.len().max(1) as f64;
    let plot_width = f64::from(WIDTH - LEFT - RIGHT);
    let x_of = |i: usize| LEFT + (plot_width * (i as f64 + 0.5) / n) as i32;
    let y_of = |v: f64| TOP + PLOT - ((v / top).clamp(0.0, 1.0) * f64::from(PLOT)) as i32;

    let grid = [0.0, top / 2.0, top]
        .into_iter()
        .map(|v| {
            let y = y_of(v);
            view! {
                <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=y y2=y></line>
                <text class="axis-label" x=LEFT - 6 y=y + 5 text-anchor="end">{decimal(v)}</text>
            }
        })
        .collect_view();
    let lines = series
        .iter()
        .zip(&values)
        .map(|(s, points)| {
            // A line through each run of points that have a value.
            let mut runs: Vec<Vec<(i32, i32)>> = vec![Vec::new()];
            for (i, v) in points.iter().enumerate() {
                match (v, runs.last_mut()) {
                    (Some(v), Some(run)) => run.push((x_of(i), y_of(*v))),
                    _ => runs.push(Vec::new()),
                }
            }
            let paths = runs
                .into_iter()
                .filter(|r| r.len() > 1)
                .map(|r| {
                    let points = r
                        .iter()
                        .map(|(x, y)| format!("{x},{y}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    view! { <polyline class=format!("line {}", s.class) points=points></polyline> }
                })
                .collect_view();
            let dots = points
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i, v)))
                .map(|(i, v)| {
                    let (x, y) = (x_of(i), y_of(v));
                    // Below the point for a `down` series, unless the axis labels are there:
                    // then to its left.
                    let (label_x, label_y, anchor) = match s.down {
                        false => (x, y - 10, "middle"),
                        true if y + 22 < TOP + PLOT + 8 => (x, y + 22, "middle"),
                        true => (x - 10, y + 5, "end"),
                    };
                    let title = format!(
                        "{} · {}: {}",
                        labels.get(i).cloned().unwrap_or_default(),
                        s.label,
                        decimal(v)
                    );
                    view! {
                        <circle class=s.class cx=x cy=y r="5"><title>{title}</title></circle>
                        <text class="bar-value" x=label_x y=label_y text-anchor=anchor>{decimal(v)}</text>
                    }
                })
                .collect_view();
            view! { <g>{paths}{dots}</g> }
        })
        .collect_view();
    let axis = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            view! { <text class="axis-label" x=x_of(i) y=height - 8 text-anchor="middle">{l.clone()}</text> }
        })
        .collect_view();
    view! {
        <figure class="chart" id=id>
            <figcaption class="chart-title">{title}</figcaption>
            <svg class="chart-svg" role="img" aria-label=summary viewBox=format!("0 0 {WIDTH} {height}")
                preserveAspectRatio="xMidYMin meet">
                {grid}
                {lines}
                {axis}
            </svg>
            <Legend series/>
        </figure>
    }
}
