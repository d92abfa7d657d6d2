//! Shared server state. Locks are std mutexes held for microseconds and never across an
//! `.await`; the organization lives in one `Data` so that a write and its persistence are one
//! critical section.

pub mod admin;
pub mod data;
pub mod model;
pub mod table;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::HeaderValue;

use crate::clock;
use crate::errors::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::origins::Hosts;
use crate::reqlog::RequestLog;
use crate::store::Db;
use crate::util;
use data::Data;

pub type AppState = Arc<Shared>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub rate_limit_per_minute: u32,
    pub token_ttl_seconds: u64,
    pub omit_expires_in: bool,
    /// The device authorization grant is on (V16; off: device endpoint 404, token endpoint
    /// `unsupported_grant_type`).
    pub device_grant: bool,
    /// The polling interval the device endpoint asks for, in ms (default 5000; tests set less).
    pub device_interval_ms: u64,
    /// Lifetime of a device code, in seconds (default 600).
    pub device_expires_in_seconds: u64,
}

/// A stored response for `Idempotency-Key` replays.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, HeaderValue)>,
    pub body: bytes::Bytes,
}

pub type IdempotencySlot = Arc<tokio::sync::Mutex<Option<StoredResponse>>>;

/// What an `Idempotency-Key` is scoped to: the caller (client and subject) and the route.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyScope {
    pub client_id: String,
    /// `Subject::key()`: a service account, or a user of an application.
    pub subject: String,
    pub path: String,
    pub key: String,
}

pub struct Shared {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub defaults: Config,
    pub config: Mutex<Config>,
    clock_offset_ms: AtomicI64,
    pub data: Mutex<Data>,
    db: Option<Mutex<Db>>,
    pub faults: Faults,
    pub log: RequestLog,
    pub rate: Mutex<HashMap<String, VecDeque<i64>>>,
    pub idempotency: Mutex<HashMap<IdempotencyScope, IdempotencySlot>>,
    /// The `Host` names and browser origins the emulator trusts (`origins.rs`); loopback only
    /// unless the server was bound to another address.
    pub hosts: Hosts,
    /// Signs the consent form's anti-CSRF tokens (`authorize.rs`); new on every start.
    pub consent_key: [u8; 32],
    request_ids: AtomicU64,
    salt: u64,
    pub seed_calls: AtomicU64,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock must not turn every later request into a 500.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(
        base_url: String,
        client_id: String,
        client_secret: String,
        defaults: Config,
        db_path: Option<&std::path::Path>,
        seed: Option<u64>,
    ) -> std::io::Result<Shared> {
        let io = |e: rusqlite::Error| std::io::Error::other(format!("database: {e}"));
        let now = clock::system_ms();
        let (db, mut data, fresh) = match db_path {
            Some(path) => {
                let db = Db::open(path).map_err(io)?;
                let rows = db.load().map_err(io)?;
                let loaded = if rows.is_empty() { None } else { Data::load(rows) };
                match loaded {
                    Some(mut d) => {
                        d.ensure_bootstrap(now, &client_id, &client_secret);
                        (Some(db), d, false)
                    }
                    None => (Some(db), Data::fresh(now, &client_id, &client_secret, true), true),
                }
            }
            None => (None, Data::fresh(now, &client_id, &client_secret, false), true),
        };
        if fresh && let Some(n) = seed {
            crate::seed::seed_scaled(&mut data, n, now);
        }
        let db = db.map(|mut db| {
            let changes = data.changes.take();
            db.apply(&changes).map(|_| db)
        });
        let db = match db {
            Some(r) => Some(Mutex::new(r.map_err(io)?)),
            None => None,
        };
        let salt = u64::from_le_bytes(util::random_bytes::<8>());
        Ok(Shared {
            base_url,
            client_id,
            client_secret,
            defaults,
            config: Mutex::new(defaults),
            clock_offset_ms: AtomicI64::new(0),
            data: Mutex::new(data),
            db,
            faults: Faults::default(),
            log: RequestLog::default(),
            rate: Mutex::new(HashMap::new()),
            idempotency: Mutex::new(HashMap::new()),
            hosts: Hosts::Loopback,
            consent_key: util::random_bytes::<32>(),
            request_ids: AtomicU64::new(0),
            salt,
            seed_calls: AtomicU64::new(0),
        })
    }

    /// The emulator's clock: wall time plus the offset moved by `POST /_emulator/clock`.
    pub fn now(&self) -> i64 {
        clock::system_ms() + self.clock_offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance_clock(&self, ms: i64) {
        self.clock_offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub fn reset_clock(&self) {
        self.clock_offset_ms.store(0, Ordering::Relaxed);
    }

    pub fn config(&self) -> Config {
        *lock(&self.config)
    }

    pub fn request_id(&self) -> HeaderValue {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed);
        let id = format!("req_{:016x}", util::mix(self.salt ^ n));
        HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("req_0000000000000000"))
    }

    pub fn read<R>(&self, f: impl FnOnce(&Data) -> R) -> R {
        f(&lock(&self.data))
    }

    /// Runs a mutation and, with `--db`, commits the rows it changed before returning, while
    /// still holding the lock so that commits land in the same order as the mutations.
    pub fn write<R>(&self, f: impl FnOnce(&mut Data) -> ApiResult<R>) -> ApiResult<R> {
        let mut d = lock(&self.data);
        let result = f(&mut d);
        let changes = d.changes.take();
        if result.is_ok()
            && !changes.is_empty()
            && let Some(db) = &self.db
        {
            lock(db).apply(&changes).map_err(|e| ApiError::internal(format!("Failed to persist the change: {e}")))?;
        }
        result
    }

    /// `POST /_emulator/reset`: a fresh organization and the CLI's defaults.
    pub fn reset(&self, seed: Option<u64>) -> ApiResult<()> {
        *lock(&self.config) = self.defaults;
        self.reset_clock();
        self.faults.clear();
        self.log.clear();
        lock(&self.rate).clear();
        lock(&self.idempotency).clear();
        self.seed_calls.store(0, Ordering::Relaxed);
        let now = self.now();
        let client_id = self.client_id.clone();
        let secret = self.client_secret.clone();
        let persist = self.db.is_some();
        self.write(|d| {
            *d = Data::fresh(now, &client_id, &secret, persist);
            if let Some(n) = seed {
                crate::seed::seed_scaled(d, n, now);
            }
            Ok(())
        })
    }
}
