//! E-mail addresses as logins.

use crate::kernel::text::is_format_char;
use crate::kernel::{CoreError, CoreResult};

/// A syntactically valid e-mail address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> CoreResult<Email> {
        let email = input.trim().to_lowercase();
        let bad = || CoreError::invalid("email", "enter an e-mail address like name@example.org");
        if email.is_empty() || email.len() > 254 {
            return Err(bad());
        }
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && !is_format_char(c)
                    && !"@<>()[],;:\"\\".contains(c)
            });
        if domain_ok && local_ok {
            Ok(Email(email))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@ex..org",
            "ana@@example.org",
            "an\u{202E}a@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
