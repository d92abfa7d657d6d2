//! Releases of the endpoint software (spec-2 §6): the manifest with each artifact's SHA-256, a
//! short-lived download URL, and [`VerifiedArtifact`], what `releases.download` returns once the
//! bytes it fetched match the manifest. Field names beyond `version`, `artifacts[].sha256` and
//! `artifacts[].kind` are inferred.

use std::fmt;

use base64::Engine as _;
use kontext_management_derive::FromArg;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::open_enum::open_enum;

open_enum! {
    /// What an artifact of a release is (the `{kind}` of its download URL).
    pub enum ArtifactKind {
        /// The endpoint package.
        Package => "package",
        /// The install script (reads `KONTEXT_INSTALL_TOKEN`).
        InstallScript => "install_script",
    }
}

/// One downloadable file of a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ReleaseArtifact {
    /// `package` or `install_script`.
    pub kind: ArtifactKind,
    /// Lowercase hex SHA-256 the downloaded bytes must have.
    pub sha256: String,
    /// File name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// A release of the endpoint software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct Release {
    /// Version string (opaque to the SDK).
    pub version: String,
    /// What changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog: Option<String>,
    /// When it was published (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Its files, each with the SHA-256 a download must match.
    #[serde(default)]
    pub artifacts: Vec<ReleaseArtifact>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Release {
    /// The artifact of this kind, if the release has one.
    pub fn artifact(&self, kind: &str) -> Option<&ReleaseArtifact> {
        self.artifacts.iter().find(|a| a.kind.as_str() == kind)
    }
}

/// Query of `GET /deployments/releases`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ListReleasesParams {
    /// Page size, 1–200 (server default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Answer of `POST …/artifacts/{kind}/download-url`: a pre-signed URL that expires after about
/// 15 minutes. It grants the download by itself: never log it (Rust's `Debug` leaves it out).
#[derive(Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DownloadUrl {
    /// The URL; fetch it without an `Authorization` header.
    pub url: String,
    /// When it stops working (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Fields this version of the SDK does not know; kept so they survive a round-trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// `Debug` leaves the URL out: it is a credential until it expires.
impl fmt::Debug for DownloadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadUrl")
            .field("url", &crate::secret::Redacted)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A release artifact whose bytes were fetched and found to have the manifest's SHA-256: what
/// `releases.download` returns. A mismatch never gets this far (it fails as an `integrity` error).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct VerifiedArtifact {
    /// The release version.
    pub version: String,
    /// The artifact kind.
    pub kind: String,
    /// Lowercase hex SHA-256 of `content`, equal to the manifest's.
    pub sha256: String,
    /// Length of `content` in bytes.
    pub size: u64,
    /// File name, from the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The verified bytes (base64 in JSON; Python and JavaScript hand them over as bytes).
    pub content: Bytes,
}

/// `Debug` leaves the bytes out (they may be megabytes).
impl fmt::Debug for VerifiedArtifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedArtifact")
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("sha256", &self.sha256)
            .field("size", &self.size)
            .field("filename", &self.filename)
            .finish_non_exhaustive()
    }
}

/// Bytes that travel as standard base64 in JSON.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD.decode(text).map(Bytes).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "describe")]
impl crate::describe::Describe for Bytes {
    fn ty() -> crate::describe::Ty {
        crate::describe::Ty::String
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn download_urls_are_redacted() {
        let url: DownloadUrl =
            serde_json::from_value(json!({"url": "http://127.0.0.1/x?sig=SIGNED", "expiresAt": "e"})).unwrap();
        assert!(!format!("{url:?}").contains("SIGNED"));
        assert_eq!(url.url, "http://127.0.0.1/x?sig=SIGNED");
    }

    #[test]
    fn verified_artifacts_carry_base64_and_debug_without_bytes() {
        let artifact = VerifiedArtifact {
            version: "1.0.0".into(),
            kind: "package".into(),
            sha256: "ab".into(),
            size: 3,
            filename: None,
            content: Bytes(b"abc".to_vec()),
        };
        let value = serde_json::to_value(&artifact).unwrap();
        assert_eq!(value["content"], "YWJj");
        assert_eq!(serde_json::from_value::<VerifiedArtifact>(value).unwrap(), artifact);
        assert!(!format!("{artifact:?}").contains("YWJj"));
    }

    #[test]
    fn releases_find_their_artifacts_and_keep_unknown_kinds() {
        let release: Release = serde_json::from_value(json!({"version": "1.0.0", "artifacts": [
            {"kind": "package", "sha256": "aa"}, {"kind": "sbom", "sha256": "bb"}]}))
        .unwrap();
        assert_eq!(release.artifact("package").unwrap().sha256, "aa");
        assert_eq!(release.artifacts[1].kind, ArtifactKind::Unknown("sbom".into()));
        assert!(release.artifact("install_script").is_none());
    }
}
