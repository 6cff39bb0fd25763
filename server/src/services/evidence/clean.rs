//! An upload made fit to keep: decoded (so that only real JPEG, PNG and WebP pictures are kept),
//! refused beyond [`MAX_PIXELS`] before its pixels are decoded (so that a small file claiming a
//! huge picture costs nothing), turned upright by its EXIF orientation, and encoded again with no
//! metadata at all: the EXIF GPS place, the phone's make and model and the rest never reach the
//! committee's screens. The capture time and place are read first (see [`super::capture`]).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::metadata::Orientation;
use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use super::capture::{self, Capture};

/// Most pixels a photo may have: a 40-megapixel phone picture.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Memory one decode may take: a picture of [`MAX_PIXELS`] with four bytes a pixel and room for
/// the decoder's work. With `concurrent_uploads` uploads at once this bounds what decoding takes.
const MAX_DECODE_BYTES: u64 = 200 * 1024 * 1024;
/// JPEG quality of the stored photo: indistinguishable on a phone screen, a third of the size of 95.
const JPEG_QUALITY: u8 = 85;

/// A photo ready to store: its new bytes, their type, and what its EXIF said.
#[derive(Debug)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub capture: Capture,
}

/// Why an upload is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfit {
    /// Not a JPEG, PNG or WebP file.
    NotAnImage,
    /// Looks like one but does not decode: damaged, cut short, or only pretending.
    Undecodable,
    /// More than [`MAX_PIXELS`], or more memory than a decode may take.
    TooManyPixels,
}

fn decode_error(e: &ImageError) -> Unfit {
    match e {
        ImageError::Limits(_) => Unfit::TooManyPixels,
        _ => Unfit::Undecodable,
    }
}

/// Decodes, checks and re-encodes an upload. CPU-bound: run it off the async runtime.
pub fn clean(bytes: &[u8]) -> Result<Cleaned, Unfit> {
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(Unfit::NotAnImage),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    // The decoder reads only the header here: the size is known before any pixel is.
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(&e))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(Unfit::Undecodable);
    }
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Unfit::TooManyPixels);
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(&e))?;
    picture.apply_orientation(orientation);
    let capture = capture::read(bytes);
    let (bytes, content_type) = encode(&picture, format).map_err(|e| decode_error(&e))?;
    Ok(Cleaned {
        bytes,
        content_type,
        capture,
    })
}

/// The picture as a PNG when it came as one (screenshots and drawings stay sharp), else as a JPEG;
/// neither carries metadata.
fn encode(
    picture: &DynamicImage,
    from: ImageFormat,
) -> Result<(Vec<u8>, &'static str), ImageError> {
    let mut out = Vec::new();
    if from == ImageFormat::Png {
        picture.write_with_encoder(PngEncoder::new_with_quality(
            &mut out,
            CompressionType::Default,
            FilterType::Adaptive,
        ))?;
        return Ok((out, "image/png"));
    }
    let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    match picture.color() {
        ColorType::L8 | ColorType::L16 | ColorType::La8 | ColorType::La16 => {
            DynamicImage::ImageLuma8(picture.to_luma8()).write_with_encoder(encoder)?
        }
        _ => DynamicImage::ImageRgb8(picture.to_rgb8()).write_with_encoder(encoder)?,
    }
    Ok((out, "image/jpeg"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let picture =
            ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(picture)
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 95))
            .unwrap();
        out
    }

    #[test]
    fn a_jpeg_comes_back_as_a_jpeg_of_the_same_size() {
        let cleaned = clean(&jpeg(64, 48)).unwrap();
        assert_eq!(cleaned.content_type, "image/jpeg");
        let again = image::load_from_memory(&cleaned.bytes).unwrap();
        assert_eq!((again.width(), again.height()), (64, 48));
        assert_eq!(cleaned.capture, Capture::default());
    }

    #[test]
    fn what_does_not_decode_is_refused() {
        assert_eq!(clean(b"%PDF-1.7").unwrap_err(), Unfit::NotAnImage);
        let mut cut = jpeg(64, 48);
        cut.truncate(cut.len() / 3);
        assert_eq!(clean(&cut).unwrap_err(), Unfit::Undecodable, "cut short");
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        fake.extend([0u8; 512]);
        assert_eq!(
            clean(&fake).unwrap_err(),
            Unfit::Undecodable,
            "only a header"
        );
    }
}
