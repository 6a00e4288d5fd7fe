//! Fixtures made in the tests: real files encoded with the `image` crate, real EXIF written with
//! `kamadak-exif`, and hand-built MP4/WebM headers.
#![allow(dead_code)]

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{DynamicImage, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A picture with some structure, so encoders have something to encode.
pub fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w.max(1)) as u8,
            (y * 255 / h.max(1)) as u8,
            ((x + y) % 64 * 4) as u8,
        ])
    })
}

/// Left half red, right half blue: shows which way a rotation went.
pub fn red_left_blue_right(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    jpeg_with_exif(img, None)
}

/// A JPEG; with `exif` (TIFF data), the encoder writes a real APP1 `Exif\0\0` segment.
pub fn jpeg_with_exif(img: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).unwrap();
    }
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

pub fn png(img: &DynamicImage) -> Vec<u8> {
    png_with_exif(img, None)
}

/// A PNG; with `exif`, the encoder writes an `eXIf` chunk.
pub fn png_with_exif(img: &DynamicImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = PngEncoder::new(&mut out);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).unwrap();
    }
    img.write_with_encoder(enc).unwrap();
    out
}

/// A lossless WebP; with `exif`, an `EXIF` chunk (and the `VP8X` header it needs).
pub fn webp_with_exif(img: &DynamicImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = WebPEncoder::new_lossless(&mut out);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).unwrap();
    }
    img.write_with_encoder(enc).unwrap();
    out
}

pub fn webp(img: &DynamicImage) -> Vec<u8> {
    webp_with_exif(img, None)
}

/// Half-transparent RGBA picture.
pub fn translucent(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| {
        Rgba([
            (x % 256) as u8,
            (y % 256) as u8,
            128,
            if x < w / 2 { 0 } else { 255 },
        ])
    })
}

/// Where a phone puts the recording place, as real EXIF (TIFF data, no `Exif\0\0` prefix): IFD0
/// with orientation, make, model; an Exif IFD with a serial number; a GPS IFD with latitude,
/// longitude, datum and a processing method that spells "GPS".
pub fn exif_with_gps(orientation: u16) -> Vec<u8> {
    let r = |num, denom| Rational { num, denom };
    let ascii = |s: &str| Value::Ascii(vec![s.as_bytes().to_vec()]);
    let fields = vec![
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation]),
        },
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: ascii("Credence Test Phone Co"),
        },
        Field {
            tag: Tag::Model,
            ifd_num: In::PRIMARY,
            value: ascii("Model 7"),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: ascii("SERIAL-0042-SECRET"),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii("N"),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(52, 1), r(22, 1), r(1234, 100)]),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii("E"),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(4, 1), r(53, 1), r(5678, 100)]),
        },
        Field {
            tag: Tag::GPSMapDatum,
            ifd_num: In::PRIMARY,
            value: ascii("WGS-84"),
        },
        Field {
            tag: Tag::GPSProcessingMethod,
            ifd_num: In::PRIMARY,
            value: Value::Undefined(b"ASCII\0\0\0GPS".to_vec(), 0),
        },
    ];
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer.write(&mut out, false).unwrap();
    out.into_inner()
}

/// Inserts a segment (`marker`, then the 2-byte length, then `payload`) right after SOI.
pub fn jpeg_insert_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// CRC-32 as PNG uses it.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for part in parts {
        for &byte in *part {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
    out
}

/// Inserts a chunk right after IHDR (signature 8 bytes + IHDR 25 bytes).
pub fn png_insert_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    assert_eq!(&png[12..16], b"IHDR");
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&png_chunk(kind, data));
    out.extend_from_slice(&png[33..]);
    out
}

/// An ISO BMFF box.
pub fn mp4_box(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(content.len() + 8)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(content);
    out
}

/// A GPS position as Android writes it: `moov/udta/©xyz`.
pub const MP4_LOCATION: &[u8] = b"+52.3700+004.8900/";

/// A minimal MP4: `ftyp` (mp42, compatible isom/mp42/avc1), `moov` with an `mvhd`, a `trak` (with
/// its own `udta` name) and a `udta` holding `©xyz`, then `mdat`.
pub fn mp4_minimal() -> Vec<u8> {
    let ftyp = mp4_box(b"ftyp", b"mp42\0\0\0\0isommp42avc1");
    let mut mvhd = vec![0u8; 100];
    mvhd[15] = 0xE8; // timescale 1000 (version 0: 4 flags, 4 ctime, 4 mtime, then timescale)
    mvhd[14] = 0x03;
    let xyz = {
        let mut c = (MP4_LOCATION.len() as u16).to_be_bytes().to_vec();
        c.extend_from_slice(&[0x15, 0xC7]); // language
        c.extend_from_slice(MP4_LOCATION);
        c
    };
    let udta = mp4_box(b"udta", &mp4_box(b"\xA9xyz", &xyz));
    let trak_udta = mp4_box(b"udta", &mp4_box(b"name", b"Dr Jane Doe's camera"));
    let tkhd = mp4_box(b"tkhd", &[0u8; 84]);
    let trak = mp4_box(b"trak", &[tkhd, trak_udta].concat());
    let moov = mp4_box(b"moov", &[mp4_box(b"mvhd", &mvhd), trak, udta].concat());
    let mdat = mp4_box(b"mdat", &[0x11u8; 64]);
    [ftyp, moov, mdat].concat()
}

/// An EBML element with a 1-byte size (content shorter than 127 bytes) or an 8-byte size.
pub fn ebml(id: &[u8], content: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    if content.len() < 127 {
        out.push(0x80 | content.len() as u8);
    } else {
        out.push(0x01);
        out.extend_from_slice(&(content.len() as u64).to_be_bytes()[1..]);
    }
    out.extend_from_slice(content);
    out
}

pub fn ebml_header(doctype: &[u8]) -> Vec<u8> {
    ebml(
        b"\x1A\x45\xDF\xA3",
        &[
            ebml(b"\x42\x86", &[1]),
            ebml(b"\x42\xF7", &[1]),
            ebml(b"\x42\xF2", &[4]),
            ebml(b"\x42\xF3", &[8]),
            ebml(b"\x42\x82", doctype),
            ebml(b"\x42\x87", &[4]),
            ebml(b"\x42\x85", &[2]),
        ]
        .concat(),
    )
}

/// A minimal WebM: EBML header (DocType webm), then a Segment of known size holding an Info
/// element (timecode scale 1 ms) and a Tracks element with one video track.
pub fn webm_minimal() -> Vec<u8> {
    let info = ebml(
        b"\x15\x49\xA9\x66",
        &ebml(b"\x2A\xD7\xB1", &[0x0F, 0x42, 0x40]),
    );
    let video = ebml(
        b"\xE0",
        &[ebml(b"\xB0", &[0x01, 0x40]), ebml(b"\xBA", &[0xF0])].concat(),
    );
    let track = ebml(
        b"\xAE",
        &[
            ebml(b"\xD7", &[1]),
            ebml(b"\x83", &[1]),
            ebml(b"\x86", b"V_VP9"),
            video,
        ]
        .concat(),
    );
    let tracks = ebml(b"\x16\x54\xAE\x6B", &track);
    let segment = ebml(b"\x18\x53\x80\x67", &[info, tracks].concat());
    [ebml_header(b"webm"), segment].concat()
}
