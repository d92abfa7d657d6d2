//! A collection ordered by insertion sequence with an id index: cursor pages are range scans.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use uuid::Uuid;

use super::model::Record;

#[derive(Debug, Clone)]
pub struct Table<T> {
    rows: BTreeMap<u64, T>,
    index: HashMap<Uuid, u64>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { rows: BTreeMap::new(), index: HashMap::new() }
    }
}

impl<T: Record> Table<T> {
    pub fn insert(&mut self, row: T) {
        if let Some(old) = self.index.insert(row.id(), row.seq()) {
            self.rows.remove(&old);
        }
        self.rows.insert(row.seq(), row);
    }

    pub fn get(&self, id: &Uuid) -> Option<&T> {
        self.index.get(id).and_then(|seq| self.rows.get(seq))
    }

    pub fn get_mut(&mut self, id: &Uuid) -> Option<&mut T> {
        let seq = self.index.get(id)?;
        self.rows.get_mut(seq)
    }

    pub fn contains(&self, id: &Uuid) -> bool {
        self.index.contains_key(id)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.rows.values()
    }

    /// Rows inserted after `seq`, oldest first.
    pub fn after(&self, seq: u64) -> impl Iterator<Item = &T> {
        self.rows.range((Bound::Excluded(seq), Bound::Unbounded)).map(|(_, v)| v)
    }

    /// Rows inserted before `seq`, newest first.
    pub fn before(&self, seq: u64) -> impl Iterator<Item = &T> {
        self.rows.range(..seq).rev().map(|(_, v)| v)
    }
}
