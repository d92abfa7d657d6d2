//! `--db FILE`: a SQLite key-value table `(kind, id, json)`. Every write request commits its
//! changed rows in one transaction before the response is sent; startup loads everything.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::state::data::Change;

pub struct Db {
    conn: Connection,
}

impl Db {
    pub fn open(path: &Path) -> rusqlite::Result<Db> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL keeps readers out of the writer's way; FULL makes each commit durable.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (
                 kind TEXT NOT NULL,
                 id   TEXT NOT NULL,
                 json TEXT NOT NULL,
                 PRIMARY KEY (kind, id)
             ) WITHOUT ROWID;",
        )?;
        Ok(Db { conn })
    }

    pub fn load(&self) -> rusqlite::Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare("SELECT kind, id, json FROM kv")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    }

    pub fn apply(&mut self, changes: &[Change]) -> rusqlite::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached("INSERT OR REPLACE INTO kv (kind, id, json) VALUES (?1, ?2, ?3)")?;
            let mut del = tx.prepare_cached("DELETE FROM kv WHERE kind = ?1 AND id = ?2")?;
            for change in changes {
                match change {
                    Change::Put { kind, key, json } => {
                        put.execute(params![kind, key, json])?;
                    }
                    Change::Delete { kind, key } => {
                        del.execute(params![kind, key])?;
                    }
                    Change::Clear => {
                        tx.execute("DELETE FROM kv", [])?;
                    }
                }
            }
        }
        tx.commit()
    }
}
