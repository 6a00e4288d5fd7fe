//! Content sniffing and container checks. Every read goes through `get`, so no input can make
//! this module panic.

use crate::Format;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const EBML_ID: u32 = 0x1A45_DFA3;
const EBML_DOCTYPE_ID: u32 = 0x4282;
const EBML_VOID_ID: u32 = 0xEC;
const MATROSKA_SEGMENT_ID: u32 = 0x1853_8067;

/// ISO base media brands a browser plays as `video/mp4`.
const MP4_BRANDS: &[&[u8; 4]] = &[
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
    b"M4VH", b"M4VP", b"dash", b"mmp4", b"MSNV",
];
/// HEIF/AVIF still-image brands: an `ftyp` box, but a photo, not a video.
const HEIF_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
];
const AVIF_BRANDS: &[&[u8; 4]] = &[b"avif", b"avis"];
const AUDIO_BRANDS: &[&[u8; 4]] = &[b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "];

pub(crate) fn sniff(b: &[u8]) -> Option<Format> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if b.starts_with(PNG_SIGNATURE) {
        return Some(Format::Png);
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return Some(Format::Webp);
    }
    if ftyp(b) == Some(Ftyp::Mp4) {
        return Some(Format::Mp4);
    }
    if ebml_doctype(b) == Some(b"webm") {
        return Some(Format::Webm);
    }
    None
}

/// What a file that [`sniff`] refused seems to be, for the error message.
pub(crate) fn looks_like(b: &[u8]) -> Option<&'static str> {
    match ftyp(b) {
        Some(Ftyp::Heif) => return Some("a HEIC/HEIF photo"),
        Some(Ftyp::Avif) => return Some("an AVIF image"),
        Some(Ftyp::QuickTime) => return Some("a QuickTime (MOV) video"),
        Some(Ftyp::Audio) => return Some("an M4A audio file"),
        Some(Ftyp::ThreeGp) => return Some("a 3GP video"),
        Some(Ftyp::Jpeg2000) => return Some("a JPEG 2000 image"),
        Some(Ftyp::Mp4) | Some(Ftyp::Other) | None => {}
    }
    if let Some(doctype) = ebml_doctype(b) {
        if doctype == b"matroska" {
            return Some("a Matroska (MKV) video");
        }
    }
    let magic: &[(&[u8], &'static str)] = &[
        (b"%PDF-", "a PDF"),
        (b"GIF87a", "a GIF"),
        (b"GIF89a", "a GIF"),
        (b"BM", "a BMP image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"\0\0\x01\0", "an icon (ICO)"),
        (b"\xFF\x0A", "a JPEG XL image"),
        (b"\0\0\0\x0CJXL \r\n\x87\n", "a JPEG XL image"),
        (b"8BPS", "a Photoshop document"),
        (b"PK\x03\x04", "a ZIP archive or an Office document"),
        (b"\x1F\x8B", "a GZIP archive"),
        (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
        (b"Rar!", "a RAR archive"),
        (b"\x7FELF", "a program"),
        (b"MZ", "a program"),
        (b"ID3", "an MP3 audio file"),
        (b"OggS", "an Ogg audio or video file"),
        (b"fLaC", "a FLAC audio file"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Office document",
        ),
        (b"{\\rtf", "an RTF document"),
    ];
    for (prefix, what) in magic {
        if b.starts_with(prefix) {
            return Some(what);
        }
    }
    if b.starts_with(b"RIFF") {
        return match b.get(8..12) {
            Some(b"AVI ") => Some("an AVI video"),
            Some(b"WAVE") => Some("a WAV audio file"),
            _ => None,
        };
    }
    if b.get(4..8) == Some(b"ftyp") {
        return Some("an MPEG-4 file of a kind that is not accepted");
    }
    looks_like_text(b)
}

/// HTML, SVG, XML or other text. Browsers sniff these too, which is why they must never be
/// stored as an "image".
fn looks_like_text(b: &[u8]) -> Option<&'static str> {
    let head = &b[..b.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let starts = |p: &[u8]| lower.starts_with(p);
    let contains = |p: &[u8]| lower.windows(p.len()).any(|w| w == p);
    let markup = starts(b"<");
    let html = starts(b"<!doctype html")
        || starts(b"<html")
        || starts(b"<head")
        || starts(b"<body")
        || starts(b"<script")
        || (markup && contains(b"<html"));
    if !html && markup && contains(b"<svg") {
        return Some("an SVG drawing");
    }
    if html {
        return Some("a web page (HTML)");
    }
    if starts(b"<?xml") {
        return Some("an XML document");
    }
    if !head.is_empty()
        && std::str::from_utf8(head).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || c.is_ascii_whitespace())
        })
    {
        return Some("a text file");
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ftyp {
    Mp4,
    Heif,
    Avif,
    QuickTime,
    Audio,
    ThreeGp,
    Jpeg2000,
    Other,
}

/// Classifies an ISO base media file by its leading `ftyp` box: the major brand first, then the
/// compatible brands.
fn ftyp(b: &[u8]) -> Option<Ftyp> {
    if b.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = be32(b, 0)? as usize;
    if size < 16 || !size.is_multiple_of(4) {
        return None;
    }
    let major: &[u8] = b.get(8..12)?;
    let compatible: Vec<&[u8]> = b
        .get(16..size.min(b.len()))
        .unwrap_or(&[])
        .chunks_exact(4)
        .collect();
    let is_in = |set: &[&[u8; 4]], brand: &[u8]| set.iter().any(|s| s.as_slice() == brand);
    if is_in(AVIF_BRANDS, major) {
        return Some(Ftyp::Avif);
    }
    if is_in(HEIF_BRANDS, major) {
        return Some(Ftyp::Heif);
    }
    if major == b"qt  " {
        return Some(Ftyp::QuickTime);
    }
    if is_in(AUDIO_BRANDS, major) {
        return Some(Ftyp::Audio);
    }
    if major == b"jp2 " || major == b"jpx " || major == b"jpm " {
        return Some(Ftyp::Jpeg2000);
    }
    if is_in(MP4_BRANDS, major) || compatible.iter().any(|c| is_in(MP4_BRANDS, c)) {
        return Some(Ftyp::Mp4);
    }
    if major.starts_with(b"3g") {
        return Some(Ftyp::ThreeGp);
    }
    Some(Ftyp::Other)
}

/// Checks that an image file is complete, so that a cut-off upload is refused rather than decoded
/// leniently into a half-grey picture.
pub(crate) fn check_image(format: Format, b: &[u8]) -> Result<(), &'static str> {
    match format {
        Format::Jpeg => check_jpeg(b),
        Format::Png => check_png(b),
        Format::Webp => check_webp(b),
        Format::Mp4 | Format::Webm => Err("not an image format"),
    }
}

/// Walks the JPEG segments and the entropy-coded data up to the end-of-image marker. Data after
/// it (some cameras append a second image or a trailer there) is ignored: re-encoding drops it.
fn check_jpeg(b: &[u8]) -> Result<(), &'static str> {
    const CUT: &str = "the file ends before the JPEG end-of-image marker";
    let mut i = 2; // after SOI
    let mut seen_scan = false;
    loop {
        if *b.get(i).ok_or(CUT)? != 0xFF {
            return Err("data where a JPEG marker should be");
        }
        while b.get(i) == Some(&0xFF) {
            i += 1;
        }
        let marker = *b.get(i).ok_or(CUT)?;
        i += 1;
        match marker {
            0xD9 if seen_scan => return Ok(()),
            0xD9 => return Err("end-of-image marker before any image data"),
            0xD8 | 0x00 => return Err("misplaced JPEG marker"),
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let len = usize::from(be16(b, i).ok_or(CUT)?);
        if len < 2 {
            return Err("JPEG segment with a bad length");
        }
        i = i
            .checked_add(len)
            .filter(|&end| end <= b.len())
            .ok_or(CUT)?;
        if marker == 0xDA {
            seen_scan = true;
            // Entropy-coded data: skip to the next marker that is not a stuffed 0xFF00 or a
            // restart marker.
            loop {
                let at = b.get(i..).ok_or(CUT)?.iter().position(|&x| x == 0xFF);
                i += at.ok_or(CUT)?;
                match *b.get(i + 1).ok_or(CUT)? {
                    0x00 | 0xD0..=0xD7 => i += 2,
                    0xFF => i += 1,
                    _ => break,
                }
            }
        }
    }
}

/// Walks the PNG chunks up to `IEND`.
fn check_png(b: &[u8]) -> Result<(), &'static str> {
    const CUT: &str = "the file ends before the PNG IEND chunk";
    let mut i = PNG_SIGNATURE.len();
    let mut first = true;
    loop {
        let len = be32(b, i).ok_or(CUT)?;
        if len > 0x7FFF_FFFF {
            return Err("PNG chunk with a bad length");
        }
        let kind = b.get(i + 4..i + 8).ok_or(CUT)?;
        if first && kind != b"IHDR" {
            return Err("the first PNG chunk is not IHDR");
        }
        let end = (i + 12)
            .checked_add(len as usize)
            .filter(|&end| end <= b.len())
            .ok_or(CUT)?;
        if kind == b"IEND" {
            return Ok(());
        }
        first = false;
        i = end;
    }
}

/// Checks the RIFF size against the file and walks the chunks inside it.
fn check_webp(b: &[u8]) -> Result<(), &'static str> {
    const CUT: &str = "the file is shorter than its WebP header says";
    let riff = le32(b, 4).ok_or(CUT)? as usize;
    if riff < 4 {
        return Err("WebP header with a bad size");
    }
    let end = riff.checked_add(8).filter(|&e| e <= b.len()).ok_or(CUT)?;
    let mut i = 12;
    let mut has_image = false;
    while i + 8 <= end {
        let kind = b.get(i..i + 4).ok_or(CUT)?;
        has_image |= matches!(kind, b"VP8 " | b"VP8L" | b"VP8X");
        let len = le32(b, i + 4).ok_or(CUT)? as usize;
        let data_end = (i + 8).checked_add(len).filter(|&e| e <= end).ok_or(CUT)?;
        i = data_end + (len & 1);
    }
    if has_image {
        Ok(())
    } else {
        Err("no WebP image chunk")
    }
}

/// One ISO BMFF box: where it starts, where its content starts, where it ends, its type.
struct Bmff {
    start: usize,
    content: usize,
    end: usize,
    kind: [u8; 4],
}

/// The boxes that exactly tile `b[start..end]`. A box of size 0 runs to `end`. Fewer than 8 zero
/// bytes at the end are allowed (QuickTime-style terminator).
fn boxes(b: &[u8], start: usize, end: usize) -> Result<Vec<Bmff>, &'static str> {
    const CUT: &str =
        "an MP4 box runs past the end of the file or of its parent (truncated upload?)";
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if end - i < 8
            && b.get(i..end)
                .is_some_and(|rest| rest.iter().all(|&x| x == 0))
        {
            break;
        }
        let size32 = be32(b, i).filter(|_| i + 8 <= end).ok_or(CUT)?;
        let kind: [u8; 4] = b
            .get(i + 4..i + 8)
            .and_then(|k| k.try_into().ok())
            .ok_or(CUT)?;
        let (content, size) = match size32 {
            0 => (i + 8, end - i),
            1 => {
                let large = be64(b, i + 8).filter(|_| i + 16 <= end).ok_or(CUT)?;
                (i + 16, usize::try_from(large).map_err(|_| CUT)?)
            }
            n => (i + 8, n as usize),
        };
        let box_end = i
            .checked_add(size)
            .filter(|&e| e <= end && e >= content)
            .ok_or(CUT)?;
        out.push(Bmff {
            start: i,
            content,
            end: box_end,
            kind,
        });
        i = box_end;
    }
    Ok(out)
}

/// Boxes that hold descriptive metadata only (location, device, names, XMP), never anything a
/// player needs.
fn is_metadata_box(kind: &[u8; 4]) -> bool {
    matches!(kind, b"udta" | b"meta" | b"uuid")
}

/// Turns a box into a `free` box of the same size with zeroed content. Nothing moves, so the
/// absolute sample offsets in `stco`/`co64` stay valid.
fn blank(b: &mut [u8], bx: &Bmff) {
    b[bx.start + 4..bx.start + 8].copy_from_slice(b"free");
    b[bx.content..bx.end].fill(0);
}

/// Checks an MP4: an accepted `ftyp` first, top-level boxes that tile the whole file, a `moov`
/// box whose children (and each `trak`'s) tile it, an `mdat` box. Blanks the metadata boxes at the top level, in
/// `moov` and in each `trak`.
pub(crate) fn check_and_clean_mp4(b: &mut [u8]) -> Result<(), &'static str> {
    let top = boxes(b, 0, b.len())?;
    if top.first().map(|bx| &bx.kind) != Some(b"ftyp") {
        return Err("the MP4 file does not start with an ftyp box");
    }
    if !top.iter().any(|bx| &bx.kind == b"moov") {
        return Err("no moov box: the MP4 file is incomplete");
    }
    // A file cut exactly at a box boundary still tiles; with the moov box first, what is lost
    // then is the media data.
    if !top.iter().any(|bx| &bx.kind == b"mdat") {
        return Err("no mdat box: the MP4 file has no media data (truncated upload?)");
    }
    for bx in &top {
        if is_metadata_box(&bx.kind) {
            blank(b, bx);
        } else if &bx.kind == b"moov" {
            for child in boxes(b, bx.content, bx.end)? {
                if is_metadata_box(&child.kind) {
                    blank(b, &child);
                } else if &child.kind == b"trak" {
                    for grandchild in boxes(b, child.content, child.end)? {
                        if is_metadata_box(&grandchild.kind) {
                            blank(b, &grandchild);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// An EBML element header: the ID (marker bits kept), and the data size (`None` = unknown).
struct Element {
    id: u32,
    size: Option<u64>,
    data: usize,
}

fn ebml_element(b: &[u8], at: usize) -> Option<Element> {
    let first = *b.get(at)?;
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return None;
    }
    let id = b
        .get(at..at + id_len)?
        .iter()
        .fold(0u32, |acc, &x| acc << 8 | u32::from(x));
    let size_at = at + id_len;
    let first = *b.get(size_at)?;
    let size_len = first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return None;
    }
    let mask = 0xFFu8.checked_shr(size_len as u32).unwrap_or(0);
    let rest = b.get(size_at + 1..size_at + size_len)?;
    let value = rest
        .iter()
        .fold(u64::from(first & mask), |acc, &x| acc << 8 | u64::from(x));
    let all_ones = (first & mask) == mask && rest.iter().all(|&x| x == 0xFF);
    Some(Element {
        id,
        size: (!all_ones).then_some(value),
        data: size_at + size_len,
    })
}

/// The EBML header: its end, and its DocType if present. The header must have a known size; its
/// content is read as far as the bytes go (enough for sniffing a prefix).
fn ebml_header(b: &[u8]) -> Option<(usize, Option<&[u8]>)> {
    let header = ebml_element(b, 0)?;
    if header.id != EBML_ID {
        return None;
    }
    let end = header
        .data
        .checked_add(usize::try_from(header.size?).ok()?)?;
    let mut i = header.data;
    let mut doctype = None;
    while i < end.min(b.len()) {
        let Some(child) = ebml_element(b, i) else {
            break;
        };
        let child_end = child.data.checked_add(usize::try_from(child.size?).ok()?)?;
        if child.id == EBML_DOCTYPE_ID {
            let value = b.get(child.data..child_end)?;
            let trimmed = value.iter().rposition(|&x| x != 0).map_or(0, |p| p + 1);
            doctype = Some(&value[..trimmed]);
        }
        i = child_end;
    }
    Some((end, doctype))
}

fn ebml_doctype(b: &[u8]) -> Option<&[u8]> {
    ebml_header(b)?.1
}

/// Matroska level-1 elements (children of the Segment).
const SEGMENT_CHILDREN: &[u32] = &[
    0x114D_9B74, // SeekHead
    0x1549_A966, // Info
    0x1654_AE6B, // Tracks
    0x1F43_B675, // Cluster
    0x1C53_BB6B, // Cues
    0x1043_A770, // Chapters
    0x1254_C367, // Tags
    0x1941_A469, // Attachments
    EBML_VOID_ID,
    0xBF, // CRC-32
];
const TRACKS_ID: u32 = 0x1654_AE6B;
const CLUSTER_ID: u32 = 0x1F43_B675;

/// Checks a WebM: EBML header with DocType `webm`, then a Segment whose children are Matroska
/// level-1 elements that fit in it, among them `Tracks`. A Segment of known size must fit in the
/// file. Live recordings (e.g. a browser's MediaRecorder) write a Segment and Clusters of
/// unknown size: the walk stops at the first such Cluster, so their end cannot be checked.
pub(crate) fn check_webm(b: &[u8]) -> Result<(), &'static str> {
    const CUT: &str = "the WebM file is truncated";
    let (mut i, doctype) = ebml_header(b).ok_or("bad EBML header")?;
    if doctype != Some(b"webm") {
        return Err("not a WebM document");
    }
    let segment = loop {
        let el = ebml_element(b, i).ok_or(CUT)?;
        match el.id {
            EBML_VOID_ID => {
                let size = el.size.ok_or("Void element of unknown size")?;
                i = el.data.checked_add(to_usize(size)?).ok_or(CUT)?;
            }
            MATROSKA_SEGMENT_ID => break el,
            _ => return Err("no Segment after the WebM header"),
        }
    };
    let end = match segment.size {
        Some(size) => segment
            .data
            .checked_add(to_usize(size)?)
            .filter(|&e| e <= b.len())
            .ok_or(CUT)?,
        None => b.len(),
    };
    let mut i = segment.data;
    let mut has_tracks = false;
    while i < end {
        let el = ebml_element(b, i).filter(|el| el.data <= end).ok_or(CUT)?;
        if !SEGMENT_CHILDREN.contains(&el.id) {
            return Err("unknown element in the WebM segment");
        }
        has_tracks |= el.id == TRACKS_ID;
        match el.size {
            Some(size) => {
                i = el
                    .data
                    .checked_add(to_usize(size)?)
                    .filter(|&e| e <= end)
                    .ok_or(CUT)?;
            }
            None if el.id == CLUSTER_ID => break,
            None => return Err("WebM element of unknown size"),
        }
    }
    if has_tracks {
        Ok(())
    } else {
        Err("no Tracks element in the WebM file")
    }
}

fn to_usize(size: u64) -> Result<usize, &'static str> {
    usize::try_from(size).map_err(|_| "size too large")
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_kinds() {
        assert_eq!(
            looks_like(b"\xEF\xBB\xBF  <!DOCTYPE html><p>hi"),
            Some("a web page (HTML)")
        );
        assert_eq!(
            looks_like(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("an SVG drawing")
        );
        assert_eq!(looks_like(b"hello, world\n"), Some("a text file"));
        assert_eq!(looks_like(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8]), None);
    }

    #[test]
    fn heic_and_mov_are_named() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(sniff(heic), None);
        assert_eq!(looks_like(heic), Some("a HEIC/HEIF photo"));
        let mov = b"\0\0\0\x14ftypqt  \0\0\x02\0qt  ";
        assert_eq!(sniff(mov), None);
        assert_eq!(looks_like(mov), Some("a QuickTime (MOV) video"));
        let m4a = b"\0\0\0\x1cftypM4A \0\0\0\0M4A mp42isom";
        assert_eq!(sniff(m4a), None);
        assert_eq!(looks_like(m4a), Some("an M4A audio file"));
    }

    #[test]
    fn ebml_sizes() {
        // ID 0x4282, size 1 byte (0x84 = 4), "webm".
        let el = ebml_element(b"\x42\x82\x84webm", 0).unwrap();
        assert_eq!(el.id, 0x4282);
        assert_eq!(el.size, Some(4));
        assert_eq!(el.data, 3);
        // Unknown size: all value bits set.
        let el = ebml_element(b"\x18\x53\x80\x67\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 0).unwrap();
        assert_eq!(el.size, None);
        assert!(ebml_element(b"\x00", 0).is_none());
        assert!(ebml_element(b"\x42", 0).is_none());
    }
}
