//! The one error type that crosses into Python: `kontext_management::ErrorDetails` as JSON, which the
//! Python layer turns into its exception classes by `kind`.

/// A failed call. `details_json` is `kontext_management::ErrorDetails` (camelCase), or for a Rust panic
/// `{"kind": "internal", ...}`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KontextFfiError {
    /// Any failure.
    #[error("{details_json}")]
    Error {
        /// The error details as JSON text.
        details_json: String,
    },
}

impl From<kontext_management::Error> for KontextFfiError {
    fn from(error: kontext_management::Error) -> Self {
        let details_json = serde_json::to_string(&error.details())
            .unwrap_or_else(|e| internal_json(&format!("could not serialize the error details ({e}): {error}")));
        Self::Error { details_json }
    }
}

impl KontextFfiError {
    /// A bug on our side (a panic, a lost task), reported instead of aborting the interpreter.
    pub(crate) fn internal(message: &str) -> Self {
        Self::Error { details_json: internal_json(message) }
    }
}

fn internal_json(message: &str) -> String {
    serde_json::json!({
        "kind": "internal",
        "code": "kontext_internal_error",
        "message": format!("internal error in the Kontext SDK (please report it): {message}"),
        "docsUrl": "https://docs.kontext.security/errors/kontext_internal_error",
    })
    .to_string()
}
