//! The names a profile is known by: its handle and its display name.

use crate::kernel::text::{refuse_format_chars, single_line};
use crate::kernel::{CoreError, CoreResult};

/// A profile handle: 3–30 letters, digits or underscores, as on Mastodon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle(String);

/// Handles that would be confused with the site's own pages or staff.
const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "api",
    "oauth",
    "settings",
    "static",
    "signin",
    "signup",
    "signout",
    "review",
    "verification",
    "support",
    "security",
    "credence",
    "root",
    "system",
    "moderator",
    "healthz",
    "metrics",
    "nodeinfo",
    "well_known",
];

impl Handle {
    pub fn parse(input: &str) -> CoreResult<Handle> {
        let handle = input.trim().trim_start_matches('@');
        // Named apart from the general rule below, so the person learns what is wrong with a
        // handle that looks right (one pasted with a zero-width space, say).
        refuse_format_chars("handle", "the handle", handle)?;
        let chars_ok = handle
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !(3..=30).contains(&handle.len()) || !chars_ok {
            return Err(CoreError::invalid(
                "handle",
                "a handle is 3 to 30 letters, digits or underscores",
            ));
        }
        if RESERVED_HANDLES.contains(&handle.to_ascii_lowercase().as_str()) {
            return Err(CoreError::invalid("handle", "that handle is reserved"));
        }
        // A handle is the display name when none is given, and is shown beside it.
        if badge_lookalike(handle).is_some() {
            return Err(CoreError::invalid(
                "handle",
                "a handle cannot say \"verified\": only Credence says who is verified",
            ));
        }
        Ok(Handle(handle.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
/// A display name: one line of 1–100 characters, no control or invisible format characters
/// (it is shown next to the verified badge), and nothing that imitates the badge; defaults to
/// the handle.
pub fn clean_display_name(input: &str, handle: &str) -> CoreResult<String> {
    let name = single_line("display_name", "the display name", input, 100)?;
    if let Some(what) = badge_lookalike(&name) {
        return Err(CoreError::invalid(
            "display_name",
            format!(
                "A display name cannot contain {what}: only Credence says who is verified, \
                 with its badge next to the name"
            ),
        ));
    }
    Ok(if name.is_empty() {
        handle.to_string()
    } else {
        name
    })
}

/// Check marks and ballot boxes with a check (U+2611, U+2705, U+2713, U+2714, U+1F5F8,
/// U+1F5F9), the square root sign and the Aegean check mark that pass for one.
const CHECK_MARKS: &[char] = &[
    '\u{2611}',
    '\u{2705}',
    '\u{2713}',
    '\u{2714}',
    '\u{1F5F8}',
    '\u{1F5F9}',
    '\u{221A}',
    '\u{237B}',
    '\u{10102}',
];

/// A name as it looks: NFKC, lower case, the UTS #39 confusable skeleton, spaces collapsed.
/// Two names with the same key read the same to a person ("Dr Jane Roe" and "dr jаne roe"
/// with a Cyrillic "а").
pub(super) fn look_alike_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let normal = name.nfkc().collect::<String>().to_lowercase();
    let skeleton: String = unicode_security::skeleton(&normal).collect();
    skeleton.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What in a name would pass for the verified badge: a check mark, or the word "verified" (or
/// "verificado", "vérifié", …) in any letters that look like it. Each word is compared by its
/// NFKC form's UTS #39 confusable skeleton, accents and everything but letters and digits
/// dropped, `l` read as `i` (the skeleton turns `1` and `I` into `l`); letters spelt out one
/// at a time ("v.e.r.i.f.i.e.d") are joined first. Word by word, so "Averi Fischer" is a name.
fn badge_lookalike(name: &str) -> Option<&'static str> {
    use unicode_normalization::UnicodeNormalization;
    if name.chars().any(|c| CHECK_MARKS.contains(&c)) {
        return Some("a check mark");
    }
    let fold = |text: &str| -> String {
        let normal: String = text.nfkc().collect::<String>().to_lowercase();
        unicode_security::skeleton(&normal)
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .map(|c| if c == 'l' { 'i' } else { c })
            .collect()
    };
    let target = fold("verifi");
    let normal: String = name.nfkc().collect();
    let mut words: Vec<String> = Vec::new();
    let mut spelt = String::new();
    for word in normal
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if word.chars().count() == 1 {
            spelt.push_str(word);
            continue;
        }
        words.push(std::mem::take(&mut spelt));
        words.push(word.to_string());
    }
    words.push(spelt);
    words
        .iter()
        .any(|w| fold(w).contains(&target))
        .then_some("the word \"verified\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_imitate_the_badge() {
        for name in [
            "Dr. Jane Roe ✓",
            "Jane Roe ✔️ Cardiologist",
            "Jane Roe ☑",
            "Dr Roe √",
            "Jane Roe, Verified cardiologist",
            "Jane Roe (VERIFIED)",
            "Jane Roe ver1fied",
            "Jane Roe vеrіfіеd",
            "Jane Roe 𝐯𝐞𝐫𝐢𝐟𝐢𝐞𝐝",
            "Jane Roe ｖｅｒｉｆｉｅｄ",
            "Jane Roe v.e.r.i.f.i.e.d",
            "Dra. Ana Ruiz, verificada",
            "Dr Jean Roux (vérifié)",
            "Jane Roe ⓥⓔⓡⓘⓕⓘⓔⓓ",
            "JaneVerified",
        ] {
            let err = clean_display_name(name, "jane").unwrap_err();
            assert_eq!(err.field(), Some("display_name"), "{name}");
        }
        for name in [
            "Dr. Jane Roe",
            "Very Fine Clinic",
            "Olivia Verity",
            "Ana Ruiz, RN",
            "李医生",
        ] {
            assert_eq!(clean_display_name(name, "jane").unwrap(), name);
        }
    }

    #[test]
    fn handles() {
        assert_eq!(Handle::parse("@dr_ana").unwrap().as_str(), "dr_ana");
        for bad in [
            "ab",
            "has space",
            "émile",
            "admin",
            &"x".repeat(31),
            "dr\u{200B}ana",
            "verified_doc",
        ] {
            assert!(Handle::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
