//! Charts drawn as SVG by the app itself (a chart crate would weigh more than the screens that use
//! them): stacked bars, horizontal bars that sort and drill down, and a small line chart. Each is a
//! `<figure>` with its title, an SVG with `role="img"` and a summary for screen readers, a
//! `<title>` on every bar or point, and the numbers printed on the chart so a phone or a sheet of
//! A4 needs no tooltip. Coordinates are whole numbers of a fixed-width view box that scales to its
//! column: about 1:1 on a 390 px phone.

mod hbars;
mod line;
mod numbers;
mod stacked;

pub use hbars::{BarRow, HBars};
pub use line::LineChart;
pub use numbers::{decimal, nice_ceiling, percent};
pub use stacked::{StackGroup, StackedBars};

use leptos::prelude::*;

/// The width of every chart's view box.
const WIDTH: i32 = 360;

/// One series of a chart: its name in the legend and the CSS class that colours it. `down` series
/// are drawn below the zero line (deductions) or labelled below their points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub class: &'static str,
    pub down: bool,
}

impl Series {
    pub fn new(label: impl Into<String>, class: &'static str) -> Self {
        Self {
            label: label.into(),
            class,
            down: false,
        }
    }

    pub fn down(self) -> Self {
        Self { down: true, ..self }
    }
}

/// The series' colours and names, under the chart.
#[component]
fn Legend(series: Vec<Series>) -> impl IntoView {
    view! {
        <ul class="chart-legend" aria-hidden="true">
            {series.into_iter().map(|s| view! {
                <li><span class=format!("swatch {}", s.class)></span>{s.label}</li>
            }).collect_view()}
        </ul>
    }
}
