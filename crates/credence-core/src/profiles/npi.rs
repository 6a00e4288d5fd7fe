//! The US National Provider Identifier and its check digit.

use crate::kernel::{CoreError, CoreResult};

/// A US National Provider Identifier: 10 digits whose last is a Luhn check digit computed over
/// the prefix 80840 and the first nine digits (CMS, "NPI check digit" specification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Npi(String);

impl Npi {
    pub fn parse(input: &str) -> CoreResult<Npi> {
        let digits = input.trim();
        let bad = |why: &str| CoreError::invalid("npi", format!("the NPI {why}"));
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("must be exactly 10 digits"));
        }
        if !matches!(digits.as_bytes()[0], b'1' | b'2') {
            return Err(bad("must start with 1 or 2"));
        }
        let check = npi_check_digit(&digits[..9]);
        if u32::from(digits.as_bytes()[9] - b'0') != check {
            return Err(bad(
                "check digit does not match: please re-check the number",
            ));
        }
        Ok(Npi(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The NPI check digit for nine leading digits: Luhn over "80840" followed by them, doubling
/// every second digit from the right starting with the rightmost.
pub fn npi_check_digit(first_nine: &str) -> u32 {
    let payload = format!("80840{first_nine}");
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_validation() {
        // CMS's worked example: 123456789 has check digit 3.
        assert!(Npi::parse("1234567893").is_ok());
        assert!(Npi::parse("1234567890").is_err());
        assert!(Npi::parse("123456789").is_err());
        assert!(Npi::parse("12345678a3").is_err());
        assert!(Npi::parse("3234567893").is_err());
    }
}
