use futures_util::StreamExt;
use http::Method;

use super::compose::{self, Composite, WALK_LIMIT};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::models::{Bytes, DownloadUrl, ListReleasesParams, Release, VerifiedArtifact};
use crate::pagination::{self, ItemStream, ListPage, Page, PageStream, Pages, Rows};
use crate::pending::{Pending, pending};
use crate::validate;

/// `/deployments/releases`: the endpoint software, its manifest and verified downloads.
#[derive(Debug, Clone, Copy)]
pub struct Releases<'a> {
    client: &'a Client,
}

impl<'a> Releases<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// One page of releases, newest first.
    pub fn list(&self, params: ListReleasesParams) -> Pending<'a, Page<Release>> {
        pending(|| {
            validate::limit(params.limit)?;
            Ok(self.client.request(Method::GET, "/deployments/releases").query(&params)?.send())
        })
    }

    /// Every release, fetched lazily.
    pub fn list_all(&self, params: ListReleasesParams) -> ItemStream<Release> {
        pagination::items(self.list_pages(params))
    }

    /// Every page of releases, fetched lazily.
    pub fn list_pages(&self, params: ListReleasesParams) -> PageStream<Release> {
        self.pages::<Page<Release>>(params)
    }

    /// Pages decoded as `P`: models, or raw JSON for the bindings.
    pub(crate) fn pages<P: ListPage>(&self, params: ListReleasesParams) -> Pages<P::Items> {
        let client = self.client.clone_for_stream();
        pagination::non_empty(pagination::by_cursor(move |cursor| {
            let client = client.clone();
            let params = ListReleasesParams { cursor, ..params.clone() };
            async move { client.releases().list(params).page::<P>().await }
        }))
    }

    /// The newest release, with its artifacts' SHA-256.
    pub fn latest(&self) -> Pending<'a, Release> {
        self.client.request(Method::GET, "/deployments/releases/latest").send()
    }

    /// A pre-signed URL for one artifact (`kind`: `package` or `install_script`), valid about 15
    /// minutes. It stores nothing, so it may be sent again (DECISIONS V11). Prefer
    /// [`download`](Self::download), which also checks the bytes.
    pub fn get_download_url(&self, version: &str, kind: &str) -> Pending<'a, DownloadUrl> {
        pending(|| {
            let version = validate::opaque_id("version", version)?;
            let kind = validate::opaque_id("kind", kind)?;
            let path = format!("/deployments/releases/{version}/artifacts/{kind}/download-url");
            Ok(self.client.request(Method::POST, path).send())
        })
    }

    /// Fetches one artifact and checks it: a download URL is requested, the bytes are read (at
    /// most the client's `maxResponseBytes`) without an `Authorization` header, and their SHA-256
    /// is compared with the release manifest's. Only matching bytes are returned; on a mismatch
    /// the call fails (`decode` error, "integrity check failed") and the bytes are dropped.
    pub fn download(&self, version: &str, kind: &str) -> Composite<'a, VerifiedArtifact> {
        let client = self.client;
        let checked = validate::opaque_id("version", version).and(validate::opaque_id("kind", kind));
        let (version, kind) = (version.to_owned(), kind.to_owned());
        Box::pin(async move {
            checked?;
            // The URL first: an unknown version or kind is the API's 404, as for the URL alone.
            let url = client.releases().get_download_url(&version, &kind).fields().await?.url;
            let artifact = manifest_entry(client, &version, &kind).await?;
            let content = client.fetch_artifact(&url).await?;
            let actual = compose::sha256_hex(&content);
            if !actual.eq_ignore_ascii_case(&artifact.sha256) {
                return Err(integrity_error(&version, &kind, &artifact.sha256, &actual));
            }
            Ok(VerifiedArtifact {
                version,
                kind,
                sha256: actual,
                size: content.len() as u64,
                filename: artifact.filename,
                content: Bytes(content),
            })
        })
    }
}

/// The manifest's entry for `version`/`kind`: what the bytes must hash to.
async fn manifest_entry(client: &Client, version: &str, kind: &str) -> Result<crate::models::ReleaseArtifact> {
    let params = ListReleasesParams { limit: Some(WALK_LIMIT), cursor: None };
    let mut releases = pagination::items(client.releases().pages::<Rows<Release>>(params));
    while let Some(release) = releases.next().await {
        let release = release?;
        if release.version == version {
            return release.artifact(kind).cloned().ok_or_else(|| unverifiable(version, kind));
        }
    }
    Err(unverifiable(version, kind))
}

fn unverifiable(version: &str, kind: &str) -> Error {
    Error::Decode {
        status: 200,
        message: format!(
            "integrity check impossible: the release manifest lists no SHA-256 for {version:?} {kind:?}; nothing \
             was downloaded"
        ),
        snippet: String::new(),
        request_id: None,
    }
}

fn integrity_error(version: &str, kind: &str, expected: &str, actual: &str) -> Error {
    Error::Decode {
        status: 200,
        message: format!(
            "integrity check failed: the {kind} of release {version} has SHA-256 {actual}, the manifest says \
             {expected}; the bytes were discarded"
        ),
        snippet: String::new(),
        request_id: None,
    }
}
