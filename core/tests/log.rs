//! `kontext_management::log`: the records the bindings hand to Python's `logging` and JS loggers. The
//! subscriber is installed as this test process's global dispatcher (its own binary), so one test
//! function runs the steps in order: they share the process-wide level census.

use std::sync::{Arc, Mutex};

use kontext_management::Client;
use kontext_management::log::{Level, Logger, Record, Value as Field};
use serde_json::json;

mod support;

const CLIENT_ID: &str = "sa_log_probe";
const CLIENT_SECRET: &str = "kx_cs_LOGprobe7Tz4Rw8NpYb3";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<Record>>>);

impl Captured {
    fn logger(&self, level: Level) -> Logger {
        let records = self.0.clone();
        Logger::new(level, move |record| records.lock().unwrap().push(record))
    }
    fn take(&self) -> Vec<Record> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn field<'r>(record: &'r Record, name: &str) -> Option<&'r Field> {
    record.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_reach_the_right_logger_redacted_and_only_when_wanted() {
    assert!(kontext_management::log::install(), "the subscriber is this process's dispatcher");
    let emulator = support::emulator(CLIENT_ID, CLIENT_SECRET).await;
    let base = emulator.base_url();
    let control = support::Control::new(&base);
    let client = Client::builder().base_url(&base).client_credentials(CLIENT_ID, CLIENT_SECRET).build().unwrap();

    // Nobody listening: `tracing` is told so, and the core's debug events are not even built.
    assert!(!tracing::enabled!(target: "kontext_management", tracing::Level::ERROR));
    client.applications().list(Default::default()).await.unwrap();

    // The default logger: request outcomes with their request id, a retry, a token renewal.
    let default = Captured::default();
    kontext_management::log::set_default(Some(default.logger(Level::Debug)));
    assert!(tracing::enabled!(target: "kontext_management", tracing::Level::DEBUG));
    assert!(!tracing::enabled!(target: "kontext_management", tracing::Level::TRACE));
    assert!(!tracing::enabled!(target: "h2", tracing::Level::DEBUG), "only the core's own events");
    client.applications().list(Default::default()).await.unwrap();
    control.fault(json!({"method": "GET", "path": "/api/v1/applications", "status": 503, "times": 1})).await;
    client.applications().list(Default::default()).await.unwrap();
    control.fault(json!({"method": "GET", "path": "/api/v1/applications", "status": 401, "times": 1})).await;
    client.applications().list(Default::default()).await.unwrap();
    let records = default.take();
    let response = records.iter().find(|r| r.message == "response").expect("a response record");
    assert_eq!(response.level, Level::Debug);
    assert_eq!(response.target, "kontext_management");
    assert_eq!(field(response, "method"), Some(&"GET".into()));
    assert_eq!(field(response, "status"), Some(&Field::U64(200)));
    let request_id = field(response, "request_id").and_then(Field::as_str).expect("request_id");
    assert!(request_id.starts_with("req_"), "{request_id}");
    assert!(response.line().contains(&format!("status=200 request_id={request_id}")), "{}", response.line());
    assert!(
        records.iter().any(|r| r.message.starts_with("retrying after") && field(r, "retry") == Some(&Field::U64(1)))
    );
    assert!(records.iter().any(|r| r.message.contains("401: renewing the token")));
    for record in &records {
        for text in [record.line(), record.to_json()] {
            assert!(!text.contains(CLIENT_SECRET) && !text.contains("Bearer ey"), "{text}");
        }
    }

    // Per-client loggers: each scope's events go to its own logger, not the default one.
    let (first, second) = (Captured::default(), Captured::default());
    let other = Client::builder().base_url(&base).client_credentials(CLIENT_ID, CLIENT_SECRET).build().unwrap();
    let (a, b) = tokio::join!(
        tokio::spawn(kontext_management::log::scoped(Some(first.logger(Level::Debug)), {
            let client = client.clone();
            async move { client.applications().list(Default::default()).await.map(drop) }
        })),
        tokio::spawn(kontext_management::log::scoped(Some(second.logger(Level::Debug)), async move {
            other.service_accounts().list(Default::default()).await.map(drop)
        })),
    );
    a.unwrap().unwrap();
    b.unwrap().unwrap();
    let paths = |records: Vec<Record>| -> Vec<String> {
        records.iter().filter_map(|r| field(r, "path").and_then(Field::as_str).map(str::to_owned)).collect()
    };
    let (first_paths, second_paths) = (paths(first.take()), paths(second.take()));
    assert!(!first_paths.is_empty() && first_paths.iter().all(|p| p.contains("applications")), "{first_paths:?}");
    assert!(!second_paths.is_empty() && second_paths.iter().all(|p| !p.contains("applications")), "{second_paths:?}");
    assert!(default.take().is_empty(), "scoped events do not reach the default logger");

    // A logger's level filters its records; a quieter scope is not flooded by a louder default.
    let quiet = Captured::default();
    kontext_management::log::scoped(Some(quiet.logger(Level::Warn)), client.applications().list(Default::default()))
        .await
        .unwrap();
    assert!(quiet.take().is_empty());

    // Redaction: fields named like secrets, and credentials inside any text.
    let planted = Captured::default();
    kontext_management::log::scoped(Some(planted.logger(Level::Trace)), async {
        tracing::trace!(
            target: "kontext_management",
            authorization = "Bearer ory_at_PLANTED1",
            client_secret = "PLANTED2",
            status = 200u16,
            note = "sent Basic UExBTlRFRDM=",
            "form client_secret=PLANTED4&grant_type=client_credentials"
        );
    })
    .await;
    let record = planted.take().pop().expect("the planted record");
    assert_eq!(record.level, Level::Trace);
    let text = format!("{} {}", record.line(), record.to_json());
    for secret in ["PLANTED1", "PLANTED2", "UExBTlRFRDM", "PLANTED4"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(field(&record, "authorization"), Some(&"[redacted]".into()));
    assert_eq!(field(&record, "status"), Some(&Field::U64(200)));
    assert_eq!(record.message, "form client_secret=[redacted]&grant_type=client_credentials");

    // A logger that panics loses its record, never the request.
    let panicking = Logger::new(Level::Debug, |_| panic!("a broken logger"));
    kontext_management::log::scoped(Some(panicking), client.applications().list(Default::default())).await.unwrap();

    // Levels follow the loggers alive: with the last one gone, debug is off again.
    let levels = default.logger(Level::Info);
    kontext_management::log::set_default(Some(levels.clone()));
    assert!(!tracing::enabled!(target: "kontext_management", tracing::Level::DEBUG));
    levels.set_level(Level::Debug);
    assert!(tracing::enabled!(target: "kontext_management", tracing::Level::DEBUG));
    kontext_management::log::set_default(None);
    drop(levels);
    assert!(!tracing::enabled!(target: "kontext_management", tracing::Level::ERROR));
    client.applications().list(Default::default()).await.unwrap();
    assert!(default.take().is_empty());

    emulator.shutdown().await;
}
