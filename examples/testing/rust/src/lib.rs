//! The code under test: anything that calls the SDK. Here, the names of every application.

use futures_util::TryStreamExt;

pub async fn app_names(client: &kontext_management::Client) -> Result<Vec<String>, kontext_management::Error> {
    client.applications().list_all(Default::default()).map_ok(|app| app.name).try_collect().await
}
