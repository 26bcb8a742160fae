//! Files: who may upload where (one's own space, or a group one is a
//! member of, optionally in a folder there), see, rename, move, re-level
//! and delete a file, list a folder (folders first, then files), and which
//! files a post may carry. The bytes are blobs; the upload itself (staging,
//! sniffing, cleaning images, settling the blob before the commit) is
//! `social::uploads`.

use super::access::{Viewer, edits_stored, sees_file, sees_folder, writes_in};
use super::activity::About;
use super::{Expected, SocialError, activity, check_revision};
use crate::clock::Timestamp;
use crate::ids::{FileId, FolderId, GroupId, UserId};
use crate::store::blobs::{self, Owner};
use crate::store::page::{Order, Page};
use crate::store::schema::{FILES_BY_FOLDER, FOLDERS_BY_PARENT};
use crate::store::social::activity::What;
use crate::store::social::files::{self as stored, Folder, Place, StoredFile};
use crate::store::social::groups::{self, Group, Membership};
use crate::store::social::{Access, Step, index_ids, scan};
use crate::store::{Tables, WriteTransaction};

/// How many rows one page of a folder may look at.
const BUDGET: usize = 2_000;
/// Cursors at or past this mark are files' (their id plus the mark); below
/// it, folders': a folder's contents list folders first, then files.
pub const FILE_MARK: u64 = 1 << 63;
/// The most files one post may carry.
pub const MAX_ATTACHMENTS: usize = 10;
/// The longest file or folder name, in characters.
pub const MAX_NAME: usize = 255;

/// The group of a place and the viewer's membership of it.
pub(super) struct Seat {
    pub group: Option<Group>,
    pub membership: Option<Membership>,
}

pub(super) fn seat(tx: &impl Tables, place: Place, viewer: Viewer) -> Result<Seat, SocialError> {
    let Some(g) = place.group() else { return Ok(Seat { group: None, membership: None }) };
    let membership = match viewer.user {
        Some(u) => groups::membership(tx, g, u)?,
        None => None,
    };
    Ok(Seat { group: groups::get(tx, g)?, membership })
}

/// A file the viewer can see, with its seat.
fn visible(tx: &impl Tables, id: FileId, viewer: Viewer) -> Result<(StoredFile, Seat), SocialError> {
    let Some(f) = stored::get(tx, id)? else { return Err(SocialError::NotFound("file")) };
    let at = seat(tx, f.place, viewer)?;
    if !sees_file(&f, at.group.as_ref(), viewer, at.membership.as_ref()) {
        return Err(SocialError::NotFound("file"));
    }
    Ok((f, at))
}

pub fn get(tx: &impl Tables, id: FileId, viewer: Viewer) -> Result<StoredFile, SocialError> {
    Ok(visible(tx, id, viewer)?.0)
}

/// A folder the viewer can open, with its seat.
pub(super) fn visible_folder(tx: &impl Tables, id: FolderId, viewer: Viewer) -> Result<(Folder, Seat), SocialError> {
    let Some(f) = stored::get_folder(tx, id)? else { return Err(SocialError::NotFound("folder")) };
    let at = seat(tx, f.place, viewer)?;
    if !sees_folder(&f, at.group.as_ref(), viewer, at.membership.as_ref()) {
        return Err(SocialError::NotFound("folder"));
    }
    Ok((f, at))
}

/// A file or folder name as stored: the last part of what may be a path
/// (a browser may send `C:\Users\ann\photo.jpg`), without control
/// characters, quotes or slashes, trimmed; `None` when nothing usable is
/// left (or only dots).
pub fn clean_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '/' | '\\')).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        return None;
    }
    Some(cleaned.chars().take(MAX_NAME).collect())
}

/// A name a client chose (rename, new folder): refused, not repaired,
/// when it is not one.
pub(super) fn check_name(raw: &str) -> Result<String, SocialError> {
    let t = raw.trim();
    if t.chars().count() > MAX_NAME {
        return Err(SocialError::invalid("name", format!("at most {MAX_NAME} characters")));
    }
    match clean_name(t) {
        Some(n) if n == t => Ok(n),
        _ => Err(SocialError::invalid(
            "name",
            "must be 1 to 255 characters without slashes, quotes or control characters, and not . or ..",
        )),
    }
}

pub(super) fn parse_access(v: &str) -> Result<Access, SocialError> {
    Access::parse(v)
        .filter(|a| *a != Access::Friends)
        .ok_or_else(|| SocialError::invalid("access", "must be public, members, group or private"))
}

/// Where an upload goes, as the client named it.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub group: Option<GroupId>,
    pub folder: Option<FolderId>,
    pub access: Option<String>,
}

/// Checks that `actor` may put a file at `target`: their own space, or a
/// group they are a member of; the folder in that place. Returns the place
/// and the access level the file gets.
pub fn check_target(tx: &impl Tables, actor: UserId, target: &Target) -> Result<(Place, Access), SocialError> {
    let viewer = Viewer::member(actor);
    let place = match target.group {
        Some(g) => Place::Group(g),
        None => Place::Own(actor),
    };
    let at = seat(tx, place, viewer)?;
    if let Some(g) = target.group {
        let seen = at.group.as_ref().filter(|g| super::access::sees_group(g, viewer));
        if seen.is_none() {
            return Err(SocialError::invalid("group", format!("there is no group {g} that you can see")));
        }
        if !writes_in(seen, at.membership.as_ref()) {
            return Err(SocialError::Forbidden("only members of the group may upload files to it".into()));
        }
    }
    if let Some(f) = target.folder {
        let folder = visible_folder(tx, f, viewer).map(|(f, _)| f).ok().filter(|f| f.place == place);
        if folder.is_none() {
            return Err(SocialError::invalid("folder", "there is no such folder in that place that you can see"));
        }
    }
    let access = match target.access.as_deref() {
        Some(a) => parse_access(a)?,
        None if place.group().is_some() => Access::Group,
        None => Access::Private,
    };
    if access == Access::Group && place.group().is_none() {
        return Err(SocialError::invalid("access", "\"group\" needs a group; use private, members or public"));
    }
    Ok((place, access))
}

/// What was stored of an upload's bytes.
#[derive(Debug, Clone)]
pub struct Content {
    pub name: String,
    pub size: u64,
    pub content_type: String,
    pub sha256: [u8; 32],
    pub preview: Option<[u8; 32]>,
}

/// Records an uploaded file whose blobs are settled already: checks the
/// target again (in this transaction), references the blobs, and leaves
/// activity in the group unless the file is private.
pub fn create(
    tx: &WriteTransaction,
    actor: UserId,
    target: &Target,
    content: &Content,
    now: Timestamp,
) -> Result<StoredFile, SocialError> {
    let (place, access) = check_target(tx, actor, target)?;
    let f = stored::insert(
        tx,
        StoredFile {
            id: FileId(0),
            owner: actor,
            place,
            folder: target.folder,
            name: content.name.clone(),
            size: content.size,
            content_type: content.content_type.clone(),
            sha256: content.sha256,
            access,
            preview: content.preview,
            created_at: now,
            updated_at: now,
            revision: 0,
        },
    )?;
    blobs::add_ref(tx, &f.sha256, Owner::File(f.id))?;
    if let Some(p) = &f.preview {
        blobs::add_ref(tx, p, Owner::Preview(f.id))?;
    }
    if let Some(g) = place.group().filter(|_| access != Access::Private) {
        activity::record(tx, g, What::FileUploaded, actor, About { file: Some(f.id), ..About::default() }, now)?;
    }
    Ok(f)
}

/// Changes to a file, as the client sent them. `folder: Some(None)` moves
/// it to the top of its place.
#[derive(Debug, Clone, Default)]
pub struct FileChange {
    pub name: Option<String>,
    pub folder: Option<Option<FolderId>>,
    pub access: Option<String>,
}

pub fn update(
    tx: &WriteTransaction,
    actor: UserId,
    id: FileId,
    change: &FileChange,
    expected: &Expected,
    now: Timestamp,
) -> Result<StoredFile, SocialError> {
    let viewer = Viewer::member(actor);
    let (mut f, at) = visible(tx, id, viewer)?;
    if !edits_stored(f.owner, f.place, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only its owner or an admin of the group may change this file".into()));
    }
    check_revision(expected, f.revision)?;
    let before = f.clone();
    let mut errors = vec![];
    if let Some(n) = &change.name {
        match check_name(n) {
            Ok(n) => f.name = n,
            Err(SocialError::Invalid(e)) => errors.extend(e),
            Err(e) => return Err(e),
        }
    }
    if let Some(a) = &change.access {
        match parse_access(a) {
            Ok(a) if a == Access::Group && f.place.group().is_none() => {
                errors.push(("access", "\"group\" needs a group; use private, members or public".into()))
            }
            Ok(a) => f.access = a,
            Err(SocialError::Invalid(e)) => errors.extend(e),
            Err(e) => return Err(e),
        }
    }
    if let Some(folder) = change.folder {
        if let Some(to) = folder {
            let ok = visible_folder(tx, to, viewer).ok().is_some_and(|(d, _)| d.place == f.place);
            if !ok {
                errors.push(("folder", "there is no such folder in the file's place that you can see".into()));
            }
        }
        f.folder = folder;
    }
    if !errors.is_empty() {
        return Err(SocialError::Invalid(errors));
    }
    if f != before {
        f.updated_at = now;
        stored::put(tx, &mut f)?;
    }
    Ok(f)
}

/// Deletes a file; returns the blobs it used, to collect after the commit.
pub fn delete(
    tx: &WriteTransaction,
    actor: UserId,
    id: FileId,
    expected: &Expected,
) -> Result<Vec<[u8; 32]>, SocialError> {
    let viewer = Viewer::member(actor);
    let (f, at) = visible(tx, id, viewer)?;
    if !edits_stored(f.owner, f.place, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only its owner or an admin of the group may delete this file".into()));
    }
    check_revision(expected, f.revision)?;
    remove(tx, &f)
}

/// Removes a file's record and its blob references; returns the blobs.
pub(super) fn remove(tx: &WriteTransaction, f: &StoredFile) -> Result<Vec<[u8; 32]>, SocialError> {
    stored::delete(tx, f.id)?;
    blobs::remove_ref(tx, &f.sha256, Owner::File(f.id))?;
    let mut gone = vec![f.sha256];
    if let Some(p) = f.preview {
        blobs::remove_ref(tx, &p, Owner::Preview(f.id))?;
        gone.push(p);
    }
    Ok(gone)
}

/// Removes every file and folder of a place (a group being deleted). The
/// blobs they used go at the next start's sweep (`uploads::sweep`).
pub fn remove_place(tx: &WriteTransaction, place: Place) -> Result<(), SocialError> {
    let (files, folders) = stored::all_in_place(tx, place)?;
    for id in files {
        if let Some(f) = stored::get(tx, id)? {
            remove(tx, &f)?;
        }
    }
    for id in folders {
        stored::delete_folder(tx, id)?;
    }
    Ok(())
}

/// One row of a folder's listing.
#[derive(Debug, Clone)]
pub enum Entry {
    Folder(Folder),
    File(StoredFile),
}

/// Where a listing is: the place, and a folder in it (`None`: its top).
/// Without a group, the place is the viewer's own space.
pub fn locate(
    tx: &impl Tables,
    viewer: Viewer,
    group: Option<GroupId>,
    folder: Option<FolderId>,
) -> Result<(Place, Option<FolderId>), SocialError> {
    if let Some(f) = folder {
        let (d, _) = visible_folder(tx, f, viewer)?;
        if group.is_some_and(|g| d.place != Place::Group(g)) {
            return Err(SocialError::invalid("folder", "the folder is not in that group"));
        }
        return Ok((d.place, Some(f)));
    }
    match (group, viewer.user) {
        (Some(g), _) => {
            super::groups::visible(tx, g, viewer)?;
            Ok((Place::Group(g), None))
        }
        (None, Some(u)) => Ok((Place::Own(u), None)),
        (None, None) => {
            Err(SocialError::Forbidden("an application on its own has no space of files; name a group".into()))
        }
    }
}

/// A folder's contents the viewer may see: folders first, then files,
/// each oldest first. Cursors of files are their id plus `FILE_MARK`.
pub fn list(
    tx: &impl Tables,
    viewer: Viewer,
    place: Place,
    folder: Option<FolderId>,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<Entry>, SocialError> {
    let at = seat(tx, place, viewer)?;
    let prefix = stored::folder_prefix(place, folder);
    let (folders_t, files_t) = (tx.table(&FOLDERS_BY_PARENT)?, tx.table(&FILES_BY_FOLDER)?);
    let folder_ids = match after {
        Some(a) if a >= FILE_MARK => None,
        a => Some(index_ids(&folders_t, &prefix, a, Order::Ascending)?),
    };
    let file_after = after.filter(|a| *a >= FILE_MARK).map(|a| a - FILE_MARK);
    let file_ids = index_ids(&files_t, &prefix, file_after, Order::Ascending)?.map(|r| r.map(|id| id | FILE_MARK));
    let ids = folder_ids.into_iter().flatten().chain(file_ids);
    let page = scan(ids, limit, BUDGET, |id| {
        if id >= FILE_MARK {
            let Some(f) = stored::get(tx, FileId(id - FILE_MARK))? else { return Ok(Step::Skip) };
            Ok(if sees_file(&f, at.group.as_ref(), viewer, at.membership.as_ref()) {
                Step::Take(Entry::File(f))
            } else {
                Step::Skip
            })
        } else {
            let Some(d) = stored::get_folder(tx, FolderId(id))? else { return Ok(Step::Skip) };
            Ok(if sees_folder(&d, at.group.as_ref(), viewer, at.membership.as_ref()) {
                Step::Take(Entry::Folder(d))
            } else {
                Step::Skip
            })
        }
    })?;
    Ok(page)
}

/// The files a post by `author` may carry: at most `MAX_ATTACHMENTS`,
/// each one the author can see, in the given order without repeats.
pub fn check_attachments(tx: &impl Tables, author: UserId, ids: &[FileId]) -> Result<Vec<FileId>, SocialError> {
    let mut out: Vec<FileId> = vec![];
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.len() > MAX_ATTACHMENTS {
        return Err(SocialError::invalid("attachments", format!("at most {MAX_ATTACHMENTS} files")));
    }
    for id in &out {
        if visible(tx, *id, Viewer::member(author)).is_err() {
            return Err(SocialError::invalid("attachments", format!("there is no file {id} that you can see")));
        }
    }
    Ok(out)
}

/// The attachments of a post that the viewer can see (the others, and
/// files deleted since, are left out).
pub fn visible_attachments(
    tx: &impl Tables,
    viewer: Viewer,
    ids: &[FileId],
) -> Result<Vec<FileId>, crate::store::StoreError> {
    let mut out = vec![];
    for id in ids {
        match visible(tx, *id, viewer) {
            Ok(_) => out.push(*id),
            Err(SocialError::Store(e)) => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_or_refused() {
        assert_eq!(clean_name("C:\\Users\\ann\\photo.jpg").as_deref(), Some("photo.jpg"));
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("a\"b\u{7}\r\n.txt").as_deref(), Some("ab.txt"));
        for bad in ["", "..", ".", "dir/", "  ", "\u{0}"] {
            assert_eq!(clean_name(bad), None, "{bad:?}");
        }
        assert!(check_name("report 2026.pdf").is_ok());
        for bad in ["a/b", "..", "x\u{1b}y", "say \"hi\"", ""] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(clean_name(&"é".repeat(300)).unwrap().chars().count(), MAX_NAME);
    }
}
