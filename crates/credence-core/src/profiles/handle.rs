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
        Ok(Handle(handle.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
/// A display name: one line of 1–100 characters, no control or invisible format characters
/// (it is shown next to the verified badge); defaults to the handle.
pub fn clean_display_name(input: &str, handle: &str) -> CoreResult<String> {
    let name = single_line("display_name", "the display name", input, 100)?;
    Ok(if name.is_empty() {
        handle.to_string()
    } else {
        name
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(Handle::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
