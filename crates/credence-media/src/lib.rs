//! Validation and processing of media uploaded with posts: JPEG, PNG and WebP images, MP4 and
//! WebM videos. A pure library: no database, no HTTP, no files; bytes in, bytes out.
//!
//! Why it exists:
//!
//! - **Names lie.** A file called `scan.jpg` may be a PDF, an HTML page or an SVG with script in
//!   it, and the type a browser declares is whatever the file name says. [`sniff`] decides the
//!   type by the file's content (its magic bytes) alone, and anything that is not one of the five
//!   accepted formats is refused with a message that says what the file looks like.
//! - **Photos carry GPS.** A phone photo's EXIF block usually holds the exact place it was taken
//!   (for a health professional, often a clinic or their home), plus the device's serial number,
//!   and XMP/IPTC/comment blocks can hold names. [`process`] decodes images to pixels and
//!   re-encodes them, so nothing but the pixels survives: no EXIF (and so no GPS), XMP, IPTC, ICC
//!   profile, JPEG comment or PNG text chunk. The EXIF orientation is applied to the pixels first,
//!   so a photo taken with the phone on its side is not shown sideways once its EXIF is gone.
//! - **Decompression bombs.** A small file can declare an image of 100 000 × 100 000 pixels.
//!   The pixel count is read from the header and checked against [`Limits::max_pixels`] before
//!   anything is decoded, and the decoders run with an allocation limit.
//! - **Truncated uploads.** Each container is walked far enough to tell a complete file from the
//!   first part of one (JPEG end-of-image marker, PNG `IEND`, RIFF size, MP4 box sizes, WebM
//!   segment size), so a cut-off upload is refused instead of being stored half grey.
//!
//! What comes out, by input format:
//!
//! | input | stored as | why |
//! | --- | --- | --- |
//! | JPEG | JPEG, quality 85 | photos; one lossy generation at a high quality |
//! | PNG | PNG (same bit depth and channels) | lossless in, lossless out |
//! | WebP | **lossless** WebP | the `image` crate's WebP encoder is lossless-only. Lossless WebP is still smaller than PNG for the same pixels (about a third smaller on a 12-megapixel test image), keeps the type the person uploaded, and every current browser shows it. The cost: a *lossy* WebP photo comes out several times larger than it went in. |
//! | MP4 | MP4, same bytes except metadata boxes blanked | see below |
//! | WebM | WebM, the same bytes | see below |
//!
//! Images also get a thumbnail (at most 400 px on the long side, aspect kept; JPEG, or PNG when
//! the image has pixels that are not fully opaque) and a [BlurHash](https://blurha.sh) placeholder
//! computed from a 32 px copy of the thumbnail.
//!
//! **Video is not transcoded** (there is no pure-Rust encoder or remuxer worth trusting here), so
//! a video is stored as uploaded after its container has been checked, with one exception for
//! MP4: phones write the recording place into `udta` (Android: `©xyz`) or `meta` (Apple:
//! `com.apple.quicktime.location.ISO6709`) boxes, and those, together with `uuid` boxes (where
//! XMP lives), are blanked in place at the top level, in `moov` and in each `trak`: their type
//! becomes `free` and their content is zeroed. Nothing moves, so the sample offsets in
//! `stco`/`co64` stay right and players skip the `free` boxes. Metadata elsewhere (inside the
//! coded video stream, or in a WebM `Tags` element; browsers and ffmpeg do not put a location
//! there) is **not** removed, and video dimensions are not reported.
//!
//! Also worth knowing:
//!
//! - The ICC colour profile goes with the rest of the metadata and the pixels are **not**
//!   converted to sRGB first, so a wide-gamut photo (an iPhone's Display P3) looks a little less
//!   saturated than the original. Converting would need a colour-management crate.
//! - Animated PNG and WebP keep their first frame only.
//! - [`process`] is CPU-bound: about 0.7 s for a 12-megapixel JPEG in a release build, several
//!   times that in a debug build. Call it off the async executor (`spawn_blocking`).
//!
//! Never panics on any input: every read here is bounds-checked, the image decoding runs under
//! `catch_unwind` in case a third-party decoder has a bug, and the tests feed truncated and
//! garbage prefixes and byte-flipped copies of valid files.

mod container;
mod still;

use std::fmt;

/// Upload limits. [`Limits::default`] is 10 MiB for an image, 100 MiB for a video and 40
/// million pixels (e.g. 7 744 × 5 163) for an image: phones' usual 12-megapixel photos are well
/// inside, the 48- and 50-megapixel modes of some recent phones are not.
///
/// Decoding needs 3–4 bytes a pixel (8 for a 16-bit PNG) plus a copy for rotation and the
/// encoded output, so keep `max_pixels` in line with the memory one upload may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted image file, in bytes.
    pub max_image_bytes: usize,
    /// Largest accepted video file, in bytes.
    pub max_video_bytes: usize,
    /// Largest accepted image, in pixels (width × height), checked before decoding.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_bytes: 10 * 1024 * 1024,
            max_video_bytes: 100 * 1024 * 1024,
            max_pixels: 40_000_000,
        }
    }
}

/// Still image or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
        })
    }
}

/// The accepted formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Mp4,
    Webm,
}

impl Format {
    /// Every accepted format.
    pub const ALL: [Format; 5] = [
        Format::Jpeg,
        Format::Png,
        Format::Webp,
        Format::Mp4,
        Format::Webm,
    ];

    /// The media type to serve it with, e.g. `image/jpeg`.
    pub fn mime(&self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Mp4 => "video/mp4",
            Format::Webm => "video/webm",
        }
    }

    /// File name extension without the dot, e.g. `jpg`.
    pub fn extension(&self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Mp4 => "mp4",
            Format::Webm => "webm",
        }
    }

    /// Image or video.
    pub fn kind(&self) -> MediaKind {
        match self {
            Format::Jpeg | Format::Png | Format::Webp => MediaKind::Image,
            Format::Mp4 | Format::Webm => MediaKind::Video,
        }
    }
}

/// The name a person knows, e.g. `JPEG`, `WebP`.
impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Mp4 => "MP4",
            Format::Webm => "WebM",
        })
    }
}

/// The result of [`process`]: what to store and serve.
#[derive(Clone)]
pub struct Processed {
    /// Format of `data` (WebP stays WebP, re-encoded losslessly; see the crate docs).
    pub format: Format,
    /// What we store and serve. For images: re-encoded pixels, no metadata.
    pub data: Vec<u8>,
    /// Pixel width after the EXIF orientation was applied; `None` for video.
    pub width: Option<u32>,
    /// Pixel height after the EXIF orientation was applied; `None` for video.
    pub height: Option<u32>,
    /// Images: at most 400 px on the long side, aspect kept (never enlarged). `None` for video.
    pub thumbnail: Option<Vec<u8>>,
    /// [`Format::Jpeg`], or [`Format::Png`] when the image has pixels that are not opaque.
    pub thumbnail_format: Option<Format>,
    /// BlurHash placeholder (4 × 3 components, 3 × 4 for portrait images); `None` for video.
    pub blurhash: Option<String>,
}

impl fmt::Debug for Processed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Processed")
            .field("format", &self.format)
            .field("data_len", &self.data.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("thumbnail_len", &self.thumbnail.as_ref().map(Vec::len))
            .field("thumbnail_format", &self.thumbnail_format)
            .field("blurhash", &self.blurhash)
            .finish()
    }
}

/// Why an upload was refused. `Display` gives a sentence to show the person who uploaded it.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Over [`Limits::max_image_bytes`] or [`Limits::max_video_bytes`].
    #[error("The file is {}; {}s may be at most {}.", size_text(*.size, true), .kind, size_text(*.max, false))]
    TooLarge {
        kind: MediaKind,
        size: usize,
        max: usize,
    },
    /// Not one of the accepted formats, judged by content. `looks_like` names what it seems to
    /// be instead, e.g. `Some("a PDF")`.
    #[error("This file is not a JPEG, PNG, WebP, MP4 or WebM file ({}).", looks_like_text(*.looks_like))]
    Unsupported { looks_like: Option<&'static str> },
    /// Starts like `format` but could not be read: damaged, cut off, or a variant the decoder does
    /// not support. `detail` is for logs, not for the person.
    #[error("This {format} file could not be read: it seems to be damaged or incomplete. Try saving or exporting it again.")]
    Corrupt { format: Format, detail: String },
    /// Over [`Limits::max_pixels`]; found from the header, before decoding.
    #[error("The image is {width} × {height} pixels ({} megapixels); images may have at most {} megapixels.", megapixels_text(u64::from(*.width) * u64::from(*.height), true), megapixels_text(*.max_pixels, false))]
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// Zero bytes.
    #[error("The file is empty.")]
    Empty,
}

/// The format of `bytes`, by content (magic bytes) alone; `None` if it is none of the accepted
/// ones. A `Some` is not a promise the file is whole or readable: [`process`] checks that.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    container::sniff(bytes)
}

/// Checks an upload against `limits` and turns it into what we store.
///
/// Order: empty → type by content → size limit for that kind → container complete → (images)
/// pixel limit from the header → decode with an allocation limit → apply EXIF orientation →
/// re-encode without metadata → thumbnail and BlurHash. Videos: container checked, MP4 metadata
/// boxes blanked (see the crate docs), otherwise stored as is.
///
/// CPU-bound for images (see the crate docs): call it from `spawn_blocking`, not on the async
/// executor.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, MediaError> {
    process_owned(bytes.to_vec(), limits)
}

/// [`process`] taking the file by value: a video is cleaned in place and kept, so a 100 MB
/// upload is held once, not copied.
pub fn process_owned(bytes: Vec<u8>, limits: &Limits) -> Result<Processed, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let Some(format) = sniff(&bytes) else {
        return Err(MediaError::Unsupported {
            looks_like: container::looks_like(&bytes),
        });
    };
    let kind = format.kind();
    let max = match kind {
        MediaKind::Image => limits.max_image_bytes,
        MediaKind::Video => limits.max_video_bytes,
    };
    if bytes.len() > max {
        return Err(MediaError::TooLarge {
            kind,
            size: bytes.len(),
            max,
        });
    }
    let corrupt = |detail: &str| MediaError::Corrupt {
        format,
        detail: detail.to_string(),
    };
    match format {
        Format::Jpeg | Format::Png | Format::Webp => {
            container::check_image(format, &bytes).map_err(corrupt)?;
            // The decoders are third-party code fed hostile input. They are not known to panic on
            // any input, but if one ever does, that is one refused upload, not a crashed request.
            std::panic::catch_unwind(|| still::process(&bytes, format, limits))
                .unwrap_or_else(|_| Err(corrupt("the image decoder panicked")))
        }
        Format::Mp4 => {
            let mut data = bytes;
            container::check_and_clean_mp4(&mut data).map_err(corrupt)?;
            Ok(video(format, data))
        }
        Format::Webm => {
            container::check_webm(&bytes).map_err(corrupt)?;
            Ok(video(format, bytes))
        }
    }
}

fn video(format: Format, data: Vec<u8>) -> Processed {
    Processed {
        format,
        data,
        width: None,
        height: None,
        thumbnail: None,
        thumbnail_format: None,
        blurhash: None,
    }
}

const MB: u64 = 1024 * 1024;
const KB: u64 = 1024;

/// "12.3 MB", "10 MB", "512 KB", "17 bytes". MB and KB are binary (what `Limits::default`'s
/// 10 MiB shows as "10 MB", as file managers do). A file's size is rounded up and a limit down,
/// so a file just over the limit never reads as equal to it.
fn size_text(bytes: usize, round_up: bool) -> String {
    let bytes = bytes as u64;
    let (unit, name) = if bytes >= MB {
        (MB, "MB")
    } else if bytes >= KB {
        (KB, "KB")
    } else {
        return if bytes == 1 {
            "1 byte".to_string()
        } else {
            format!("{bytes} bytes")
        };
    };
    let tenths = if round_up {
        (bytes * 10).div_ceil(unit)
    } else {
        bytes * 10 / unit
    };
    one_decimal(tenths, name)
}

/// "10000", "40", "12.5", "0.3" megapixels (10^6 pixels); rounded up for an image, down for a
/// limit, as in [`size_text`].
fn megapixels_text(pixels: u64, round_up: bool) -> String {
    let tenths = if round_up {
        pixels.div_ceil(100_000)
    } else {
        pixels / 100_000
    };
    one_decimal(tenths, "").trim_end().to_string()
}

fn one_decimal(tenths: u64, unit: &str) -> String {
    if tenths.is_multiple_of(10) {
        format!("{} {unit}", tenths / 10)
    } else {
        format!("{}.{} {unit}", tenths / 10, tenths % 10)
    }
}

fn looks_like_text(looks_like: Option<&str>) -> String {
    match looks_like {
        Some(what) => format!("it looks like {what}"),
        None => "its type could not be recognised".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_person_expects() {
        assert_eq!(size_text(10 * 1024 * 1024, false), "10 MB");
        assert_eq!(size_text(100 * 1024 * 1024, false), "100 MB");
        assert_eq!(size_text(12_897_484, true), "12.3 MB");
        // Just over the limit must not read as the limit.
        assert_eq!(size_text(10 * 1024 * 1024 + 1, true), "10.1 MB");
        assert_eq!(size_text(1536, true), "1.5 KB");
        assert_eq!(size_text(17, true), "17 bytes");
        assert_eq!(size_text(1, true), "1 byte");
        assert_eq!(megapixels_text(40_000_000, false), "40");
        assert_eq!(megapixels_text(10_000_000_000, true), "10000");
        assert_eq!(megapixels_text(12_500_000, true), "12.5");
    }

    #[test]
    fn messages() {
        let e = MediaError::TooLarge {
            kind: MediaKind::Image,
            size: 12_897_484,
            max: 10 * 1024 * 1024,
        };
        assert_eq!(
            e.to_string(),
            "The file is 12.3 MB; images may be at most 10 MB."
        );
        let e = MediaError::Unsupported {
            looks_like: Some("a PDF"),
        };
        assert_eq!(
            e.to_string(),
            "This file is not a JPEG, PNG, WebP, MP4 or WebM file (it looks like a PDF)."
        );
        let e = MediaError::TooManyPixels {
            width: 100_000,
            height: 100_000,
            max_pixels: 40_000_000,
        };
        assert_eq!(
            e.to_string(),
            "The image is 100000 × 100000 pixels (10000 megapixels); images may have at most 40 megapixels."
        );
    }

    #[test]
    fn format_names() {
        assert_eq!(Format::Jpeg.mime(), "image/jpeg");
        assert_eq!(Format::Webm.extension(), "webm");
        assert_eq!(Format::Mp4.kind(), MediaKind::Video);
        assert_eq!(Format::Webp.to_string(), "WebP");
    }
}
