//! Argument checks made before any request, so mistakes fail fast with the argument's name.

use crate::error::{Error, Result};
use crate::weburl::WebUrl;

/// Largest page the API serves.
pub(crate) const MAX_LIMIT: u32 = 200;

/// A path id: non-empty and a UUID (DECISIONS Q23), which also makes it safe in a URL path.
pub(crate) fn id<'a>(argument: &str, value: &'a str) -> Result<&'a str> {
    if value.trim().is_empty() {
        return Err(Error::invalid(argument, "must not be empty"));
    }
    if value.len() != 36 || uuid::Uuid::try_parse(value).is_err() {
        let hint = if value.starts_with("sa_") || value.starts_with("app_") {
            " (this looks like an OAuth client id; pass the resource's UUID `id`)"
        } else {
            ""
        };
        // The value is not quoted: whatever was passed by mistake (a secret?) stays out of logs.
        return Err(Error::invalid(argument, format!("is not a UUID ({} characters){hint}", value.chars().count())));
    }
    Ok(value)
}

/// An opaque path id (DECISIONS V12: decision and trace ids, policy version ids, `{sha256}`, a
/// release `{version}`, a `{kind}`): any non-empty text but `.` and `..`, percent-encoded into one
/// path segment (everything but RFC 3986's unreserved characters is escaped). A `.` or `..`
/// segment is refused: URL parsers resolve it away even percent-encoded (WHATWG URL treats `%2E`
/// as a dot), so `/policy/versions/..` would reach `/policy`.
pub(crate) fn opaque_id(argument: &str, value: &str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::invalid(argument, "must not be empty"));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid(argument, "must not be `.` or `..` (a path segment of its own)"));
    }
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}

/// A page size within 1–200.
pub(crate) fn limit(value: Option<u32>) -> Result<()> {
    match value {
        Some(n) if n == 0 || n > MAX_LIMIT => Err(Error::invalid("limit", format!("{n} is outside 1-{MAX_LIMIT}"))),
        _ => Ok(()),
    }
}

/// A required, non-blank string field.
pub(crate) fn required(argument: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(argument, "is required and must not be blank"));
    }
    Ok(())
}

/// An absolute http(s) URL.
pub(crate) fn url(argument: &str, value: &str) -> Result<()> {
    match WebUrl::parse(value) {
        Ok(u) if matches!(u.scheme().as_str(), "http" | "https") && u.host_str().is_some() => Ok(()),
        // URLs are never quoted back: one may carry `user:password@`.
        Ok(u) => Err(Error::invalid(argument, format!("must be an http(s) URL, not {}:", u.scheme()))),
        Err(e) => Err(Error::invalid(argument, format!("is not a valid URL: {e}"))),
    }
}

/// An absolute URL of any scheme (redirect URIs may use custom schemes for native apps).
pub(crate) fn absolute_uri(argument: &str, value: &str) -> Result<()> {
    WebUrl::parse(value).map(drop).map_err(|e| Error::invalid(argument, format!("is not an absolute URI: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_ids_are_non_empty_and_stay_one_segment() {
        assert_eq!(opaque_id("version", "1.4.2").unwrap(), "1.4.2");
        assert_eq!(opaque_id("policyVersionId", "pv_01H~x").unwrap(), "pv_01H~x");
        assert_eq!(opaque_id("version", "a/b?c#d e%").unwrap(), "a%2Fb%3Fc%23d%20e%25");
        assert_eq!(opaque_id("version", "é").unwrap(), "%C3%A9");
        for dots in [".", ".."] {
            assert_eq!(opaque_id("version", dots).unwrap_err().details().argument.as_deref(), Some("version"));
        }
        assert_eq!(opaque_id("version", "...").unwrap(), "...");
        let e = opaque_id("sha256", "").unwrap_err();
        assert_eq!(e.details().argument.as_deref(), Some("sha256"));
    }

    #[test]
    fn ids_must_be_uuids() {
        assert!(id("id", "0b6f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11").is_ok());
        for bad in [
            "",
            "  ",
            "not-a-uuid",
            "0b6f1c1e3a514a9e9d0f2f1f6f0a9c11",
            "../../admin",
            "sa_0b6f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11",
        ] {
            let e = id("id", bad).unwrap_err();
            assert_eq!(e.details().argument.as_deref(), Some("id"), "{bad}");
        }
        assert!(id("id", "sa_x").unwrap_err().to_string().contains("client id"));
    }

    #[test]
    fn limits_are_bounded() {
        assert!(limit(None).is_ok());
        assert!(limit(Some(1)).is_ok());
        assert!(limit(Some(200)).is_ok());
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(201)).is_err());
    }

    #[test]
    fn errors_never_quote_the_input() {
        let password = "S3cr3tPassw0rd";
        for e in [
            url("url", &format!("https://svc:{password}@exa mple.com")).unwrap_err(),
            url("url", &format!("ftp://svc:{password}@example.com")).unwrap_err(),
            absolute_uri("redirectUris", &format!("/svc:{password}@relative")).unwrap_err(),
            id("id", &format!("sk_{password}")).unwrap_err(),
            opaque_id("traceId", "").unwrap_err(),
        ] {
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
            assert!(!e.to_string().contains(password), "{e}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(url("url", "https://mcp.example.com/sse").is_ok());
        assert!(url("url", "ftp://x").is_err());
        assert!(url("url", "nope").is_err());
        assert!(absolute_uri("redirectUris", "myapp://callback").is_ok());
        assert!(absolute_uri("redirectUris", "/relative").is_err());
    }
}
