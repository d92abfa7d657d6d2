//! The admin surface's records (issue 23): SCIM tokens, install tokens, synced directory groups
//! and managed endpoints. They live in `Data::admin` and persist like every other record (one row
//! each, their own kinds); releases are a fixed catalog (`api/releases.rs`), not state.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::data::ChangeLog;
use super::model::Record;
use super::table::Table;

/// A minted token (SCIM or install). Only its SHA-256 is kept: the token is shown once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRec {
    pub id: Uuid,
    pub seq: u64,
    pub sha256: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The two kinds of minted token share one record shape; the newtypes give each its own kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScimTokenRec(pub TokenRec);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstallTokenRec(pub TokenRec);

macro_rules! token_rec {
    ($ty:ty) => {
        impl AsRef<TokenRec> for $ty {
            fn as_ref(&self) -> &TokenRec {
                &self.0
            }
        }
        impl AsMut<TokenRec> for $ty {
            fn as_mut(&mut self) -> &mut TokenRec {
                &mut self.0
            }
        }
    };
}
token_rec!(ScimTokenRec);
token_rec!(InstallTokenRec);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupRec {
    pub id: Uuid,
    pub seq: u64,
    pub display_name: String,
    pub member_count: u64,
}

/// A managed endpoint as the directory sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointRec {
    pub id: Uuid,
    pub seq: u64,
    pub installation_id: String,
    pub state: String,
    pub email: Option<String>,
    pub user_id: Option<Uuid>,
}

/// Directory sync facts: absent until a (seeded) sync cycle has run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SyncRec {
    pub user_count: u64,
    pub last_sync_at: i64,
}

macro_rules! admin_record {
    ($ty:ty, $kind:literal, $($inner:tt)*) => {
        impl Record for $ty {
            const KIND: &'static str = $kind;
            fn id(&self) -> Uuid {
                self$($inner)*.id
            }
            fn seq(&self) -> u64 {
                self$($inner)*.seq
            }
        }
    };
}
admin_record!(ScimTokenRec, "scim_token", .0);
admin_record!(InstallTokenRec, "install_token", .0);
admin_record!(GroupRec, "directory_group",);
admin_record!(EndpointRec, "directory_endpoint",);

#[derive(Debug, Clone, Default)]
pub struct Admin {
    pub scim_tokens: Table<ScimTokenRec>,
    pub install_tokens: Table<InstallTokenRec>,
    pub groups: Table<GroupRec>,
    pub endpoints: Table<EndpointRec>,
    pub sync: Option<SyncRec>,
}

/// The row kind of [`SyncRec`] (a singleton).
const SYNC_KIND: &str = "directory_sync";

impl Admin {
    /// Whether `kind` is one of the rows [`Admin::load_row`] reads.
    pub fn owns(kind: &str) -> bool {
        [ScimTokenRec::KIND, InstallTokenRec::KIND, GroupRec::KIND, EndpointRec::KIND, SYNC_KIND].contains(&kind)
    }

    /// Restores one persisted row; returns its sequence number (0 for the singleton).
    pub fn load_row(&mut self, kind: &str, json: &str) -> Result<u64, serde_json::Error> {
        fn put<T: Record>(table: &mut Table<T>, json: &str) -> Result<u64, serde_json::Error> {
            let row: T = serde_json::from_str(json)?;
            let seq = row.seq();
            table.insert(row);
            Ok(seq)
        }
        match kind {
            ScimTokenRec::KIND => put(&mut self.scim_tokens, json),
            InstallTokenRec::KIND => put(&mut self.install_tokens, json),
            GroupRec::KIND => put(&mut self.groups, json),
            EndpointRec::KIND => put(&mut self.endpoints, json),
            _ => {
                self.sync = Some(serde_json::from_str(json)?);
                Ok(0)
            }
        }
    }

    pub fn put_sync(&mut self, sync: SyncRec, changes: &mut ChangeLog) {
        changes.put_raw(SYNC_KIND, "current".into(), &sync);
        self.sync = Some(sync);
    }
}
