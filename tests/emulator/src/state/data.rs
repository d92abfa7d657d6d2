//! The organization's whole state, plus the change log that `--db` persists after each write.

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use super::model::*;
use super::table::Table;
use crate::util;

pub const LOCAL_USER_EMAIL: &str = "admin@local.test";

#[derive(Debug, Clone)]
pub enum Change {
    Put { kind: &'static str, key: String, json: String },
    Delete { kind: &'static str, key: String },
    Clear,
}

/// Rows changed by the current write. Disabled (a no-op) without `--db`, so that in-memory
/// emulators never pay for serialization.
#[derive(Debug, Default, Clone)]
pub struct ChangeLog {
    enabled: bool,
    items: Vec<Change>,
}

impl ChangeLog {
    pub fn put<T: Record>(&mut self, row: &T) {
        if self.enabled {
            self.put_raw(T::KIND, row.id().to_string(), row);
        }
    }

    pub fn put_raw(&mut self, kind: &'static str, key: String, value: &impl Serialize) {
        if self.enabled {
            match serde_json::to_string(value) {
                Ok(json) => self.items.push(Change::Put { kind, key, json }),
                Err(e) => eprintln!("kontext-management-emulator: cannot serialize {kind} {key}: {e}"),
            }
        }
    }

    pub fn delete(&mut self, kind: &'static str, key: String) {
        if self.enabled {
            self.items.push(Change::Delete { kind, key });
        }
    }

    pub fn clear_all(&mut self) {
        if self.enabled {
            self.items.clear();
            self.items.push(Change::Clear);
        }
    }

    pub fn take(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.items)
    }
}

#[derive(Debug, Clone)]
pub struct Data {
    pub org: Org,
    next_seq: u64,
    pub apps: Table<Application>,
    pub app_clients: HashMap<String, Uuid>,
    pub app_names: HashMap<String, Uuid>,
    pub integrations: Table<Integration>,
    pub integration_names: HashMap<String, Uuid>,
    pub service_accounts: Table<ServiceAccount>,
    pub sa_clients: HashMap<String, Uuid>,
    pub sa_names: HashMap<String, Uuid>,
    pub sessions: Table<Session>,
    pub sessions_by_app: HashMap<Uuid, Vec<Uuid>>,
    pub traces: Table<Trace>,
    pub events: Table<TraceEvent>,
    pub events_by_trace: HashMap<Uuid, Vec<Uuid>>,
    pub decisions: Table<Decision>,
    pub policy_versions: Table<PolicyVersion>,
    pub policy_by_hash: HashMap<String, Uuid>,
    pub connections: HashMap<(Uuid, String), Connection>,
    pub tokens: HashMap<[u8; 32], Token>,
    pub codes: HashMap<[u8; 32], AuthCode>,
    /// Issue 23's admin surface: SCIM and install tokens, directory groups and endpoints.
    pub admin: super::admin::Admin,
    /// Outstanding device authorizations (memory only, like `codes`).
    pub devices: crate::device::Devices,
    /// Per-client scope grants (V18; memory only): a client without one may have every scope.
    pub scope_grants: HashMap<String, Vec<String>>,
    pub changes: ChangeLog,
}

impl Data {
    fn empty(org: Org, persist: bool) -> Data {
        Data {
            org,
            next_seq: 1,
            apps: Table::default(),
            app_clients: HashMap::new(),
            app_names: HashMap::new(),
            integrations: Table::default(),
            integration_names: HashMap::new(),
            service_accounts: Table::default(),
            sa_clients: HashMap::new(),
            sa_names: HashMap::new(),
            sessions: Table::default(),
            sessions_by_app: HashMap::new(),
            traces: Table::default(),
            events: Table::default(),
            events_by_trace: HashMap::new(),
            decisions: Table::default(),
            policy_versions: Table::default(),
            policy_by_hash: HashMap::new(),
            connections: HashMap::new(),
            tokens: HashMap::new(),
            codes: HashMap::new(),
            admin: Default::default(),
            devices: Default::default(),
            scope_grants: HashMap::new(),
            changes: ChangeLog { enabled: persist, items: Vec::new() },
        }
    }

    /// A fresh organization with only the bootstrap service account. With persistence on, the
    /// change log holds a full snapshot (after a `Clear`) ready to be written.
    pub fn fresh(now: i64, client_id: &str, client_secret: &str, persist: bool) -> Data {
        let org = Org {
            id: util::new_id(),
            user_id: util::new_id(),
            user_email: LOCAL_USER_EMAIL.into(),
            created_at: now,
            policy: None,
            deployment: Deployment {
                policy_version_id: None,
                observing_version_id: None,
                rollout_mode: "disabled".into(),
                updated_at: now,
                revision: 0,
            },
            settings: Settings { policy_enabled: false, payload_capture_mode: "summary".into(), updated_at: now },
            revision: 0,
            policies: Vec::new(),
        };
        let mut d = Data::empty(org, persist);
        d.changes.clear_all();
        d.put_org();
        d.ensure_bootstrap(now, client_id, client_secret);
        d
    }

    pub fn next_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    pub fn put_org(&mut self) {
        let org = self.org.clone();
        self.changes.put_raw(Org::KIND, Org::KEY.into(), &org);
    }

    /// Makes sure the CLI's bootstrap account exists, is active and has the given secret, so
    /// the credentials printed at startup always work (also after a restart on a `--db` file).
    pub fn ensure_bootstrap(&mut self, now: i64, client_id: &str, client_secret: &str) {
        let hash = util::sha256_hex(client_secret);
        if let Some(id) = self.sa_clients.get(client_id).copied() {
            let name_taken = |d: &Data, name: &str| d.sa_names.get(name).is_some_and(|other| *other != id);
            let Some(sa) = self.service_accounts.get(&id) else { return };
            if sa.secret_hash == hash && sa.archived_at.is_none() {
                return;
            }
            let name = sa.name.clone();
            let restore_name = !name_taken(self, &name);
            if let Some(sa) = self.service_accounts.get_mut(&id) {
                sa.secret_hash = hash;
                sa.archived_at = None;
                sa.updated_at = now;
                self.changes.put(sa);
            }
            if restore_name {
                self.sa_names.insert(name, id);
            }
            return;
        }
        let mut name = "Local development".to_string();
        let mut n = 2;
        while self.sa_names.contains_key(&name) {
            name = format!("Local development {n}");
            n += 1;
        }
        let sa = ServiceAccount {
            id: util::new_id(),
            seq: self.next_seq(),
            name,
            description: Some("Bootstrap service account of the local emulator".into()),
            client_id: client_id.into(),
            secret_hash: hash,
            created_at: now,
            updated_at: now,
            archived_at: None,
            bootstrap: true,
        };
        self.insert_sa(sa);
    }

    pub fn insert_app(&mut self, app: Application) {
        self.app_clients.insert(app.oauth.client_id.clone(), app.id);
        if app.archived_at.is_none() {
            self.app_names.insert(app.name.clone(), app.id);
        }
        self.changes.put(&app);
        self.apps.insert(app);
    }

    pub fn insert_integration(&mut self, i: Integration) {
        if i.archived_at.is_none() {
            self.integration_names.insert(i.name.clone(), i.id);
        }
        self.changes.put(&i);
        self.integrations.insert(i);
    }

    pub fn insert_sa(&mut self, sa: ServiceAccount) {
        self.sa_clients.insert(sa.client_id.clone(), sa.id);
        if sa.archived_at.is_none() {
            self.sa_names.insert(sa.name.clone(), sa.id);
        }
        self.changes.put(&sa);
        self.service_accounts.insert(sa);
    }

    pub fn insert_session(&mut self, s: Session) {
        self.sessions_by_app.entry(s.app_id).or_default().push(s.id);
        self.changes.put(&s);
        self.sessions.insert(s);
    }

    pub fn insert_trace(&mut self, t: Trace) {
        self.changes.put(&t);
        self.traces.insert(t);
    }

    pub fn insert_event(&mut self, e: TraceEvent) {
        self.events_by_trace.entry(e.trace_id).or_default().push(e.id);
        self.changes.put(&e);
        self.events.insert(e);
    }

    pub fn insert_decision(&mut self, d: Decision) {
        self.changes.put(&d);
        self.decisions.insert(d);
    }

    pub fn insert_policy_version(&mut self, v: PolicyVersion) {
        self.policy_by_hash.insert(v.text_hash.clone(), v.id);
        self.changes.put(&v);
        self.policy_versions.insert(v);
    }

    pub fn put_connection(&mut self, c: Connection) {
        self.changes.put_raw(Connection::KIND, c.key(), &c);
        self.connections.insert((c.integration_id, c.subject.clone()), c);
    }

    pub fn remove_connection(&mut self, integration_id: Uuid, subject: &str) -> bool {
        let removed = self.connections.remove(&(integration_id, subject.to_owned()));
        if let Some(c) = &removed {
            self.changes.delete(Connection::KIND, c.key());
        }
        removed.is_some()
    }

    /// Drops every per-user connection of an integration (after an auth-mode change).
    pub fn clear_connections(&mut self, integration_id: Uuid) {
        let keys: Vec<_> = self.connections.keys().filter(|(i, _)| *i == integration_id).cloned().collect();
        for (i, subject) in keys {
            self.remove_connection(i, &subject);
        }
    }

    pub fn insert_token(&mut self, hash: [u8; 32], token: Token) {
        self.changes.put_raw(Token::KIND, util::hex(&hash), &token);
        self.tokens.insert(hash, token);
    }

    pub fn remove_token(&mut self, hash: &[u8; 32]) {
        if self.tokens.remove(hash).is_some() {
            self.changes.delete(Token::KIND, util::hex(hash));
        }
    }

    pub fn remove_tokens(&mut self, mut pred: impl FnMut(&Token) -> bool) -> usize {
        let doomed: Vec<[u8; 32]> = self.tokens.iter().filter(|(_, t)| pred(t)).map(|(h, _)| *h).collect();
        for h in &doomed {
            self.tokens.remove(h);
            self.changes.delete(Token::KIND, util::hex(h));
        }
        doomed.len()
    }

    /// Active sessions counts used on the application object.
    pub fn session_counts(&self, app_id: &Uuid, now: i64) -> (u64, u64, u64) {
        let (mut active, mut idle, mut total) = (0, 0, 0);
        for sid in self.sessions_by_app.get(app_id).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(s) = self.sessions.get(sid) {
                total += 1;
                match s.derived_status(now) {
                    "active" => active += 1,
                    "idle" => idle += 1,
                    _ => {}
                }
            }
        }
        (active, idle, total)
    }

    /// Rebuilds the state from persisted rows (`kind`, `key`, `json`). Unknown kinds and rows
    /// that fail to decode are reported and skipped rather than refusing to start.
    pub fn load(rows: Vec<(String, String, String)>) -> Option<Data> {
        let mut org: Option<Org> = None;
        // Replaying rows must not queue them for writing back.
        let mut d = Data::empty(placeholder_org(), false);
        let mut max_seq = 0;
        fn decode<T: serde::de::DeserializeOwned>(kind: &str, key: &str, json: &str) -> Option<T> {
            serde_json::from_str(json)
                .map_err(|e| eprintln!("kontext-management-emulator: skipping stored {kind} {key}: {e}"))
                .ok()
        }
        for (kind, key, json) in rows {
            match kind.as_str() {
                Org::KIND => org = decode(&kind, &key, &json),
                Application::KIND => {
                    if let Some(r) = decode::<Application>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_app(r);
                    }
                }
                Integration::KIND => {
                    if let Some(r) = decode::<Integration>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_integration(r);
                    }
                }
                ServiceAccount::KIND => {
                    if let Some(r) = decode::<ServiceAccount>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_sa(r);
                    }
                }
                Session::KIND => {
                    if let Some(r) = decode::<Session>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_session(r);
                    }
                }
                Trace::KIND => {
                    if let Some(r) = decode::<Trace>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_trace(r);
                    }
                }
                TraceEvent::KIND => {
                    if let Some(r) = decode::<TraceEvent>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_event(r);
                    }
                }
                Decision::KIND => {
                    if let Some(r) = decode::<Decision>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_decision(r);
                    }
                }
                PolicyVersion::KIND => {
                    if let Some(r) = decode::<PolicyVersion>(&kind, &key, &json) {
                        max_seq = max_seq.max(r.seq);
                        d.insert_policy_version(r);
                    }
                }
                Connection::KIND => {
                    if let Some(r) = decode::<Connection>(&kind, &key, &json) {
                        d.put_connection(r);
                    }
                }
                Token::KIND => {
                    let hash = util::b16_decode32(&key);
                    if let (Some(hash), Some(t)) = (hash, decode::<Token>(&kind, &key, &json)) {
                        d.tokens.insert(hash, t);
                    }
                }
                other if super::admin::Admin::owns(other) => match d.admin.load_row(other, &json) {
                    Ok(seq) => max_seq = max_seq.max(seq),
                    Err(e) => eprintln!("kontext-management-emulator: skipping stored {kind} {key}: {e}"),
                },
                other => eprintln!("kontext-management-emulator: ignoring stored rows of unknown kind {other}"),
            }
        }
        d.changes.enabled = true;
        d.org = org?;
        d.next_seq = max_seq + 1;
        // Sessions and events must stay in insertion order inside their indexes.
        for ids in d.sessions_by_app.values_mut() {
            ids.sort_by_key(|id| d.sessions.get(id).map(|s| s.seq).unwrap_or(0));
        }
        for ids in d.events_by_trace.values_mut() {
            ids.sort_by_key(|id| d.events.get(id).map(|e| e.seq).unwrap_or(0));
        }
        Some(d)
    }
}

fn placeholder_org() -> Org {
    Org {
        id: Uuid::nil(),
        user_id: Uuid::nil(),
        user_email: LOCAL_USER_EMAIL.into(),
        created_at: 0,
        policy: None,
        deployment: Deployment {
            policy_version_id: None,
            observing_version_id: None,
            rollout_mode: "disabled".into(),
            updated_at: 0,
            revision: 0,
        },
        settings: Settings { policy_enabled: false, payload_capture_mode: "summary".into(), updated_at: 0 },
        revision: 0,
        policies: Vec::new(),
    }
}
