mod common;

use common::*;
use credence_media::{process, sniff, Format, Limits, MediaError, MediaKind, Processed};
use image::{DynamicImage, GenericImageView, RgbaImage};

fn ok(bytes: &[u8]) -> Processed {
    match process(bytes, &Limits::default()) {
        Ok(p) => p,
        Err(e) => panic!("expected success, got {e:?}: {e}"),
    }
}

fn err(bytes: &[u8]) -> MediaError {
    match process(bytes, &Limits::default()) {
        Ok(p) => panic!("expected an error, got {p:?}"),
        Err(e) => e,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

fn assert_no_exif(bytes: &[u8]) {
    let read = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes));
    assert!(
        read.is_err(),
        "EXIF survived: {:?}",
        read.map(|e| e.fields().count())
    );
}

#[test]
fn jpeg_with_gps_exif_xmp_and_comment_comes_out_bare() {
    let fixture = jpeg_with_exif(&gradient(64, 48), Some(exif_with_gps(1)));
    let fixture = jpeg_insert_segment(
        &fixture,
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><dc:creator>Dr Jane Doe</dc:creator></x:xmpmeta>",
    );
    let fixture = jpeg_insert_segment(&fixture, 0xFE, b"Taken at the Riverside Clinic");

    // The fixture really carries a GPS position...
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&fixture))
        .expect("fixture has EXIF");
    let lat = exif
        .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .expect("fixture has a GPS latitude");
    assert_eq!(lat.display_value().to_string(), "52 deg 22 min 12.34 sec");
    for needle in [
        &b"Exif"[..],
        b"GPS",
        b"SERIAL-0042",
        b"Dr Jane Doe",
        b"Riverside",
    ] {
        assert!(contains(&fixture, needle));
    }

    // ...and the output does not.
    let p = ok(&fixture);
    assert_eq!(p.format, Format::Jpeg);
    assert_eq!(sniff(&p.data), Some(Format::Jpeg));
    assert_eq!((p.width, p.height), (Some(64), Some(48)));
    assert_no_exif(&p.data);
    for needle in [
        &b"Exif"[..],
        b"GPS",
        b"WGS-84",
        b"SERIAL-0042",
        b"Credence Test Phone",
        b"http://ns.adobe.com",
        b"Dr Jane Doe",
        b"Riverside",
    ] {
        assert!(
            !contains(&p.data, needle),
            "{:?} survived",
            String::from_utf8_lossy(needle)
        );
        assert!(!contains(p.thumbnail.as_ref().unwrap(), needle));
    }
    assert_eq!(decode(&p.data).dimensions(), (64, 48));
}

#[test]
fn png_text_chunks_and_exif_are_removed_and_pixels_kept() {
    let img = DynamicImage::ImageRgb8(gradient(50, 30));
    let fixture = png_with_exif(&img, Some(exif_with_gps(1)));
    let fixture = png_insert_chunk(&fixture, b"tEXt", b"Author\0Dr Jane Doe");
    let fixture = png_insert_chunk(&fixture, b"iTXt", b"Comment\0\0\0\0\0Riverside Clinic");
    assert!(contains(&fixture, b"tEXt") && contains(&fixture, b"eXIf"));
    // The fixture decodes with its chunks in place.
    assert_eq!(decode(&fixture).to_rgb8(), img.to_rgb8());

    let p = ok(&fixture);
    assert_eq!(p.format, Format::Png);
    for needle in [
        &b"tEXt"[..],
        b"iTXt",
        b"zTXt",
        b"eXIf",
        b"Dr Jane Doe",
        b"Riverside",
        b"GPS",
    ] {
        assert!(
            !contains(&p.data, needle),
            "{:?} survived",
            String::from_utf8_lossy(needle)
        );
    }
    assert_no_exif(&p.data);
    // Lossless in, lossless out.
    assert_eq!(decode(&p.data).to_rgb8(), img.to_rgb8());
}

#[test]
fn jpeg_orientation_6_is_applied_to_the_pixels() {
    // Stored 40 × 20, red on the left; orientation 6 means "rotate 90° clockwise to show".
    let fixture = jpeg_with_exif(&red_left_blue_right(40, 20), Some(exif_with_gps(6)));
    let p = ok(&fixture);
    assert_eq!((p.width, p.height), (Some(20), Some(40)));
    assert_no_exif(&p.data);
    let shown = decode(&p.data).to_rgb8();
    assert_eq!(shown.dimensions(), (20, 40));
    // Turned clockwise, the left (red) half is now on top.
    let top = shown.get_pixel(10, 5).0;
    let bottom = shown.get_pixel(10, 34).0;
    assert!(top[0] > 200 && top[2] < 60, "top is {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "bottom is {bottom:?}");
    // The thumbnail is upright too.
    assert_eq!(decode(p.thumbnail.as_ref().unwrap()).dimensions(), (20, 40));
}

#[test]
fn png_and_webp_orientation_from_exif_is_applied() {
    let img = DynamicImage::ImageRgb8(red_left_blue_right(40, 20));
    for (fixture, format) in [
        (png_with_exif(&img, Some(exif_with_gps(6))), Format::Png),
        (webp_with_exif(&img, Some(exif_with_gps(8))), Format::Webp),
    ] {
        let p = ok(&fixture);
        assert_eq!(p.format, format);
        assert_eq!((p.width, p.height), (Some(20), Some(40)), "{format}");
        assert_no_exif(&p.data);
        assert!(!contains(&p.data, b"GPS"));
    }
}

#[test]
fn webp_is_reencoded_as_lossless_webp() {
    let img = DynamicImage::ImageRgba8(translucent(30, 20));
    let p = ok(&webp_with_exif(&img, Some(exif_with_gps(1))));
    assert_eq!(p.format, Format::Webp);
    assert_eq!(sniff(&p.data), Some(Format::Webp));
    assert!(!contains(&p.data, b"EXIF") && !contains(&p.data, b"Exif"));
    assert_eq!(decode(&p.data).to_rgba8(), img.to_rgba8());
}

#[test]
fn thumbnails_fit_400_keep_aspect_and_never_grow() {
    for ((w, h), (tw, th)) in [
        ((1000, 600), (400, 240)),
        ((300, 1200), (100, 400)),
        ((2000, 2000), (400, 400)),
        ((200, 100), (200, 100)),
    ] {
        let p = ok(&jpeg(&gradient(w, h)));
        assert_eq!(p.thumbnail_format, Some(Format::Jpeg));
        let thumb = p.thumbnail.as_ref().unwrap();
        assert_eq!(sniff(thumb), Some(Format::Jpeg));
        let (aw, ah) = decode(thumb).dimensions();
        assert_eq!((aw, ah), (tw, th), "thumbnail of {w} × {h}");
        assert!(aw.max(ah) <= 400);
        // 4 × 3 (or 3 × 4) components: 1 + 1 + 4 + 2 × 11 characters.
        assert_eq!(p.blurhash.as_deref().map(str::len), Some(28));
    }
}

#[test]
fn thumbnail_is_png_only_when_transparency_is_used() {
    let p = ok(&png(&DynamicImage::ImageRgba8(translucent(600, 300))));
    assert_eq!(p.thumbnail_format, Some(Format::Png));
    let thumb = decode(p.thumbnail.as_ref().unwrap());
    assert_eq!(thumb.dimensions(), (400, 200));
    assert!(thumb.color().has_alpha());

    let opaque = RgbaImage::from_fn(50, 50, |x, y| image::Rgba([x as u8, y as u8, 0, 255]));
    let p = ok(&png(&DynamicImage::ImageRgba8(opaque)));
    assert_eq!(p.thumbnail_format, Some(Format::Jpeg));
}

#[test]
fn documents_and_markup_named_jpg_are_refused() {
    // The API takes no file name at all: only the bytes decide. These would all be uploaded as
    // "photo.jpg" with `Content-Type: image/jpeg`.
    let cases: [(&[u8], &str); 6] = [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF"),
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "a web page (HTML)",
        ),
        (
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "an SVG drawing",
        ),
        (b"<svg onload=\"alert(1)\"/>", "an SVG drawing"),
        (b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;", "a GIF"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "a HEIC/HEIF photo"),
    ];
    for (bytes, what) in cases {
        assert_eq!(sniff(bytes), None);
        let e = err(bytes);
        assert!(
            matches!(e, MediaError::Unsupported { looks_like: Some(w) } if w == what),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!("This file is not a JPEG, PNG, WebP, MP4 or WebM file (it looks like {what}).")
        );
    }
    let e = err(&[0x13, 0x37, 0x00, 0x42, 0x99, 0x01, 0x02, 0x03]);
    assert_eq!(
        e.to_string(),
        "This file is not a JPEG, PNG, WebP, MP4 or WebM file (its type could not be recognised)."
    );
}

#[test]
fn empty_is_refused() {
    assert!(matches!(err(b""), MediaError::Empty));
    assert_eq!(err(b"").to_string(), "The file is empty.");
}

#[test]
fn too_large_is_refused_naming_both_sizes() {
    let limits = Limits {
        max_image_bytes: 10 * 1024 * 1024,
        max_video_bytes: 1024 * 1024,
        ..Limits::default()
    };
    // A real JPEG padded with an APP15 filler to 12.3 MB: refused before any decoding.
    let mut big = jpeg(&gradient(16, 16));
    let target = 12_897_484; // 12.2999… MiB
    let filler = vec![0u8; 60_000];
    while big.len() + 2 * 60_004 <= target {
        big = jpeg_insert_segment(&big, 0xEF, &filler);
    }
    let rest = target - big.len();
    big = jpeg_insert_segment(&big, 0xEF, &vec![0u8; rest / 2 - 4]);
    big = jpeg_insert_segment(&big, 0xEF, &vec![0u8; rest - rest / 2 - 4]);
    assert_eq!(big.len(), target);
    let e = process(&big, &limits).unwrap_err();
    assert!(matches!(
        e,
        MediaError::TooLarge {
            kind: MediaKind::Image,
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "The file is 12.3 MB; images may be at most 10 MB."
    );

    let mut video = mp4_minimal();
    video.extend(mp4_box(b"free", &vec![0; 2 * 1024 * 1024]));
    let e = process(&video, &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "The file is 2.1 MB; videos may be at most 1 MB."
    );
}

#[test]
fn too_many_pixels_is_refused() {
    let limits = Limits {
        max_pixels: 1000,
        ..Limits::default()
    };
    let e = process(&jpeg(&gradient(40, 30)), &limits).unwrap_err();
    assert!(matches!(
        e,
        MediaError::TooManyPixels {
            width: 40,
            height: 30,
            max_pixels: 1000
        }
    ));
    let e = process(&png(&DynamicImage::ImageRgb8(gradient(40, 30))), &limits).unwrap_err();
    assert!(matches!(e, MediaError::TooManyPixels { .. }));
}

#[test]
fn mp4_minimal_is_accepted_as_video_with_location_blanked() {
    let fixture = mp4_minimal();
    assert_eq!(sniff(&fixture), Some(Format::Mp4));
    assert!(contains(&fixture, MP4_LOCATION));
    let p = ok(&fixture);
    assert_eq!(p.format, Format::Mp4);
    assert_eq!(p.format.kind(), MediaKind::Video);
    assert_eq!(p.format.mime(), "video/mp4");
    assert_eq!((p.width, p.height, &p.thumbnail), (None, None, &None));
    // Same length, same layout: nothing moved.
    assert_eq!(p.data.len(), fixture.len());
    assert!(!contains(&p.data, MP4_LOCATION));
    assert!(!contains(&p.data, b"\xA9xyz"));
    assert!(!contains(&p.data, b"Dr Jane Doe"));
    assert!(!contains(&p.data, b"udta"));
    assert!(contains(&p.data, b"free"));
    // The media data and the boxes a player needs are untouched.
    assert!(contains(&p.data, &[0x11; 64]));
    assert!(contains(&p.data, b"mvhd") && contains(&p.data, b"tkhd"));
    assert_eq!(&p.data[..32], &fixture[..32]);
    // Still a well-formed MP4 (processing it again is a no-op).
    assert_eq!(ok(&p.data).data, p.data);
}

#[test]
fn webm_minimal_is_accepted_as_video() {
    let fixture = webm_minimal();
    assert_eq!(sniff(&fixture), Some(Format::Webm));
    let p = ok(&fixture);
    assert_eq!(p.format, Format::Webm);
    assert_eq!(p.format.kind(), MediaKind::Video);
    assert_eq!(p.data, fixture);
    assert_eq!(p.blurhash, None);

    // A live recording: Segment of unknown size.
    let mut live = ebml_header(b"webm");
    live.extend_from_slice(b"\x18\x53\x80\x67\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF");
    live.extend_from_slice(&ebml(
        b"\x15\x49\xA9\x66",
        &[0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40],
    ));
    live.extend_from_slice(&ebml(
        b"\x16\x54\xAE\x6B",
        &ebml(b"\xAE", &ebml(b"\xD7", &[1])),
    ));
    // A Cluster of unknown size holding a timecode.
    live.extend_from_slice(b"\x1F\x43\xB6\x75\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xE7\x81\x00");
    assert_eq!(ok(&live).format, Format::Webm);
    // Without Tracks it is not a playable video.
    let mut no_tracks = ebml_header(b"webm");
    no_tracks.extend_from_slice(&ebml(
        b"\x18\x53\x80\x67",
        &ebml(
            b"\x15\x49\xA9\x66",
            &[0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40],
        ),
    ));
    assert!(matches!(
        err(&no_tracks),
        MediaError::Corrupt {
            format: Format::Webm,
            ..
        }
    ));
}

#[test]
fn other_iso_and_matroska_files_are_refused() {
    let mkv = [
        ebml_header(b"matroska"),
        ebml(b"\x18\x53\x80\x67", &[0xEC, 0x80]),
    ]
    .concat();
    assert_eq!(
        err(&mkv).to_string(),
        "This file is not a JPEG, PNG, WebP, MP4 or WebM file (it looks like a Matroska (MKV) video)."
    );
    let mov = [
        mp4_box(b"ftyp", b"qt  \0\0\x02\0qt  "),
        mp4_box(b"moov", &[]),
    ]
    .concat();
    assert!(err(&mov).to_string().contains("QuickTime (MOV)"));
    let m4a = [
        mp4_box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom"),
        mp4_box(b"moov", &[]),
    ]
    .concat();
    assert!(err(&m4a).to_string().contains("audio"));
}

#[test]
fn mp4_without_moov_or_with_trailing_junk_is_refused() {
    let no_moov = [
        mp4_box(b"ftyp", b"isom\0\0\x02\0isomiso2"),
        mp4_box(b"mdat", &[1, 2, 3]),
    ]
    .concat();
    assert!(matches!(
        err(&no_moov),
        MediaError::Corrupt {
            format: Format::Mp4,
            ..
        }
    ));
    let mut junk = mp4_minimal();
    junk.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert!(matches!(err(&junk), MediaError::Corrupt { .. }));
}

/// Every proper prefix of every valid fixture must be refused, and no input may panic.
#[test]
fn truncated_and_garbage_inputs_are_refused_without_panicking() {
    let img = DynamicImage::ImageRgb8(gradient(24, 16));
    let fixtures: Vec<(&str, Vec<u8>)> = vec![
        (
            "jpeg",
            jpeg_with_exif(&gradient(24, 16), Some(exif_with_gps(6))),
        ),
        ("png", png_with_exif(&img, Some(exif_with_gps(3)))),
        (
            "png-alpha",
            png(&DynamicImage::ImageRgba8(translucent(24, 16))),
        ),
        ("webp", webp_with_exif(&img, Some(exif_with_gps(1)))),
        ("webp-plain", webp(&img)),
        ("mp4", mp4_minimal()),
        ("webm", webm_minimal()),
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for (name, valid) in &fixtures {
        ok(valid);
        for cut in 0..valid.len() {
            let prefix = &valid[..cut];
            let result = std::panic::catch_unwind(|| process(prefix, &Limits::default()));
            match result {
                Err(_) => panic!("{name}: prefix of {cut} bytes panicked"),
                Ok(Ok(p)) => panic!(
                    "{name}: prefix of {cut}/{} bytes accepted: {p:?}",
                    valid.len()
                ),
                Ok(Err(_)) => {}
            }
        }
        // The file's first bytes (so it sniffs as the real thing), then garbage.
        for keep in [4, 8, 12, 16, 24, 32, 48] {
            for _ in 0..20 {
                let mut bytes = valid[..keep.min(valid.len())].to_vec();
                let extra = (rng.next() % 600) as usize;
                bytes.extend((0..extra).map(|_| rng.next() as u8));
                let result = std::panic::catch_unwind(|| process(&bytes, &Limits::default()));
                match result {
                    Err(_) => panic!("{name}: {keep} bytes + garbage panicked: {bytes:?}"),
                    Ok(Ok(p)) => panic!("{name}: {keep} bytes + garbage accepted: {p:?}"),
                    Ok(Err(_)) => {}
                }
            }
        }
        // Valid files with bytes flipped: may or may not decode, must not panic.
        for _ in 0..300 {
            let mut bytes = valid.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % bytes.len();
                bytes[at] = rng.next() as u8;
            }
            let result = std::panic::catch_unwind(|| process(&bytes, &Limits::default()));
            assert!(result.is_ok(), "{name}: mutated input panicked: {bytes:?}");
        }
    }
    // Pure garbage of every short length.
    for len in 1..64 {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        assert!(process(&bytes, &Limits::default()).is_err());
    }
}

/// Small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
