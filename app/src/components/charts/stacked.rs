//! Stacked vertical bars: one bar per group (a quarter), its series stacked up from the zero line,
//! `down` series (deductions) stacked below it. Each stack's sum is printed at its end and each
//! segment's amount inside it when there is room.

use leptos::prelude::*;

use super::{Legend, Series, WIDTH};

/// One bar: its label under the axis and an amount per series (in the order of the series).
#[derive(Clone, Debug, PartialEq)]
pub struct StackGroup {
    pub label: String,
    pub values: Vec<i64>,
}

/// Room above the bars for the sums, the bars' full height, room under them.
const TOP: f64 = 26.0;
const BARS: f64 = 200.0;
const SUM_BELOW: i32 = 24;
const AXIS_LABELS: i32 = 30;
/// A segment shorter than this has no room for its number (its `<title>` still has it).
const LABEL_ROOM: f64 = 20.0;

struct Segment {
    x: i32,
    y: i32,
    width: i32,
    height: i32,
    class: &'static str,
    value: i64,
    title: String,
}

#[component]
pub fn StackedBars(
    /// The figure's id, for links and tests.
    id: &'static str,
    title: String,
    /// What the chart shows, in words, for screen readers.
    summary: String,
    series: Vec<Series>,
    groups: Vec<StackGroup>,
) -> impl IntoView {
    let stack = |g: &StackGroup, down: bool| -> i64 {
        series
            .iter()
            .zip(&g.values)
            .filter(|(s, _)| s.down == down)
            .map(|(_, v)| (*v).max(0))
            .sum()
    };
    let up_max = groups.iter().map(|g| stack(g, false)).max().unwrap_or(0);
    let down_max = groups.iter().map(|g| stack(g, true)).max().unwrap_or(0);
    let range = (up_max + down_max).max(1) as f64;
    let scale = BARS / range;
    let zero = TOP + up_max as f64 * scale;
    // Room under the zero line for the deductions' sums only when there are any.
    let sums_below = if down_max > 0 { SUM_BELOW } else { 4 };
    let height = (zero + down_max as f64 * scale) as i32 + sums_below + AXIS_LABELS;
    let slot = f64::from(WIDTH) / groups.len().max(1) as f64;
    let bar = (slot * 0.6).min(72.0);

    let mut segments = Vec::new();
    let mut sums = Vec::new();
    let mut labels = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let center = slot * i as f64 + slot / 2.0;
        let x = (center - bar / 2.0) as i32;
        let (mut above, mut below) = (zero, zero);
        for (s, v) in series.iter().zip(&g.values) {
            let v = (*v).max(0);
            let h = v as f64 * scale;
            let y = if s.down {
                below += h;
                below - h
            } else {
                above -= h;
                above
            };
            segments.push(Segment {
                x,
                y: y as i32,
                width: bar as i32,
                height: h.round() as i32,
                class: s.class,
                value: v,
                title: format!("{} · {}: {v}", g.label, s.label),
            });
        }
        let cx = center as i32;
        sums.push((cx, above as i32 - 8, stack(g, false).to_string()));
        let taken = stack(g, true);
        if taken > 0 {
            sums.push((cx, below as i32 + 18, format!("-{taken}")));
        }
        labels.push((cx, g.label.clone()));
    }
    let axis_y = height - 8;
    let zero_y = zero as i32;
    view! {
        <figure class="chart" id=id>
            <figcaption class="chart-title">{title}</figcaption>
            <svg class="chart-svg" role="img" aria-label=summary viewBox=format!("0 0 {WIDTH} {height}")
                preserveAspectRatio="xMidYMin meet">
                {segments.into_iter().map(|s| {
                    let room = f64::from(s.height) >= LABEL_ROOM && s.value > 0;
                    let (tx, ty) = (s.x + s.width / 2, s.y + s.height / 2 + 5);
                    view! {
                        <g class="segment">
                            <rect class=s.class x=s.x y=s.y width=s.width height=s.height>
                                <title>{s.title}</title>
                            </rect>
                            {room.then(|| view! {
                                <text class="on-bar" x=tx y=ty text-anchor="middle">{s.value}</text>
                            })}
                        </g>
                    }
                }).collect_view()}
                <line class="axis" x1="0" x2=WIDTH y1=zero_y y2=zero_y></line>
                {sums.into_iter().map(|(x, y, text)| view! {
                    <text class="bar-value" x=x y=y text-anchor="middle">{text}</text>
                }).collect_view()}
                {labels.into_iter().map(|(x, text)| view! {
                    <text class="axis-label" x=x y=axis_y text-anchor="middle">{text}</text>
                }).collect_view()}
            </svg>
            <Legend series/>
        </figure>
    }
}
