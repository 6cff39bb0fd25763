//! Numbers as the charts print them, by hand: core's float formatting would add kilobytes to the
//! download for a decimal point.

/// `0.667` → `67%`.
pub fn percent(rate: f64) -> String {
    format!("{}%", (rate * 100.0).round() as i64)
}

/// One decimal, none for a whole number: `12` → `12`, `3.25` → `3.3`, `-0.5` → `-0.5`.
pub fn decimal(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    match (t / 10, t % 10) {
        (whole, 0) => format!("{sign}{whole}"),
        (whole, tenth) => format!("{sign}{whole}.{tenth}"),
    }
}

/// The smallest round number (1, 2 or 5 times a power of ten) at or above `max`, for the top of
/// an axis; 1 for nothing to show.
pub fn nice_ceiling(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    let mut step = 1.0;
    while step > max {
        step /= 10.0;
    }
    while step * 10.0 < max {
        step *= 10.0;
    }
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * step)
        .find(|top| *top >= max)
        .unwrap_or(step * 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_whole() {
        for (rate, shown) in [
            (0.0, "0%"),
            (2.0 / 3.0, "67%"),
            (1.0, "100%"),
            (0.005, "1%"),
        ] {
            assert_eq!(percent(rate), shown, "{rate}");
        }
    }

    #[test]
    fn decimals_keep_one_place_and_the_sign() {
        for (x, shown) in [
            (12.0, "12"),
            (3.25, "3.3"),
            (-0.5, "-0.5"),
            (0.04, "0"),
            (7.96, "8"),
        ] {
            assert_eq!(decimal(x), shown, "{x}");
        }
    }

    #[test]
    fn axis_tops_are_round() {
        for (max, top) in [
            (0.0, 1.0),
            (1.0, 1.0),
            (1.2, 2.0),
            (3.0, 5.0),
            (7.0, 10.0),
            (48.0, 50.0),
            (120.0, 200.0),
            (0.3, 0.5),
        ] {
            assert!((nice_ceiling(max) - top).abs() < 1e-9, "{max} → {top}");
        }
    }
}
