//! Rules for text that people type and others read: length, control characters, and the
//! invisible *format* characters (Unicode category Cf) that let one name pass for another —
//! zero-width spaces and joiners, bidirectional overrides that reverse the text after them,
//! the byte-order mark, the soft hyphen. A display name with a hidden right-to-left override
//! can show a verified clinician's name while being something else, so one-line fields shown
//! next to a badge refuse them outright.

use super::error::{CoreError, CoreResult};

/// Unicode general category Cf (Unicode 15.1), as inclusive ranges.
const FORMAT_CHARS: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'), // soft hyphen
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'), // Arabic letter mark
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'), // Mongolian vowel separator
    ('\u{200B}', '\u{200F}'), // zero-width space, (non-)joiner, LRM, RLM
    ('\u{202A}', '\u{202E}'), // bidirectional embeddings and overrides
    ('\u{2060}', '\u{206F}'), // word joiner, invisible operators, bidirectional isolates
    ('\u{FEFF}', '\u{FEFF}'), // zero-width no-break space (byte-order mark)
    ('\u{FFF9}', '\u{FFFB}'), // interlinear annotation
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'), // language tag
    ('\u{E0020}', '\u{E007F}'), // tag characters
];

/// Whether `c` is an invisible format character (Unicode category Cf).
pub fn is_format_char(c: char) -> bool {
    FORMAT_CHARS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// Refuses invisible format characters in `value`, naming the field.
pub fn refuse_format_chars(field: &'static str, label: &str, value: &str) -> CoreResult<()> {
    if value.chars().any(is_format_char) {
        return Err(CoreError::invalid(
            field,
            format!(
                "{label} contains invisible formatting characters (zero-width, text-direction \
                 or soft-hyphen marks): remove them and try again"
            ),
        ));
    }
    Ok(())
}

fn refuse_too_long(field: &'static str, label: &str, value: &str, max: usize) -> CoreResult<()> {
    if value.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format!("{label} is too long ({max} characters at most)"),
        ));
    }
    Ok(())
}

/// A one-line field shown as it is typed (a name, a credential, a company): trimmed, at most
/// `max` characters, no control characters (line breaks included) and no format characters.
pub fn single_line(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> CoreResult<String> {
    let value = value.trim();
    refuse_too_long(field, label, value, max)?;
    if value.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            field,
            format!("{label} must be one line without control characters"),
        ));
    }
    refuse_format_chars(field, label, value)?;
    Ok(value.to_string())
}

/// Free text over several lines (a bio, a note): trimmed, at most `max` characters, no control
/// characters but line breaks and tabs. Format characters are allowed here: emoji sequences
/// and right-to-left prose need them, and free text is never shown as someone's name.
pub fn multi_line(field: &'static str, label: &str, value: &str, max: usize) -> CoreResult<String> {
    let value = value.trim();
    refuse_too_long(field, label, value, max)?;
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(CoreError::invalid(
            field,
            format!("{label} contains control characters"),
        ));
    }
    Ok(value.to_string())
}

/// An optional text field of an API body: left out, it is `None`; `null` is refused, since it
/// could mean "keep" or "clear" (an empty string clears). Use with
/// `#[serde(default, deserialize_with = "no_null")]`.
pub fn no_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    use serde::Deserialize;
    // A string is required, not an optional one: a form's empty field stays "" (it clears),
    // and JSON's null is refused instead of read as either.
    String::deserialize(d).map(Some).map_err(|e| {
        D::Error::custom(format!(
            "{e}: leave the field out to keep it, or send \"\" to clear it"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_are_refused_in_one_line_fields() {
        for c in [
            '\u{00AD}',
            '\u{200B}',
            '\u{200D}',
            '\u{200F}',
            '\u{202A}',
            '\u{202E}',
            '\u{2060}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            assert!(is_format_char(c), "U+{:04X}", c as u32);
            let err = single_line(
                "display_name",
                "the display name",
                &format!("Dr{c}Ana"),
                100,
            )
            .unwrap_err();
            assert!(err.to_string().contains("invisible formatting"), "{err}");
            assert_eq!(err.field(), Some("display_name"));
        }
        for c in ['a', 'é', 'ß', '\u{0301}', '字', '🙂', ' ', '\u{00A0}'] {
            assert!(!is_format_char(c), "U+{:04X}", c as u32);
        }
        assert_eq!(
            single_line("x", "x", "  Dr Ana Obi, MD ", 100).unwrap(),
            "Dr Ana Obi, MD"
        );
        assert!(single_line("x", "x", "two\nlines", 100).is_err());
        assert!(single_line("x", "x", &"n".repeat(101), 100).is_err());
    }

    #[test]
    fn free_text_keeps_line_breaks_and_emoji_sequences() {
        let bio = "Line one\nLine two 👩\u{200D}⚕️";
        assert_eq!(multi_line("bio", "the bio", bio, 2000).unwrap(), bio);
        assert!(multi_line("bio", "the bio", "bell\u{7}", 2000).is_err());
    }
}
