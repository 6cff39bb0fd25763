use serde::{Deserialize, Serialize};

/// A number of points on one entry or rule. Bounded so a typo (10000 for 10) is caught at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Points(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    #[error("points must be between -{max} and {max}")]
    OutOfRange { max: i32 },
    #[error("points must not be zero")]
    Zero,
}

impl Points {
    /// The largest value a single rule or entry may carry.
    pub const MAX: i32 = 1000;

    pub fn parse(value: i32) -> Result<Self, PointsError> {
        if value == 0 {
            return Err(PointsError::Zero);
        }
        if !(-Self::MAX..=Self::MAX).contains(&value) {
            return Err(PointsError::OutOfRange { max: Self::MAX });
        }
        Ok(Self(value))
    }

    pub fn value(self) -> i32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i32::deserialize(d)?;
        Points::parse(v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_within_bounds_are_accepted() {
        for v in [-1000, -1, 1, 20, 1000] {
            assert_eq!(
                Points::parse(v).unwrap().value(),
                v,
                "{v} should be accepted"
            );
        }
    }

    #[test]
    fn zero_and_out_of_range_points_are_refused() {
        assert_eq!(Points::parse(0), Err(PointsError::Zero));
        assert_eq!(
            Points::parse(1001),
            Err(PointsError::OutOfRange { max: 1000 })
        );
        assert_eq!(
            Points::parse(-1001),
            Err(PointsError::OutOfRange { max: 1000 })
        );
    }
}
