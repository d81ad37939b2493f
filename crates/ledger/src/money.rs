//! Exact money and credit amounts, and the currency a wallet is denominated in.
//!
//! Every amount the ledger keeps is a `rust_decimal::Decimal`. [`Amount`] is the
//! non-negative form used at the API (grant amounts, usage amounts, limits);
//! inside the engine plain `Decimal` fields are used and their signs asserted.

use std::fmt;

use rust_decimal::Decimal;

/// A non-negative exact amount of money or credits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(Decimal);

impl Amount {
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// `None` when `value` is negative.
    #[inline]
    pub fn new(value: Decimal) -> Option<Amount> {
        (value >= Decimal::ZERO).then_some(Amount(value))
    }

    /// An integer amount, for tests and examples.
    pub fn from_int(value: u64) -> Amount {
        Amount(Decimal::from(value))
    }

    pub fn get(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

/// A currency code: ISO 4217 (`USD`) or a custom credit unit (`CREDITS`).
///
/// Stored inline (up to 12 ASCII letters, digits or `_`) so comparing the
/// currency of a usage event with the wallet's costs one integer comparison.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 12]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD\0\0\0\0\0\0\0\0\0");

    /// `None` unless `code` is 1 to 12 characters of `A-Z`, `0-9` or `_`.
    pub fn new(code: &str) -> Option<Currency> {
        let bytes = code.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= 12
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        if !valid {
            return None;
        }
        let mut inline = [0u8; 12];
        inline[..bytes.len()].copy_from_slice(bytes);
        Some(Currency(inline))
    }

    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|b| *b == 0).unwrap_or(12);
        // Constructed only from ASCII in `new`.
        std::str::from_utf8(&self.0[..len]).expect("currency codes are ASCII")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

/// Formats a decimal the way the ledger prints amounts: no trailing zeros.
pub fn format_decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_round_trips_and_rejects_bad_codes() {
        assert_eq!(Currency::new("USD"), Some(Currency::USD));
        assert_eq!(Currency::new("CREDITS").unwrap().as_str(), "CREDITS");
        assert_eq!(Currency::new("usd"), None);
        assert_eq!(Currency::new(""), None);
        assert_eq!(Currency::new("ABCDEFGHIJKLM"), None);
    }

    #[test]
    fn amounts_are_never_negative() {
        assert!(Amount::new(Decimal::NEGATIVE_ONE).is_none());
        assert_eq!(format_decimal(Decimal::new(1050, 2)), "10.5");
    }
}
