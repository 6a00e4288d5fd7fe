//! Still images: header check, decode under limits, orientation, re-encode, thumbnail.

use std::borrow::Cow;
use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{ColorType, DynamicImage, GenericImageView, ImageDecoder, ImageError, ImageReader};

use crate::{Format, Limits, MediaError, Processed};

/// Long side of a thumbnail, in pixels.
const THUMBNAIL_SIDE: u32 = 400;
const JPEG_QUALITY: u8 = 85;
const THUMBNAIL_JPEG_QUALITY: u8 = 80;
/// Long side of the copy the BlurHash is computed from: the hash holds 4 × 3 colours, so more
/// pixels only cost time.
const BLURHASH_SIDE: u32 = 32;

/// The decoders' allocation budget: the largest image allowed at 8 bytes a pixel (16-bit RGBA
/// PNG), plus room for the decoders' own tables and buffers. Anything a file asks for beyond
/// this (e.g. a compressed PNG text chunk that inflates to gigabytes) is refused.
fn alloc_budget(limits: &Limits) -> u64 {
    limits
        .max_pixels
        .saturating_mul(8)
        .saturating_add(64 * 1024 * 1024)
}

pub(crate) fn process(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<Processed, MediaError> {
    let corrupt = |e: ImageError| MediaError::Corrupt {
        format,
        detail: e.to_string(),
    };
    let image_format = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Webp => image::ImageFormat::WebP,
        Format::Mp4 | Format::Webm => {
            return Err(MediaError::Unsupported { looks_like: None });
        }
    };

    // The type was decided by our own sniffing; tell the reader rather than let it guess, so the
    // decoder is always the one for the format we checked.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let budget = alloc_budget(limits);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_alloc = Some(budget);
    reader.limits(decode_limits);
    // Reads the header only.
    let mut decoder = reader.into_decoder().map_err(corrupt)?;

    let (width, height) = decoder.dimensions();
    let too_many = MediaError::TooManyPixels {
        width,
        height,
        max_pixels: limits.max_pixels,
    };
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(too_many);
    }
    if width == 0 || height == 0 {
        return Err(MediaError::Corrupt {
            format,
            detail: format!("image of {width} × {height} pixels"),
        });
    }
    if decoder.total_bytes() > budget {
        return Err(too_many);
    }
    // A damaged EXIF block must not cost the person their upload: show the pixels as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        ImageError::Limits(_) => too_many,
        e => corrupt(e),
    })?;
    img.apply_orientation(orientation);
    let img = for_encoder(img, format);
    let (width, height) = img.dimensions();

    let data = encode(&img, format).map_err(corrupt)?;

    let thumb = thumbnail(&img);
    let thumb_format = if uses_alpha(&thumb) {
        Format::Png
    } else {
        Format::Jpeg
    };
    let thumb_data = encode_thumbnail(&thumb, thumb_format).map_err(corrupt)?;

    Ok(Processed {
        format,
        data,
        width: Some(width),
        height: Some(height),
        thumbnail: Some(thumb_data),
        thumbnail_format: Some(thumb_format),
        blurhash: blurhash(&thumb),
    })
}

/// Converts to a pixel layout the output encoder takes, keeping what it can (grey stays grey,
/// 16-bit PNG stays 16-bit).
fn for_encoder(img: DynamicImage, format: Format) -> DynamicImage {
    let color = img.color();
    match format {
        // JPEG never has alpha.
        Format::Jpeg => match color {
            ColorType::L8 | ColorType::Rgb8 => img,
            c if c.has_color() => DynamicImage::ImageRgb8(img.to_rgb8()),
            _ => DynamicImage::ImageLuma8(img.to_luma8()),
        },
        Format::Png => match color {
            ColorType::L8
            | ColorType::La8
            | ColorType::Rgb8
            | ColorType::Rgba8
            | ColorType::L16
            | ColorType::La16
            | ColorType::Rgb16
            | ColorType::Rgba16 => img,
            c if c.has_alpha() => DynamicImage::ImageRgba16(img.to_rgba16()),
            _ => DynamicImage::ImageRgb16(img.to_rgb16()),
        },
        // The WebP encoder takes 8-bit only.
        _ => match color {
            ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => img,
            c if c.has_alpha() => DynamicImage::ImageRgba8(img.to_rgba8()),
            _ => DynamicImage::ImageRgb8(img.to_rgb8()),
        },
    }
}

/// Encodes the pixels alone. None of these encoders writes EXIF, XMP, IPTC, an ICC profile, a
/// comment or a text chunk unless asked to, and nothing here asks.
fn encode(img: &DynamicImage, format: Format) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))?
        }
        Format::Png => img.write_with_encoder(PngEncoder::new(&mut out))?,
        _ => img.write_with_encoder(WebPEncoder::new_lossless(&mut out))?,
    }
    Ok(out)
}

/// At most [`THUMBNAIL_SIDE`] on the long side, aspect kept, never enlarged. Large images are
/// first box-averaged to twice the target (fast, every source pixel counted once), then Lanczos3
/// gives the final size sharply.
fn thumbnail(img: &DynamicImage) -> DynamicImage {
    let (w, h) = img.dimensions();
    if w.max(h) <= THUMBNAIL_SIDE {
        return img.clone();
    }
    let mut source = Cow::Borrowed(img);
    if w.max(h) > 4 * THUMBNAIL_SIDE {
        source = Cow::Owned(img.thumbnail(2 * THUMBNAIL_SIDE, 2 * THUMBNAIL_SIDE));
    }
    source.resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, FilterType::Lanczos3)
}

/// Whether any pixel is less than fully opaque (an alpha channel that is all 255, common in
/// screenshots, does not count: the thumbnail can then be a much smaller JPEG).
fn uses_alpha(img: &DynamicImage) -> bool {
    if !img.color().has_alpha() {
        return false;
    }
    img.to_rgba8().pixels().any(|p| p.0[3] != u8::MAX)
}

fn encode_thumbnail(thumb: &DynamicImage, format: Format) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    if format == Format::Png {
        DynamicImage::ImageRgba8(thumb.to_rgba8()).write_with_encoder(PngEncoder::new(&mut out))?;
    } else {
        DynamicImage::ImageRgb8(thumb.to_rgb8()).write_with_encoder(
            JpegEncoder::new_with_quality(&mut out, THUMBNAIL_JPEG_QUALITY),
        )?;
    }
    Ok(out)
}

/// BlurHash of a tiny copy, transparent pixels composited over white (as the page shows them).
fn blurhash(thumb: &DynamicImage) -> Option<String> {
    let mut small = thumb.thumbnail(BLURHASH_SIDE, BLURHASH_SIDE).to_rgba8();
    for p in small.pixels_mut() {
        let [r, g, b, a] = p.0;
        let over_white = |c: u8| {
            let (c, a) = (u32::from(c), u32::from(a));
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        p.0 = [over_white(r), over_white(g), over_white(b), u8::MAX];
    }
    let (w, h) = small.dimensions();
    let (x, y) = if w >= h { (4, 3) } else { (3, 4) };
    blurhash::encode(x, y, w, h, small.as_raw()).ok()
}
