//! The rules behind the evidence warnings the reviewing committee sees beside a deed: how far a
//! reported place lies from the branch's usual area, and whether a photo's own capture time and
//! place agree with the deed's. Warnings inform; nothing here refuses a deed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Mean radius of the earth, in metres (the IUGG mean radius, as haversine distances use).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A photo taken more than this long before or after the deed's time does not agree with it.
pub const TIME_TOLERANCE: Duration = Duration::hours(48);

/// How far a photo may be taken from the deed's place, when the branch has not set an area radius.
pub const PLACE_TOLERANCE_M: u32 = 2_000;

/// The radius of a usual area found as the median of a branch's approved places.
pub const MEDIAN_AREA_RADIUS_M: u32 = 5_000;

/// Approved places needed before their median counts as the branch's usual area.
pub const MEDIAN_AREA_MIN_PLACES: usize = 3;

/// A point on the earth in degrees (WGS-84, as phones and EXIF give them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLng {
    pub lat: f64,
    pub lng: f64,
}

/// The great-circle distance between two points, in metres.
pub fn distance_m(a: LatLng, b: LatLng) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = (b.lat - a.lat).to_radians();
    let d_lambda = (b.lng - a.lng).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// The centre of a branch's usual area from the places of its approved deeds: the median latitude
/// and the median longitude, which one deed reported far away cannot drag along (a mean would).
/// None with fewer than [`MEDIAN_AREA_MIN_PLACES`] places.
pub fn median_centre(places: &[LatLng]) -> Option<LatLng> {
    if places.len() < MEDIAN_AREA_MIN_PLACES {
        return None;
    }
    let mut lats: Vec<f64> = places.iter().map(|p| p.lat).collect();
    let mut lngs: Vec<f64> = places.iter().map(|p| p.lng).collect();
    Some(LatLng {
        lat: median(&mut lats),
        lng: median(&mut lngs),
    })
}

/// Whether a photo's own capture data agrees with the deed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    Agrees,
    Disagrees,
    /// The photo or the deed does not say (no capture time or place, or no coordinates reported).
    Unknown,
}

/// A photo's capture time against the deed's time: agrees within [`TIME_TOLERANCE`] either way.
pub fn time_agreement(taken_at: Option<DateTime<Utc>>, occurred_at: DateTime<Utc>) -> Agreement {
    match taken_at {
        None => Agreement::Unknown,
        Some(t) if (t - occurred_at).abs() <= TIME_TOLERANCE => Agreement::Agrees,
        Some(_) => Agreement::Disagrees,
    }
}

/// A photo's capture place against the deed's place: agrees within `tolerance_m`.
pub fn place_agreement(
    taken: Option<LatLng>,
    reported: Option<LatLng>,
    tolerance_m: u32,
) -> Agreement {
    match (taken, reported) {
        (Some(t), Some(r)) if distance_m(t, r) <= f64::from(tolerance_m) => Agreement::Agrees,
        (Some(_), Some(_)) => Agreement::Disagrees,
        _ => Agreement::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZHENGZHOU: LatLng = LatLng {
        lat: 34.7466,
        lng: 113.6253,
    };
    const BEIJING: LatLng = LatLng {
        lat: 39.9042,
        lng: 116.4074,
    };

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn distances_match_known_ones() {
        let d = distance_m(ZHENGZHOU, BEIJING);
        assert!(
            (d - 622_000.0).abs() < 5_000.0,
            "郑州–北京 is about 622 km: {d}"
        );
        assert_eq!(distance_m(BEIJING, BEIJING), 0.0);
        let a_degree_north = LatLng { lat: 1.0, lng: 0.0 };
        let d = distance_m(LatLng { lat: 0.0, lng: 0.0 }, a_degree_north);
        assert!((d - 111_195.0).abs() < 10.0, "one degree of latitude: {d}");
        let antipode = distance_m(
            LatLng { lat: 0.0, lng: 0.0 },
            LatLng {
                lat: 0.0,
                lng: 180.0,
            },
        );
        assert!((antipode - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1.0);
    }

    #[test]
    fn the_median_ignores_one_place_far_away() {
        let village = |d: f64| LatLng {
            lat: 34.75 + d,
            lng: 113.62 + d,
        };
        let places = [village(0.0), village(0.01), village(-0.01), BEIJING];
        let centre = median_centre(&places).unwrap();
        assert!(distance_m(centre, village(0.0)) < 1_500.0, "{centre:?}");
        assert_eq!(median_centre(&places[..2]), None, "two places are too few");
    }

    #[test]
    fn capture_times_within_two_days_agree() {
        let deed = at("2026-05-20T10:00:00+08:00");
        let cases = [
            (
                Some("2026-05-20T09:30:00+08:00"),
                Agreement::Agrees,
                "the same morning",
            ),
            (
                Some("2026-05-22T10:00:00+08:00"),
                Agreement::Agrees,
                "exactly 48 h later",
            ),
            (
                Some("2026-05-18T09:00:00+08:00"),
                Agreement::Disagrees,
                "49 h before",
            ),
            (
                Some("2025-05-20T10:00:00+08:00"),
                Agreement::Disagrees,
                "a year before",
            ),
            (None, Agreement::Unknown, "no capture time"),
        ];
        for (taken, want, why) in cases {
            assert_eq!(time_agreement(taken.map(at), deed), want, "{why}");
        }
    }

    #[test]
    fn capture_places_within_the_tolerance_agree() {
        let near = LatLng {
            lat: ZHENGZHOU.lat + 0.01,
            lng: ZHENGZHOU.lng,
        };
        let cases = [
            (
                Some(near),
                Some(ZHENGZHOU),
                2_000,
                Agreement::Agrees,
                "1.1 km apart",
            ),
            (
                Some(near),
                Some(ZHENGZHOU),
                1_000,
                Agreement::Disagrees,
                "beyond 1 km",
            ),
            (
                Some(BEIJING),
                Some(ZHENGZHOU),
                2_000,
                Agreement::Disagrees,
                "another city",
            ),
            (
                None,
                Some(ZHENGZHOU),
                2_000,
                Agreement::Unknown,
                "no photo place",
            ),
            (
                Some(near),
                None,
                2_000,
                Agreement::Unknown,
                "no reported place",
            ),
        ];
        for (taken, reported, tolerance, want, why) in cases {
            assert_eq!(place_agreement(taken, reported, tolerance), want, "{why}");
        }
    }
}
