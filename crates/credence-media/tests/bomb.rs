//! Decompression bombs: files whose headers declare enormous images. They must be refused from
//! the header, without the decoder allocating the image. This file is its own test binary with a
//! single test, so the counting allocator below sees only this test's allocations.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use credence_media::{process, Limits, MediaError};
use image::DynamicImage;

/// Records the largest single allocation.
struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// A real small PNG whose IHDR is rewritten to declare `w` × `h` (CRC fixed up).
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = png(&DynamicImage::ImageRgb8(gradient(8, 8)));
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&[&bytes[12..29]]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A real small JPEG whose SOF0 is rewritten to declare `w` × `h`.
fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = jpeg(&gradient(8, 8));
    let sof = bytes
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("baseline JPEG has SOF0");
    // FF C0, length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

/// A real small lossless WebP whose VP8L header is rewritten to declare `w` × `h` (each at most
/// 16383: 14 bits, and image-webp 0.2.4 reads 16384 as 0).
fn webp_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = webp(&DynamicImage::ImageRgb8(gradient(8, 8)));
    assert_eq!(&bytes[12..16], b"VP8L", "simple lossless WebP");
    assert_eq!(bytes[20], 0x2F, "VP8L signature");
    let old = u32::from_le_bytes(bytes[21..25].try_into().unwrap());
    let new = (old & 0xF000_0000) | (w - 1) | ((h - 1) << 14);
    bytes[21..25].copy_from_slice(&new.to_le_bytes());
    bytes
}

#[test]
fn pixel_bombs_are_refused_from_the_header() {
    let limits = Limits::default();
    let cases = [
        ("png", png_declaring(100_000, 100_000), 100_000, 100_000),
        ("jpeg", jpeg_declaring(65_535, 65_535), 65_535, 65_535),
        ("webp", webp_declaring(16_000, 16_000), 16_000, 16_000),
        // Long and thin: few pixels per row, still far too many in all.
        (
            "png-thin",
            png_declaring(1, 2_000_000_000),
            1,
            2_000_000_000,
        ),
    ];
    for (name, bytes, w, h) in cases {
        assert!(bytes.len() < 4096, "{name}: the bomb itself is tiny");
        LARGEST.store(0, Ordering::Relaxed);
        let result = process(&bytes, &limits);
        let largest = LARGEST.load(Ordering::Relaxed);
        match result {
            Err(MediaError::TooManyPixels {
                width,
                height,
                max_pixels,
            }) => {
                assert_eq!((width, height, max_pixels), (w, h, 40_000_000), "{name}");
            }
            other => panic!("{name}: expected TooManyPixels, got {other:?}"),
        }
        assert!(
            largest < 1024 * 1024,
            "{name}: largest allocation was {largest} bytes"
        );
    }
    let message = process(&png_declaring(100_000, 100_000), &limits)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "The image is 100000 × 100000 pixels (10000 megapixels); images may have at most 40 megapixels."
    );
}
