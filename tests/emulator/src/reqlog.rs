//! The request log behind `GET /_emulator/requests`: every non-control request in arrival
//! order, headers lower-cased with credentials redacted.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Map, Value, json};

use crate::clock;
use crate::state::lock;

/// Oldest entries are dropped past this many, so a benchmark cannot grow memory without bound.
pub const CAPACITY: usize = 20_000;

#[derive(Debug, Clone)]
struct Entry {
    method: String,
    path: String,
    query: Option<String>,
    headers: Map<String, Value>,
    status: Option<u16>,
    at: i64,
    fault: Option<String>,
}

#[derive(Default)]
struct Inner {
    /// Absolute index of `entries[0]`, so that a slot handed out at arrival can be found again
    /// after older entries were dropped or the log was cleared.
    base: u64,
    entries: VecDeque<Entry>,
}

#[derive(Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

pub fn redact(name: &str, value: &str) -> String {
    match name {
        "authorization" | "proxy-authorization" => match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} [redacted]"),
            None => "[redacted]".into(),
        },
        "cookie" | "x-api-key" => "[redacted]".into(),
        _ => value.into(),
    }
}

impl RequestLog {
    /// Records an arriving request; returns its slot for `finish`.
    pub fn arrive(&self, method: &Method, uri: &Uri, headers: &HeaderMap, at: i64) -> u64 {
        let mut map = Map::new();
        for (name, value) in headers {
            let name = name.as_str();
            let value = redact(name, &String::from_utf8_lossy(value.as_bytes()));
            match map.get_mut(name) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
                _ => {
                    map.insert(name.to_owned(), Value::String(value));
                }
            }
        }
        let entry = Entry {
            method: method.as_str().to_owned(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers: map,
            status: None,
            at,
            fault: None,
        };
        let mut inner = lock(&self.inner);
        if inner.entries.len() >= CAPACITY {
            inner.entries.pop_front();
            inner.base += 1;
        }
        inner.entries.push_back(entry);
        inner.base + inner.entries.len() as u64 - 1
    }

    pub fn finish(&self, slot: u64, status: Option<u16>, fault: Option<String>) {
        let mut inner = lock(&self.inner);
        let Some(pos) = slot.checked_sub(inner.base) else { return };
        if let Some(e) = inner.entries.get_mut(pos as usize) {
            e.status = status;
            e.fault = fault;
        }
    }

    pub fn clear(&self) {
        let mut inner = lock(&self.inner);
        inner.base += inner.entries.len() as u64;
        inner.entries.clear();
    }

    pub fn to_json(&self) -> Value {
        let inner = lock(&self.inner);
        let items: Vec<Value> = inner
            .entries
            .iter()
            .map(|e| {
                json!({
                    "method": e.method,
                    "path": e.path,
                    "query": e.query,
                    "headers": e.headers,
                    "status": e.status,
                    "at": clock::fmt(e.at),
                    "fault": e.fault,
                })
            })
            .collect();
        json!({ "items": items })
    }
}
