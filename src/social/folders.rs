//! Folders: they nest, in a group (its members use them) or in a member's
//! own space (theirs alone); renamed or moved by their maker or a group
//! admin, never into themselves or their own descendants; deleted empty,
//! or with everything in them when asked (`recursive`) by someone who may
//! delete all of it.

use super::access::{Viewer, edits_stored, sees_group, writes_in};
use super::files::{Seat, check_name, remove, seat, visible_folder};
use super::{Expected, SocialError, check_revision};
use crate::clock::Timestamp;
use crate::ids::{FolderId, GroupId, UserId};
use crate::store::social::files::{self as stored, Folder, Place};
use crate::store::{Tables, WriteTransaction};

/// How deep folders nest.
pub const MAX_DEPTH: usize = 32;
/// The most files and folders one recursive delete removes.
pub const MAX_RECURSIVE: usize = 10_000;

pub fn get(tx: &impl Tables, id: FolderId, viewer: Viewer) -> Result<Folder, SocialError> {
    Ok(visible_folder(tx, id, viewer)?.0)
}

/// A new folder as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct FolderInput {
    pub name: Option<String>,
    pub group: Option<GroupId>,
    pub parent: Option<FolderId>,
}

/// How deep `parent` is (1 for a folder at the top).
fn depth(tx: &impl Tables, mut parent: Option<FolderId>) -> Result<usize, SocialError> {
    let mut n = 0;
    while let Some(p) = parent {
        n += 1;
        if n > MAX_DEPTH + 1 {
            break;
        }
        parent = stored::get_folder(tx, p)?.and_then(|f| f.parent);
    }
    Ok(n)
}

fn check_parent(tx: &impl Tables, viewer: Viewer, place: Place, parent: Option<FolderId>) -> Result<(), SocialError> {
    if let Some(p) = parent {
        let ok = visible_folder(tx, p, viewer).ok().is_some_and(|(d, _)| d.place == place);
        if !ok {
            return Err(SocialError::invalid("parent", "there is no such folder in that place that you can see"));
        }
        if depth(tx, parent)? >= MAX_DEPTH {
            return Err(SocialError::invalid("parent", format!("folders nest at most {MAX_DEPTH} deep")));
        }
    }
    Ok(())
}

pub fn create(
    tx: &WriteTransaction,
    actor: UserId,
    input: &FolderInput,
    now: Timestamp,
) -> Result<Folder, SocialError> {
    let viewer = Viewer::member(actor);
    let name = check_name(input.name.as_deref().unwrap_or_default())?;
    let place = match input.group {
        Some(g) => Place::Group(g),
        None => Place::Own(actor),
    };
    let Seat { group, membership } = seat(tx, place, viewer)?;
    if input.group.is_some() {
        let g = group.as_ref().filter(|g| sees_group(g, viewer));
        if g.is_none() {
            return Err(SocialError::invalid("group", "there is no such group that you can see"));
        }
        if !writes_in(g, membership.as_ref()) {
            return Err(SocialError::Forbidden("only members of the group may make folders in it".into()));
        }
    }
    check_parent(tx, viewer, place, input.parent)?;
    Ok(stored::insert_folder(
        tx,
        Folder {
            id: FolderId(0),
            owner: actor,
            place,
            parent: input.parent,
            name,
            created_at: now,
            updated_at: now,
            revision: 0,
        },
    )?)
}

/// Changes to a folder. `parent: Some(None)` moves it to the top.
#[derive(Debug, Clone, Default)]
pub struct FolderChange {
    pub name: Option<String>,
    pub parent: Option<Option<FolderId>>,
}

/// Whether `folder` is `candidate` or one of its ancestors.
fn is_within(tx: &impl Tables, candidate: FolderId, folder: FolderId) -> Result<bool, SocialError> {
    let mut at = Some(candidate);
    for _ in 0..=MAX_DEPTH + 1 {
        match at {
            Some(a) if a == folder => return Ok(true),
            Some(a) => at = stored::get_folder(tx, a)?.and_then(|f| f.parent),
            None => return Ok(false),
        }
    }
    Ok(true)
}

pub fn update(
    tx: &WriteTransaction,
    actor: UserId,
    id: FolderId,
    change: &FolderChange,
    expected: &Expected,
    now: Timestamp,
) -> Result<Folder, SocialError> {
    let viewer = Viewer::member(actor);
    let (mut f, at) = visible_folder(tx, id, viewer)?;
    if !edits_stored(f.owner, f.place, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only its maker or an admin of the group may change this folder".into()));
    }
    check_revision(expected, f.revision)?;
    let before = f.clone();
    if let Some(n) = &change.name {
        f.name = check_name(n)?;
    }
    if let Some(parent) = change.parent {
        if let Some(p) = parent {
            if is_within(tx, p, id)? {
                return Err(SocialError::invalid("parent", "a folder cannot move into itself or its own folders"));
            }
        }
        check_parent(tx, viewer, f.place, parent)?;
        f.parent = parent;
    }
    if f != before {
        f.updated_at = now;
        stored::put_folder(tx, &mut f)?;
    }
    Ok(f)
}

/// Deletes a folder; one with anything in it only when `recursive`, and
/// then only if the actor may delete everything inside. Returns the blobs
/// of the files that went, to collect after the commit.
pub fn delete(
    tx: &WriteTransaction,
    actor: UserId,
    id: FolderId,
    recursive: bool,
    expected: &Expected,
) -> Result<Vec<[u8; 32]>, SocialError> {
    let viewer = Viewer::member(actor);
    let (f, at) = visible_folder(tx, id, viewer)?;
    let may = |owner: UserId| edits_stored(owner, f.place, viewer, at.membership.as_ref());
    if !may(f.owner) {
        return Err(SocialError::Forbidden("only its maker or an admin of the group may delete this folder".into()));
    }
    check_revision(expected, f.revision)?;
    // Everything inside, breadth first, within the limit.
    let mut folders = vec![f.clone()];
    let mut files = vec![];
    let mut i = 0;
    while i < folders.len() {
        let here = folders[i].id;
        for fid in stored::file_ids_in(tx, f.place, Some(here), MAX_RECURSIVE + 1)? {
            files.extend(stored::get(tx, fid)?);
        }
        for did in stored::folder_ids_in(tx, f.place, Some(here), MAX_RECURSIVE + 1)? {
            folders.extend(stored::get_folder(tx, did)?);
        }
        if folders.len() + files.len() > MAX_RECURSIVE {
            return Err(SocialError::Conflict(format!(
                "the folder holds more than {MAX_RECURSIVE} files and folders; delete some of them first"
            )));
        }
        i += 1;
    }
    if (folders.len() > 1 || !files.is_empty()) && !recursive {
        return Err(SocialError::Conflict(
            "the folder is not empty; delete with ?recursive=true to delete everything in it".into(),
        ));
    }
    if folders.iter().map(|d| d.owner).chain(files.iter().map(|f| f.owner)).any(|o| !may(o)) {
        return Err(SocialError::Forbidden(
            "the folder holds files or folders of others that you may not delete".into(),
        ));
    }
    let mut gone = vec![];
    for file in &files {
        gone.extend(remove(tx, file)?);
    }
    for d in folders.iter().rev() {
        stored::delete_folder(tx, d.id)?;
    }
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::social::files::{Content, Target};
    use crate::social::groups::GroupInput;
    use crate::store::Store;
    use crate::store::blobs;

    type Op<T> = Box<dyn Fn(&WriteTransaction) -> Result<T, SocialError> + Send>;

    fn run<T: Send + 'static>(store: &Store, f: Op<T>) -> Result<T, SocialError> {
        store
            .write_blocking(move |tx| match f(tx) {
                Err(SocialError::Store(e)) => Err(e),
                other => Ok(other),
            })
            .unwrap()
    }

    #[test]
    fn folders_never_loop_and_a_recursive_delete_takes_only_what_the_actor_may() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (ada, bob) = (UserId(1), UserId(2));
        let g = GroupInput { name: Some("G".into()), ..Default::default() };
        let gid = run(&store, Box::new(move |tx| crate::social::groups::create(tx, ada, &g, 1))).unwrap().group.id;
        run(&store, Box::new(move |tx| crate::social::groups::put_member(tx, bob, gid, bob, None, 2))).unwrap();
        let folder = |who: UserId, name: &str, parent: Option<FolderId>| -> Op<Folder> {
            let input = FolderInput { name: Some(name.into()), group: Some(gid), parent };
            Box::new(move |tx| create(tx, who, &input, 3))
        };
        let top = run(&store, folder(bob, "top", None)).unwrap();
        let mid = run(&store, folder(bob, "mid", Some(top.id))).unwrap();
        let low = run(&store, folder(ada, "low", Some(mid.id))).unwrap();
        for (id, into) in [(top.id, low.id), (top.id, top.id), (mid.id, low.id)] {
            let change = FolderChange { parent: Some(Some(into)), ..Default::default() };
            let r = run(&store, Box::new(move |tx| update(tx, ada, id, &change, &None, 4)));
            assert!(matches!(r, Err(SocialError::Invalid(_))), "{id} into {into}: {r:?}");
        }
        // Moving sideways is fine: `low` to the top.
        let change = FolderChange { parent: Some(None), ..Default::default() };
        assert_eq!(run(&store, Box::new(move |tx| update(tx, ada, low.id, &change, &None, 5))).unwrap().parent, None);
        // Ada's file inside bob's folder: bob, no group admin, may not delete it with the folder.
        let content = Content {
            name: "a.txt".into(),
            size: 1,
            content_type: "text/plain".into(),
            sha256: blobs::digest(b"a"),
            preview: None,
        };
        let target = Target { group: Some(gid), folder: Some(mid.id), access: None };
        let file =
            run(&store, Box::new(move |tx| crate::social::files::create(tx, ada, &target, &content, 6))).unwrap();
        let r = run(&store, Box::new(move |tx| delete(tx, bob, top.id, false, &None)));
        assert!(matches!(r, Err(SocialError::Conflict(_))), "not empty: {r:?}");
        let r = run(&store, Box::new(move |tx| delete(tx, bob, top.id, true, &None)));
        assert!(matches!(r, Err(SocialError::Forbidden(_))), "ada's file: {r:?}");
        // Ada is the group's admin: everything goes, and the blob is hers to collect.
        let gone = run(&store, Box::new(move |tx| delete(tx, ada, top.id, true, &None))).unwrap();
        assert_eq!(gone, [blobs::digest(b"a")]);
        assert!(store.read(|tx| crate::store::social::files::get(tx, file.id)).unwrap().is_none());
        assert!(!store.read(|tx| blobs::is_referenced(tx, &blobs::digest(b"a"))).unwrap());
        assert!(store.read(|tx| crate::store::social::files::get_folder(tx, mid.id)).unwrap().is_none());
        assert!(store.read(|tx| crate::store::social::files::get_folder(tx, low.id)).unwrap().is_some());
    }
}
