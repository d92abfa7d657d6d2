//! A string that must never be printed: client secrets, access and refresh tokens.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret value (client secret, access token, refresh token, server token).
///
/// `Debug` and `Display` print `[redacted]`, so a secret can sit in any struct that derives
/// `Debug` without leaking into logs or error messages. Serialization writes the real value,
/// because secrets have to travel to the API; call [`Secret::expose`] to read it deliberately.
///
/// ```
/// let s = kontext_management::Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "[redacted]");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself. Only call this where the value must leave the process.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Stands in for a value that `Debug` must not show (an idempotency key, a header value).
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("app_secret_abc");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            secret: Secret,
        }
        let dump = format!("{:?}", Holder { secret: s.clone() });
        assert!(!dump.contains("app_secret_abc"), "{dump}");
    }

    #[test]
    fn serde_round_trips_the_real_value() {
        let s = Secret::new("tok");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"tok\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "tok");
    }
}
