//! Who may see and change what: pure functions of the item, the viewer and
//! the viewer's membership of the item's group. An item the viewer may not
//! see is answered as not there at all, so its existence does not leak.

use crate::ids::UserId;
use crate::store::social::Access;
use crate::store::social::comments::Comment;
use crate::store::social::events::Event;
use crate::store::social::files::{Folder, Place, StoredFile};
use crate::store::social::groups::{Group, Membership};
use crate::store::social::posts::Post;

/// Who is looking: a member, or an application acting on its own (`None`),
/// which sees `public` content only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub user: Option<UserId>,
}

impl Viewer {
    pub fn member(user: UserId) -> Viewer {
        Viewer { user: Some(user) }
    }

    pub fn application() -> Viewer {
        Viewer { user: None }
    }
}

/// Whether the viewer sees the group at all (its name and description).
pub fn sees_group(g: &Group, v: Viewer) -> bool {
    !g.hidden
        && match g.access {
            Access::Public => true,
            _ => v.user.is_some(),
        }
}

/// Whether the viewer sees a post, given their membership of its group,
/// for a viewer who is not a friend of its author (or where that cannot
/// matter: a group's post is never `friends`).
pub fn sees_post(p: &Post, group: Option<&Group>, v: Viewer, membership: Option<&Membership>) -> bool {
    sees_post_of(p, group, v, membership, false)
}

/// Whether the viewer sees a post, given their membership of its group and
/// whether they are a friend of its author. For a share, this is the share
/// alone: `social::friends::sees` also asks about its original.
pub fn sees_post_of(p: &Post, group: Option<&Group>, v: Viewer, membership: Option<&Membership>, friend: bool) -> bool {
    if p.hidden || group.is_some_and(|g| g.hidden) {
        return false;
    }
    // Its author always sees it, even after leaving its group.
    if v.user == Some(p.author) {
        return true;
    }
    match p.access {
        Access::Public => true,
        Access::Members => v.user.is_some(),
        Access::Group => v.user.is_some() && membership.is_some_and(|m| m.is_member()),
        Access::Private => v.user == Some(p.author),
        Access::Friends => v.user.is_some() && friend,
    }
}

/// The levels a share of a post at `original` may have, narrowest last,
/// the default first: never wider than the original (public > members >
/// friends > private). A `group` post is for its group's members, and a
/// share lives on the sharer's own stream, so it cannot be shared at all.
pub fn share_levels(original: Access) -> &'static [Access] {
    use Access::*;
    match original {
        Public => &[Public, Members, Friends, Private],
        Members => &[Members, Friends, Private],
        Friends => &[Friends, Private],
        Private => &[Private],
        Group => &[],
    }
}

/// Whether the viewer sees a share whose own level lets them see it: its
/// author always (so they can delete it); anyone else only with its
/// original (`None`: the original is gone), so a share never shows more
/// than the original does.
pub fn sees_share(share: &Post, v: Viewer, original_seen: Option<bool>) -> bool {
    v.user == Some(share.author) || original_seen == Some(true)
}

/// Whether the viewer may change or delete a post: its author, or an admin
/// of its group.
pub fn edits_post(p: &Post, v: Viewer, membership: Option<&Membership>) -> bool {
    v.user == Some(p.author) || (p.group.is_some() && membership.is_some_and(|m| m.is_admin()))
}

/// Whether the viewer may change a comment: its author only.
pub fn edits_comment(c: &Comment, v: Viewer) -> bool {
    v.user == Some(c.author)
}

/// Whether the viewer may delete a comment: its author, the post's author,
/// or an admin of the post's group.
pub fn deletes_comment(c: &Comment, p: &Post, v: Viewer, membership: Option<&Membership>) -> bool {
    edits_comment(c, v) || edits_post(p, v, membership)
}

/// Whether the viewer may write in a place: their own stream, or a group
/// they are a member of.
pub fn writes_in(group: Option<&Group>, membership: Option<&Membership>) -> bool {
    match group {
        None => true,
        Some(_) => membership.is_some_and(|m| m.is_member()),
    }
}

/// Whether the viewer sees an event, given their membership of its group:
/// the rules of posts, its organiser in the author's place.
pub fn sees_event(e: &Event, group: Option<&Group>, v: Viewer, membership: Option<&Membership>) -> bool {
    if group.is_some_and(|g| g.hidden) {
        return false;
    }
    if v.user == Some(e.organiser) {
        return true;
    }
    match e.access {
        Access::Public => true,
        Access::Members => v.user.is_some(),
        Access::Group => v.user.is_some() && membership.is_some_and(|m| m.is_member()),
        // Events do not take `friends` (refused when written); should one
        // carry it, its organiser alone sees it.
        Access::Private | Access::Friends => false,
    }
}

/// Whether the viewer may change or delete an event: its organiser, or an
/// admin of its group.
pub fn edits_event(e: &Event, v: Viewer, membership: Option<&Membership>) -> bool {
    v.user == Some(e.organiser) || (e.group.is_some() && membership.is_some_and(|m| m.is_admin()))
}

/// Whether the viewer sees a file, given its group (`None` when it is in
/// its owner's own space, or its group is gone) and their membership.
pub fn sees_file(f: &StoredFile, group: Option<&Group>, v: Viewer, membership: Option<&Membership>) -> bool {
    if let Place::Group(_) = f.place {
        if group.is_none_or(|g| g.hidden) {
            return false;
        }
    }
    if v.user == Some(f.owner) {
        return true;
    }
    match f.access {
        Access::Public => true,
        Access::Members => v.user.is_some(),
        Access::Group => v.user.is_some() && f.place.group().is_some() && membership.is_some_and(|m| m.is_member()),
        // Files do not take `friends` (refused when written); should one
        // carry it, its owner alone sees it.
        Access::Private | Access::Friends => false,
    }
}

/// Whether the viewer may open a folder: in a group, its members; in a
/// member's own space, that member alone.
pub fn sees_folder(f: &Folder, group: Option<&Group>, v: Viewer, membership: Option<&Membership>) -> bool {
    match f.place {
        Place::Own(u) => v.user == Some(u),
        Place::Group(_) => {
            group.is_some_and(|g| !g.hidden) && v.user.is_some() && membership.is_some_and(|m| m.is_member())
        }
    }
}

/// Whether the viewer may change, move or delete a file or folder of
/// `owner` in `place`: its owner, or an admin of its group.
pub fn edits_stored(owner: UserId, place: Place, v: Viewer, membership: Option<&Membership>) -> bool {
    v.user == Some(owner) || (place.group().is_some() && membership.is_some_and(|m| m.is_admin()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{GroupId, PostId};
    use crate::store::social::groups::{Joining, Role, State};
    use crate::store::social::posts::Kind;

    fn group(access: Access) -> Group {
        Group {
            id: GroupId(1),
            name: "g".into(),
            description: String::new(),
            membership: Joining::Closed,
            access,
            created_by: UserId(1),
            created_at: 0,
            updated_at: 0,
            hidden: false,
            revision: 1,
        }
    }

    fn post(access: Access) -> Post {
        Post {
            id: PostId(1),
            group: Some(GroupId(1)),
            author: UserId(1),
            kind: Kind::Status,
            title: String::new(),
            body: "b".into(),
            tags: vec![],
            access,
            created_at: 0,
            updated_at: 0,
            hidden: false,
            attachments: vec![],
            shared: None,
            revision: 1,
        }
    }

    fn membership(state: State, role: Role) -> Membership {
        Membership { group: GroupId(1), user: UserId(2), role, state, joined_at: 0, read_mark: 0 }
    }

    #[test]
    fn every_level_against_every_viewer() {
        let g = group(Access::Members);
        let app = Viewer::application();
        let author = Viewer::member(UserId(1));
        let other = Viewer::member(UserId(2));
        let member = membership(State::Member, Role::Member);
        let requested = membership(State::Requested, Role::Member);
        // (level, app, outsider, requested, group member, author)
        let table = [
            (Access::Public, true, true, true, true, true),
            (Access::Members, false, true, true, true, true),
            (Access::Group, false, false, false, true, true),
            (Access::Private, false, false, false, false, true),
            (Access::Friends, false, false, false, false, true),
        ];
        for (level, a, o, r, m, au) in table {
            let p = post(level);
            assert_eq!(sees_post(&p, Some(&g), app, None), a, "{level:?} app");
            assert_eq!(sees_post(&p, Some(&g), other, None), o, "{level:?} outsider");
            assert_eq!(sees_post(&p, Some(&g), other, Some(&requested)), r, "{level:?} requested");
            assert_eq!(sees_post(&p, Some(&g), other, Some(&member)), m, "{level:?} member");
            assert_eq!(sees_post(&p, Some(&g), author, None), au, "{level:?} author");
        }
        // `friends`: the author's friends (on the author's stream), never an
        // application's own token.
        let mut own = post(Access::Friends);
        own.group = None;
        for level in Access::NAMES.iter().map(|n| Access::parse(n).unwrap()) {
            let p = Post { access: level, ..own.clone() };
            let members = level != Access::Private && level != Access::Group;
            assert_eq!(sees_post_of(&p, None, other, None, true), members, "{level:?} friend");
            assert_eq!(sees_post_of(&p, None, app, None, true), level == Access::Public, "{level:?} app");
            assert!(sees_post_of(&p, None, author, None, false), "{level:?} author");
            assert_eq!(
                sees_post_of(&p, None, other, None, false),
                matches!(level, Access::Public | Access::Members),
                "{level:?} stranger"
            );
        }
        let mut hidden = post(Access::Public);
        hidden.hidden = true;
        assert!(!sees_post(&hidden, Some(&g), author, None));
        assert!(!sees_group(&g, app) && sees_group(&g, other) && sees_group(&group(Access::Public), app));
    }

    #[test]
    fn a_share_is_never_wider_than_its_original() {
        let rank = |a: Access| match a {
            Access::Public => 0,
            Access::Members => 1,
            Access::Friends | Access::Group => 2,
            Access::Private => 3,
        };
        for original in Access::NAMES.iter().map(|n| Access::parse(n).unwrap()) {
            let levels = share_levels(original);
            assert_eq!(levels.is_empty(), original == Access::Group, "{original:?}");
            assert_eq!(levels.first().copied().unwrap_or(original), original, "the default is the original's");
            for l in levels {
                assert!(rank(*l) >= rank(original) && *l != Access::Group, "{original:?} -> {l:?}");
            }
        }
        let mut share = post(Access::Public);
        share.shared = Some(PostId(9));
        let (author, other) = (Viewer::member(UserId(1)), Viewer::member(UserId(2)));
        assert!(sees_share(&share, author, None) && sees_share(&share, other, Some(true)));
        assert!(!sees_share(&share, other, Some(false)) && !sees_share(&share, other, None));
    }

    #[test]
    fn who_may_edit() {
        let p = post(Access::Public);
        let admin = membership(State::Member, Role::Admin);
        let requested_admin = membership(State::Requested, Role::Admin);
        assert!(edits_post(&p, Viewer::member(UserId(1)), None));
        assert!(edits_post(&p, Viewer::member(UserId(2)), Some(&admin)));
        assert!(!edits_post(&p, Viewer::member(UserId(2)), Some(&requested_admin)));
        assert!(!edits_post(&p, Viewer::member(UserId(2)), None));
        assert!(!edits_post(&p, Viewer::application(), None));
        assert!(writes_in(None, None));
        assert!(!writes_in(Some(&group(Access::Public)), Some(&membership(State::Requested, Role::Member))));
    }
}
