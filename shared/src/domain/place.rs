use super::{PlaceName, TextError};

/// Where a deed happened: a name people recognise, and optionally the coordinates the phone gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    name: PlaceName,
    coordinates: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("place name {0}")]
    Name(TextError),
    #[error("latitude must be between -90 and 90")]
    Latitude,
    #[error("longitude must be between -180 and 180")]
    Longitude,
    #[error("latitude and longitude come together or not at all")]
    HalfCoordinates,
}

impl Place {
    pub fn parse(name: &str, lat: Option<f64>, lng: Option<f64>) -> Result<Self, PlaceError> {
        let name = PlaceName::parse(name).map_err(PlaceError::Name)?;
        let coordinates = match (lat, lng) {
            (None, None) => None,
            (Some(lat), Some(lng)) => {
                if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                    return Err(PlaceError::Latitude);
                }
                if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
                    return Err(PlaceError::Longitude);
                }
                Some((lat, lng))
            }
            _ => return Err(PlaceError::HalfCoordinates),
        };
        Ok(Self { name, coordinates })
    }

    pub fn name(&self) -> &PlaceName {
        &self.name
    }

    pub fn lat(&self) -> Option<f64> {
        self.coordinates.map(|c| c.0)
    }

    pub fn lng(&self) -> Option<f64> {
        self.coordinates.map(|c| c.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_with_valid_coordinates_is_accepted() {
        let p = Place::parse("村委会", Some(34.75), Some(113.62)).unwrap();
        assert_eq!(p.name().as_str(), "村委会");
        assert_eq!(p.lat(), Some(34.75));
    }

    #[test]
    fn coordinates_out_of_range_are_refused() {
        let cases = [
            (
                Some(90.1),
                Some(0.0),
                PlaceError::Latitude,
                "latitude above 90",
            ),
            (
                Some(-91.0),
                Some(0.0),
                PlaceError::Latitude,
                "latitude below -90",
            ),
            (
                Some(0.0),
                Some(180.5),
                PlaceError::Longitude,
                "longitude above 180",
            ),
            (
                Some(f64::NAN),
                Some(0.0),
                PlaceError::Latitude,
                "NaN latitude",
            ),
            (
                Some(1.0),
                None,
                PlaceError::HalfCoordinates,
                "latitude alone",
            ),
        ];
        for (lat, lng, want, why) in cases {
            assert_eq!(Place::parse("村口", lat, lng), Err(want), "{why}");
        }
    }
}
