//! Real pictures for the photo and evidence tests: JPEG photos with the EXIF a phone writes when
//! asked (the capture time, the GPS place and the phone's make and model, in an APP1 segment right
//! after the start of the image, where phones put it), PNGs of noise that do not compress (for
//! the quota) and a small PNG of a huge picture (a decompression bomb).

use std::io::Cursor;

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, GrayImage, ImageBuffer, Rgb};

/// The phone model written into [`with_exif`]'s EXIF, to look for in what the server stores.
pub const PHONE_MODEL: &str = "JifenTestPhone 12";

/// A `width`×`height` JPEG whose picture depends on `seed` (different seeds, different content).
pub fn photo(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let picture = ImageBuffer::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(1)) as u8 ^ seed,
            (y * 255 / height.max(1)) as u8,
            seed.wrapping_mul(37),
        ])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(picture)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
        .expect("encoding a test JPEG");
    out
}

fn png(picture: GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageLuma8(picture)
        .write_with_encoder(PngEncoder::new_with_quality(
            &mut out,
            CompressionType::Fast,
            FilterType::NoFilter,
        ))
        .expect("encoding a test PNG");
    out
}

/// A grey PNG of about `kib` KiB of noise, which no encoder shrinks: stored again by the server it
/// stays about that size.
pub fn noise_png(kib: u32, seed: u64) -> Vec<u8> {
    let width = 1024;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    png(GrayImage::from_fn(width, kib, |_, _| {
        // xorshift64: deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        image::Luma([(state >> 56) as u8])
    }))
}

/// A PNG of a `width`×`height` picture of one colour: a few kilobytes however many pixels.
pub fn blank_png(width: u32, height: u32) -> Vec<u8> {
    png(GrayImage::new(width, height))
}

/// Where and when a phone says a photo was taken.
pub struct Taken<'a> {
    /// EXIF local time, `YYYY:MM:DD HH:MM:SS`.
    pub at: &'a str,
    /// The zone, `+08:00`; phones that leave it out write none.
    pub offset: Option<&'a str>,
    pub lat: f64,
    pub lng: f64,
}

fn dms(degrees: f64) -> Vec<Rational> {
    let d = degrees.abs();
    let whole = d.trunc();
    let minutes = ((d - whole) * 60.0).trunc();
    let milli_seconds = ((d - whole - minutes / 60.0) * 3_600_000.0).round();
    vec![
        Rational::from((whole as u32, 1)),
        Rational::from((minutes as u32, 1)),
        Rational::from((milli_seconds as u32, 1000)),
    ]
}

fn ascii(tag: Tag, text: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![text.as_bytes().to_vec()]),
    }
}

/// `jpeg` with an EXIF segment saying when and where it was taken, and by which phone.
pub fn with_exif(jpeg: &[u8], taken: &Taken) -> Vec<u8> {
    let rational = |tag, degrees| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(dms(degrees)),
    };
    let mut fields = vec![
        ascii(Tag::Make, "JifenTest"),
        ascii(Tag::Model, PHONE_MODEL),
        ascii(Tag::DateTimeOriginal, taken.at),
        ascii(Tag::GPSLatitudeRef, if taken.lat < 0.0 { "S" } else { "N" }),
        rational(Tag::GPSLatitude, taken.lat),
        ascii(
            Tag::GPSLongitudeRef,
            if taken.lng < 0.0 { "W" } else { "E" },
        ),
        rational(Tag::GPSLongitude, taken.lng),
    ];
    if let Some(offset) = taken.offset {
        fields.push(ascii(Tag::OffsetTimeOriginal, offset));
    }
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).expect("writing EXIF");
    let tiff = tiff.into_inner();
    assert!(jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG starts with SOI");
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&jpeg[2..]);
    out
}

/// Whether `bytes` hold an EXIF segment, or the text `needle` anywhere.
pub fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exif_written_reads_back() {
        let bytes = with_exif(
            &photo(32, 24, 1),
            &Taken {
                at: "2026:05:20 09:30:00",
                offset: Some("+08:00"),
                lat: 34.7481,
                lng: 113.6302,
            },
        );
        let capture = jifen_server::services::evidence::capture::read(&bytes);
        let place = capture.place.expect("a place");
        assert!((place.lat - 34.7481).abs() < 1e-6, "{place:?}");
        assert!((place.lng - 113.6302).abs() < 1e-6, "{place:?}");
        assert_eq!(
            capture.taken_at.unwrap().to_rfc3339(),
            "2026-05-20T01:30:00+00:00"
        );
        assert!(image::load_from_memory(&bytes).is_ok(), "still a JPEG");
        assert!(holds(&bytes, PHONE_MODEL.as_bytes()));
    }
}
