//! When and where a photo was taken, as its EXIF says: read from the upload before the metadata is
//! stripped, so that the committee can compare it with the deed. A photo without EXIF, or with
//! EXIF that cannot be read, simply has no capture data; nothing is refused for it.

use std::io::Cursor;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use exif::{Exif, In, Reader, Tag, Value};
use jifen_shared::domain::{LatLng, SHANGHAI_OFFSET_SECS};

/// What the photo's EXIF says about when and where it was taken.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Capture {
    pub taken_at: Option<DateTime<Utc>>,
    pub place: Option<LatLng>,
}

/// The capture data of a JPEG, PNG or WebP file, where it has any.
pub fn read(bytes: &[u8]) -> Capture {
    match Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => Capture {
            taken_at: taken_at(&exif),
            place: place(&exif),
        },
        Err(_) => Capture::default(),
    }
}

fn ascii(exif: &Exif, tag: Tag) -> Option<&[u8]> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(parts) => parts.first().map(Vec::as_slice),
        _ => None,
    }
}

/// The original capture time (`DateTimeOriginal`, else `DateTime`) in the zone its
/// `OffsetTimeOriginal` gives; phones that leave the zone out are taken to be on Beijing time.
fn taken_at(exif: &Exif) -> Option<DateTime<Utc>> {
    let (raw, offset_tag) = match ascii(exif, Tag::DateTimeOriginal) {
        Some(raw) => (raw, Tag::OffsetTimeOriginal),
        None => (ascii(exif, Tag::DateTime)?, Tag::OffsetTime),
    };
    let mut t = exif::DateTime::from_ascii(raw).ok()?;
    if let Some(offset) = ascii(exif, offset_tag) {
        // An unreadable offset leaves the default zone.
        let _ = t.parse_offset(offset);
    }
    let offset_secs = t
        .offset
        .map_or(SHANGHAI_OFFSET_SECS, |minutes| i32::from(minutes) * 60);
    let local = NaiveDate::from_ymd_opt(t.year.into(), t.month.into(), t.day.into())?.and_hms_opt(
        t.hour.into(),
        t.minute.into(),
        t.second.into(),
    )?;
    let zone = FixedOffset::east_opt(offset_secs)?;
    Some(local.and_local_timezone(zone).single()?.to_utc())
}

/// Degrees from EXIF's degrees, minutes and seconds, signed by its reference (N/S, E/W).
fn degrees(exif: &Exif, value: Tag, reference: Tag, negative: u8) -> Option<f64> {
    let Value::Rational(dms) = &exif.get_field(value, In::PRIMARY)?.value else {
        return None;
    };
    let part = |i: usize| {
        dms.get(i)
            .filter(|r| r.denom != 0)
            .map_or(0.0, |r| r.to_f64())
    };
    if dms.first().is_none_or(|r| r.denom == 0) {
        return None;
    }
    let unsigned = part(0) + part(1) / 60.0 + part(2) / 3600.0;
    let sign = match ascii(exif, reference) {
        Some([r, ..]) if r.eq_ignore_ascii_case(&negative) => -1.0,
        _ => 1.0,
    };
    Some(sign * unsigned).filter(|d| d.is_finite())
}

/// The GPS place, when it is a real one: within range, and not the 0°, 0° some phones write when
/// they had no fix.
fn place(exif: &Exif) -> Option<LatLng> {
    let lat = degrees(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')?;
    let lng = degrees(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W')?;
    let real = (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lng)
        && (lat != 0.0 || lng != 0.0);
    real.then_some(LatLng { lat, lng })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_exif_has_no_capture_data() {
        assert_eq!(read(b"\xFF\xD8\xFF\xD9"), Capture::default());
        assert_eq!(read(b"not an image at all"), Capture::default());
    }
}
