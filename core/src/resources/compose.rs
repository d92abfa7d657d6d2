//! What the admin surface's SDK-side compositions share (DECISIONS V9, and the verified release
//! download): several requests behind one method, answered as one future.
//!
//! A composition is still described in `api.rs` (transport `Composite`), so every language gets
//! it through the dispatch table like any other method; its logic lives here, once.

use std::future::Future;
use std::pin::Pin;

use futures_util::StreamExt;

use crate::error::Result;
use crate::pagination::{ItemStream, Page};

/// The future a composite method returns (`Send` where the platform allows it).
#[cfg(not(target_arch = "wasm32"))]
pub type Composite<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;
/// The future a composite method returns (`Send` where the platform allows it).
#[cfg(target_arch = "wasm32")]
pub type Composite<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + 'a>>;

/// Page size of the lists a composition walks: the most the API serves, so few requests.
pub(crate) const WALK_LIMIT: u32 = crate::validate::MAX_LIMIT;

/// A token row of a list (SCIM or install token): what reconcile reads of it.
pub(crate) trait TokenRow {
    fn sha256(&self) -> &str;
    fn label(&self) -> &str;
    fn revoked(&self) -> bool;
}

impl TokenRow for crate::models::ScimToken {
    fn sha256(&self) -> &str {
        &self.sha256
    }
    fn label(&self) -> &str {
        &self.label
    }
    fn revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

impl TokenRow for crate::models::InstallToken {
    fn sha256(&self) -> &str {
        &self.sha256
    }
    fn label(&self) -> &str {
        &self.label
    }
    fn revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// The vendor's rule after a mint whose outcome is unknown (AS1–AS6 rule 3, DECISIONS V9): list
/// again, revoke every live token with the same `label` that was not in `before` (the orphan an
/// ambiguous mint may have left), return what was revoked; the caller then mints again.
///
/// `revoke` is called once per orphan, in list order; the first failure stops the walk (the
/// tokens revoked so far stay revoked, and calling reconcile again finishes the job).
pub(crate) async fn reconcile<T, R, F>(
    before: Vec<T>,
    label: String,
    mut now: ItemStream<T>,
    mut revoke: impl FnMut(String) -> F,
) -> Result<Page<T>>
where
    T: TokenRow,
    F: Future<Output = Result<R>>,
{
    crate::validate::required("label", &label)?;
    // A linear search: only the live rows with this label are looked up, a handful; a hash set
    // brought a hasher and its table into the WebAssembly engine for this one use.
    let known = |sha256: &str| before.iter().any(|t| t.sha256() == sha256);
    let mut orphans = Vec::new();
    while let Some(row) = now.next().await {
        let row = row?;
        if row.label() == label && !row.revoked() && !known(row.sha256()) {
            orphans.push(row);
        }
    }
    for orphan in &orphans {
        revoke(orphan.sha256().to_owned()).await?;
    }
    Ok(Page { items: orphans, next_cursor: None })
}

/// `findByName` (DECISIONS V9): the live records named exactly `name` (names are unique among
/// them, Q12: none or one), found by walking the whole list.
pub(crate) async fn find_by_name<T>(name: String, mut all: ItemStream<T>, name_of: fn(&T) -> &str) -> Result<Page<T>> {
    crate::validate::required("name", &name)?;
    let mut found = Vec::new();
    while let Some(row) = all.next().await {
        let row = row?;
        if name_of(&row) == name {
            found.push(row);
        }
    }
    Ok(Page { items: found, next_cursor: None })
}

/// Lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::models::ScimToken;
    use futures_util::stream;
    use std::sync::Mutex;

    fn row(sha: &str, label: &str, revoked: bool) -> ScimToken {
        ScimToken {
            sha256: sha.into(),
            label: label.into(),
            created_at: "c".into(),
            last_used_at: None,
            revoked_at: revoked.then(|| "r".into()),
            extra: Default::default(),
        }
    }

    fn listing(rows: Vec<ScimToken>) -> ItemStream<ScimToken> {
        Box::pin(stream::iter(rows.into_iter().map(Ok)))
    }

    #[tokio::test]
    async fn reconcile_revokes_only_new_live_tokens_with_the_label() {
        let before = vec![row("a", "ci", false)];
        let now = listing(vec![
            row("a", "ci", false),    // known before
            row("b", "ci", false),    // the orphan
            row("c", "other", false), // another label
            row("d", "ci", true),     // already revoked
            row("e", "ci", false),    // a second orphan
        ]);
        let revoked = Mutex::new(Vec::new());
        let page = reconcile(before, "ci".into(), now, |sha| {
            revoked.lock().unwrap().push(sha);
            async { Ok(()) }
        })
        .await
        .unwrap();
        let shas: Vec<&str> = page.items.iter().map(|t| t.sha256.as_str()).collect();
        assert_eq!(shas, ["b", "e"]);
        assert_eq!(*revoked.lock().unwrap(), ["b", "e"]);
    }

    #[tokio::test]
    async fn reconcile_needs_a_label_and_stops_at_the_first_failed_revoke() {
        let e = reconcile(vec![], " ".into(), listing(vec![]), |_| async { Ok(()) }).await.unwrap_err();
        assert_eq!(e.details().argument.as_deref(), Some("label"));
        let calls = Mutex::new(0);
        let e = reconcile(vec![], "ci".into(), listing(vec![row("a", "ci", false), row("b", "ci", false)]), |_| {
            *calls.lock().unwrap() += 1;
            async { Err::<(), _>(Error::invalid("x", "boom")) }
        })
        .await
        .unwrap_err();
        assert_eq!(e.details().argument.as_deref(), Some("x"));
        assert_eq!(*calls.lock().unwrap(), 1);
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}

/// The retry rule of V8 through the real pipeline: a mint whose connection was refused never
/// reached the server, so its outcome is known (nothing minted) and it may be sent again.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod mint_tests {
    use std::time::{Duration, Instant};

    use crate::models::CreateToken;

    #[tokio::test]
    async fn a_refused_mint_is_retried_and_its_outcome_is_known() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = crate::Client::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .access_token("t")
            .max_retries(1)
            .build()
            .unwrap();
        let started = Instant::now();
        let error = client.install_tokens().create(CreateToken::new("ci")).await.unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Connection, "{error}");
        assert!(error.never_sent() && !error.outcome_unknown(), "{error:?}");
        // One retry after a backoff: the second refusal came after a pause, not at once.
        assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());
    }
}
