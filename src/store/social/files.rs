//! Uploaded files' metadata and folders, with the indexes that list one
//! folder's contents (sub-folders, then files). The bytes themselves are
//! blobs (`store::blobs`), named by their SHA-256 and referenced by
//! `Owner::File`/`Owner::Preview`; `put` keeps every index in step.

use super::super::codec::{Record, Revised, decode, revise};
use super::super::key::Key;
use super::super::schema::{FILES, FILES_BY_FOLDER, FOLDERS, FOLDERS_BY_PARENT};
use super::super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use super::Access;
use crate::clock::Timestamp;
use crate::ids::{FileId, FolderId, GroupId, UserId};
use serde::{Deserialize, Serialize};

/// Where a file or folder lives: a group, or one member's own space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Place {
    Group(GroupId),
    Own(UserId),
}

impl Place {
    fn key(self) -> Key {
        match self {
            Place::Group(g) => Key::new().u64(g.0).u64(0),
            Place::Own(u) => Key::new().u64(0).u64(u.0),
        }
    }

    pub fn group(self) -> Option<GroupId> {
        match self {
            Place::Group(g) => Some(g),
            Place::Own(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub id: FileId,
    /// Who uploaded it.
    pub owner: UserId,
    pub place: Place,
    pub folder: Option<FolderId>,
    /// A safe file name (no path, no control characters).
    pub name: String,
    pub size: u64,
    /// Sniffed from the bytes, never taken from the client.
    pub content_type: String,
    pub sha256: [u8; 32],
    pub access: Access,
    /// The preview's blob, for images.
    pub preview: Option<[u8; 32]>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub revision: u64,
}

impl Record for StoredFile {
    const KIND: &'static str = "file";
    const VERSION: u8 = 1;
}

impl Revised for StoredFile {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub id: FolderId,
    /// Who made it.
    pub owner: UserId,
    pub place: Place,
    pub parent: Option<FolderId>,
    pub name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub revision: u64,
}

impl Record for Folder {
    const KIND: &'static str = "folder";
    const VERSION: u8 = 1;
}

impl Revised for Folder {
    fn revision(&self) -> u64 {
        self.revision
    }
    fn set_revision(&mut self, revision: u64) {
        self.revision = revision;
    }
}

/// The index prefix of one folder's contents (`None`: the place's top).
pub fn folder_prefix(place: Place, folder: Option<FolderId>) -> Vec<u8> {
    place.key().u64(folder.map_or(0, |f| f.0)).into_vec()
}

pub fn get(tx: &impl Tables, id: FileId) -> Result<Option<StoredFile>, StoreError> {
    tx.table(&FILES).during("files.get")?.get(id.0).at("files.get", &FILES)?.map(|v| decode(v.value())).transpose()
}

pub fn get_folder(tx: &impl Tables, id: FolderId) -> Result<Option<Folder>, StoreError> {
    const OP: &str = "files.get_folder";
    tx.table(&FOLDERS).during(OP)?.get(id.0).at(OP, &FOLDERS)?.map(|v| decode(v.value())).transpose()
}

pub fn insert(tx: &WriteTransaction, mut f: StoredFile) -> Result<StoredFile, StoreError> {
    f.id = FileId(next_id(tx, FileId::SEQUENCE)?);
    put(tx, &mut f)?;
    Ok(f)
}

fn file_key(f: &StoredFile) -> Vec<u8> {
    Key::new().bytes(&folder_prefix(f.place, f.folder)).u64(f.id.0).into_vec()
}

/// Stores a file's metadata with the next revision when it changed, and
/// moves its index entry.
pub fn put(tx: &WriteTransaction, f: &mut StoredFile) -> Result<(), StoreError> {
    const OP: &str = "files.put";
    let before = get(tx, f.id)?;
    {
        let mut t = tx.table(&FILES).during(OP)?;
        let stored = t.get(f.id.0).at(OP, &FILES)?.map(|v| v.value().to_vec());
        match revise(stored.as_deref(), f)? {
            Some(bytes) => t.insert(f.id.0, bytes.as_slice()).at(OP, &FILES)?,
            None => return Ok(()),
        };
    }
    let mut idx = tx.table(&FILES_BY_FOLDER).during(OP)?;
    if let Some(b) = before {
        idx.remove(file_key(&b).as_slice()).at(OP, &FILES_BY_FOLDER)?;
    }
    idx.insert(file_key(f).as_slice(), ()).at(OP, &FILES_BY_FOLDER)?;
    Ok(())
}

/// Removes a file's metadata; its blobs' references are the caller's.
pub fn delete(tx: &WriteTransaction, id: FileId) -> Result<Option<StoredFile>, StoreError> {
    const OP: &str = "files.delete";
    let Some(f) = get(tx, id)? else { return Ok(None) };
    tx.table(&FILES).during(OP)?.remove(id.0).at(OP, &FILES)?;
    tx.table(&FILES_BY_FOLDER).during(OP)?.remove(file_key(&f).as_slice()).at(OP, &FILES_BY_FOLDER)?;
    Ok(Some(f))
}

pub fn insert_folder(tx: &WriteTransaction, mut f: Folder) -> Result<Folder, StoreError> {
    f.id = FolderId(next_id(tx, FolderId::SEQUENCE)?);
    put_folder(tx, &mut f)?;
    Ok(f)
}

fn folder_key(f: &Folder) -> Vec<u8> {
    Key::new().bytes(&folder_prefix(f.place, f.parent)).u64(f.id.0).into_vec()
}

pub fn put_folder(tx: &WriteTransaction, f: &mut Folder) -> Result<(), StoreError> {
    const OP: &str = "files.put_folder";
    let before = get_folder(tx, f.id)?;
    {
        let mut t = tx.table(&FOLDERS).during(OP)?;
        let stored = t.get(f.id.0).at(OP, &FOLDERS)?.map(|v| v.value().to_vec());
        match revise(stored.as_deref(), f)? {
            Some(bytes) => t.insert(f.id.0, bytes.as_slice()).at(OP, &FOLDERS)?,
            None => return Ok(()),
        };
    }
    let mut idx = tx.table(&FOLDERS_BY_PARENT).during(OP)?;
    if let Some(b) = before {
        idx.remove(folder_key(&b).as_slice()).at(OP, &FOLDERS_BY_PARENT)?;
    }
    idx.insert(folder_key(f).as_slice(), ()).at(OP, &FOLDERS_BY_PARENT)?;
    Ok(())
}

/// Removes an (empty) folder's record and index entry.
pub fn delete_folder(tx: &WriteTransaction, id: FolderId) -> Result<Option<Folder>, StoreError> {
    const OP: &str = "files.delete_folder";
    let Some(f) = get_folder(tx, id)? else { return Ok(None) };
    tx.table(&FOLDERS).during(OP)?.remove(id.0).at(OP, &FOLDERS)?;
    tx.table(&FOLDERS_BY_PARENT).during(OP)?.remove(folder_key(&f).as_slice()).at(OP, &FOLDERS_BY_PARENT)?;
    Ok(Some(f))
}

/// The ids of the files directly in a folder, oldest first, at most `max`.
pub fn file_ids_in(
    tx: &impl Tables,
    place: Place,
    folder: Option<FolderId>,
    max: usize,
) -> Result<Vec<FileId>, StoreError> {
    let t = tx.table(&FILES_BY_FOLDER)?;
    super::index_ids(&t, &folder_prefix(place, folder), None, super::super::page::Order::Ascending)?
        .take(max)
        .map(|r| r.map(FileId))
        .collect()
}

/// The ids of the folders directly in a folder, oldest first, at most `max`.
pub fn folder_ids_in(
    tx: &impl Tables,
    place: Place,
    parent: Option<FolderId>,
    max: usize,
) -> Result<Vec<FolderId>, StoreError> {
    let t = tx.table(&FOLDERS_BY_PARENT)?;
    super::index_ids(&t, &folder_prefix(place, parent), None, super::super::page::Order::Ascending)?
        .take(max)
        .map(|r| r.map(FolderId))
        .collect()
}

/// Every file and folder of a place (to delete them with their group).
pub fn all_in_place(tx: &impl Tables, place: Place) -> Result<(Vec<FileId>, Vec<FolderId>), StoreError> {
    const OP: &str = "files.all_in_place";
    let prefix = place.key().into_vec();
    let mut end = prefix.clone();
    super::super::key::increment(&mut end);
    let last = |k: &[u8]| super::super::key::u64_at(k, k.len().saturating_sub(8)).unwrap_or(0);
    let mut files = vec![];
    let t = tx.table(&FILES_BY_FOLDER).during(OP)?;
    for row in t.range(prefix.as_slice()..end.as_slice()).at(OP, &FILES_BY_FOLDER)? {
        files.push(FileId(last(row.at(OP, &FILES_BY_FOLDER)?.0.value())));
    }
    let mut folders = vec![];
    let t = tx.table(&FOLDERS_BY_PARENT).during(OP)?;
    for row in t.range(prefix.as_slice()..end.as_slice()).at(OP, &FOLDERS_BY_PARENT)? {
        folders.push(FolderId(last(row.at(OP, &FOLDERS_BY_PARENT)?.0.value())));
    }
    Ok((files, folders))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn file(place: Place, folder: Option<FolderId>) -> StoredFile {
        StoredFile {
            id: FileId(0),
            owner: UserId(1),
            place,
            folder,
            name: "a.txt".into(),
            size: 1,
            content_type: "text/plain".into(),
            sha256: [1; 32],
            access: Access::Group,
            preview: None,
            created_at: 1,
            updated_at: 1,
            revision: 0,
        }
    }

    #[test]
    fn the_folder_index_follows_moves_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let g = Place::Group(GroupId(3));
        let folder = store
            .write_blocking(move |tx| {
                insert_folder(
                    tx,
                    Folder {
                        id: FolderId(0),
                        owner: UserId(1),
                        place: g,
                        parent: None,
                        name: "docs".into(),
                        created_at: 1,
                        updated_at: 1,
                        revision: 0,
                    },
                )
            })
            .unwrap();
        let a = store.write_blocking(move |tx| insert(tx, file(g, None))).unwrap();
        let b = store.write_blocking(move |tx| insert(tx, file(g, Some(folder.id)))).unwrap();
        let own = store.write_blocking(move |tx| insert(tx, file(Place::Own(UserId(3)), None))).unwrap();
        let top = store.read(|tx| file_ids_in(tx, g, None, 10)).unwrap();
        assert_eq!(top, [a.id], "another place's files are not in it, even with the same number");
        assert_eq!(store.read(|tx| file_ids_in(tx, Place::Own(UserId(3)), None, 10)).unwrap(), [own.id]);
        assert_eq!(store.read(|tx| folder_ids_in(tx, g, None, 10)).unwrap(), [folder.id]);
        let id = b.id;
        store
            .write_blocking(move |tx| {
                let mut f = get(tx, id)?.unwrap();
                f.folder = None;
                put(tx, &mut f)
            })
            .unwrap();
        assert_eq!(store.read(|tx| file_ids_in(tx, g, None, 10)).unwrap(), [a.id, b.id]);
        assert!(store.read(|tx| file_ids_in(tx, g, Some(folder.id), 10)).unwrap().is_empty());
        store.write_blocking(move |tx| delete(tx, id)).unwrap();
        store.write_blocking(move |tx| delete_folder(tx, folder.id)).unwrap();
        assert_eq!(store.read(|tx| file_ids_in(tx, g, None, 10)).unwrap(), [a.id]);
        assert!(store.read(|tx| folder_ids_in(tx, g, None, 10)).unwrap().is_empty());
        assert_eq!(store.read(|tx| all_in_place(tx, g)).unwrap(), (vec![a.id], vec![]));
        assert_eq!(store.read(|tx| all_in_place(tx, Place::Own(UserId(3)))).unwrap(), (vec![own.id], vec![]));
    }
}
