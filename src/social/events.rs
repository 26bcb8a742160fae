//! Events: organise one site-wide or in a group you are a member of,
//! change or delete it (its organiser or a group admin), find events by
//! group and start time, enroll and leave. Capacity is checked and the
//! enrollment written in one write closure, and the store's single
//! writer runs closures one after another, so concurrent enrollments can
//! never exceed it. A group event, its enrollments and leavings leave
//! activity in the group (unless the event is private).

use super::access::{Viewer, edits_event, sees_event, sees_group, writes_in};
use super::activity::About;
use super::{Expected, SocialError, activity, check_revision, text};
use crate::clock::Timestamp;
use crate::ids::{EventId, GroupId, UserId};
use crate::store::page::Page;
use crate::store::schema::{ENROLLMENTS, EVENT_COUNTS, EVENTS, EVENTS_BY_GROUP, EVENTS_BY_START};
use crate::store::social::Access;
use crate::store::social::activity::What;
use crate::store::social::events::{self as stored, Enrollment, Event, EventCounts, Position};
use crate::store::social::groups::{self, Group, Membership};
use crate::store::{ReadableTable, StoreError, Tables, WriteTransaction};
use std::collections::HashMap;

/// How many events one page of a list may look at.
const BUDGET: usize = 2_000;
/// The longest location, in characters.
pub const LOCATION_MAX: usize = 200;
/// The largest capacity.
pub const CAPACITY_MAX: u32 = 1_000_000;
/// The longest event: a bit over a year.
pub const LONGEST: Timestamp = 366 * 24 * 3600;
/// Times from 1970 to the end of year 9999 (what RFC 3339 can write).
pub const EARLIEST: Timestamp = 0;
pub const LATEST: Timestamp = 253_402_300_799;
/// How far back the calendar feed reaches, and how many events it holds.
pub const FEED_PAST: Timestamp = 180 * 24 * 3600;
pub const FEED_MAX: usize = 1_000;

/// An event as one viewer sees it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub event: Event,
    pub counts: EventCounts,
    pub enrolled_by_me: bool,
}

/// A new event, or changes to one, as the client sent them. Times are the
/// client's RFC 3339 text, checked here with the other fields.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub group: Option<GroupId>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    /// `Some(None)`: no limit.
    pub capacity: Option<Option<u32>>,
    pub access: Option<String>,
}

/// The filters of `GET /events`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub group: Option<GroupId>,
    /// Events starting at or after this time (default: now).
    pub from: Option<Timestamp>,
    /// Events starting at or before this time.
    pub to: Option<Timestamp>,
}

/// The group of an event and the viewer's membership of it.
struct Place {
    group: Option<Group>,
    membership: Option<Membership>,
}

fn place(tx: &impl Tables, group: Option<GroupId>, viewer: Viewer) -> Result<Place, StoreError> {
    let Some(g) = group else { return Ok(Place { group: None, membership: None }) };
    let membership = match viewer.user {
        Some(u) => groups::membership(tx, g, u)?,
        None => None,
    };
    Ok(Place { group: groups::get(tx, g)?, membership })
}

fn view(tx: &impl Tables, event: Event, viewer: Viewer) -> Result<EventView, StoreError> {
    let counts = stored::counts(tx, event.id)?;
    let enrolled_by_me = match viewer.user {
        Some(u) => stored::is_enrolled(tx, event.id, u)?,
        None => false,
    };
    Ok(EventView { event, counts, enrolled_by_me })
}

/// An event the viewer can see, with its place.
fn visible(tx: &impl Tables, id: EventId, viewer: Viewer) -> Result<(Event, Place), SocialError> {
    let Some(e) = stored::get(tx, id)? else { return Err(SocialError::NotFound("event")) };
    let at = place(tx, e.group, viewer)?;
    if !sees_event(&e, at.group.as_ref(), viewer, at.membership.as_ref()) {
        return Err(SocialError::NotFound("event"));
    }
    Ok((e, at))
}

/// Whether the viewer sees the event (for activity entries about it).
pub fn sees(tx: &impl Tables, id: EventId, viewer: Viewer) -> Result<bool, StoreError> {
    match visible(tx, id, viewer) {
        Ok(_) => Ok(true),
        Err(SocialError::Store(e)) => Err(e),
        Err(_) => Ok(false),
    }
}

pub fn get(tx: &impl Tables, id: EventId, viewer: Viewer) -> Result<EventView, SocialError> {
    let (e, _) = visible(tx, id, viewer)?;
    Ok(view(tx, e, viewer)?)
}

/// An RFC 3339 time with its offset, as a UTC timestamp within the years
/// RFC 3339 can write.
pub fn parse_time(field: &'static str, raw: &str) -> Result<Timestamp, SocialError> {
    let bad =
        || SocialError::invalid(field, "must be an RFC 3339 time with its offset, such as 2026-12-05T18:00:00+01:00");
    let t =
        time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339).map_err(|_| bad())?;
    let ts = t.unix_timestamp();
    if !(EARLIEST..=LATEST).contains(&ts) {
        return Err(SocialError::invalid(field, "must be between 1970 and the end of 9999"));
    }
    Ok(ts)
}

/// Checks the fields of an event as they will be stored; every field's
/// problem at once.
fn check(e: &mut Event, input: &EventInput, enrolled: u64) -> Result<(), SocialError> {
    let mut errors = vec![];
    let mut take = |r: Result<(), SocialError>| {
        if let Err(SocialError::Invalid(e)) = r {
            errors.extend(e);
        }
    };
    if let Some(t) = &input.title {
        take(text::line("title", t, text::LIMITS.title, true).map(|t| e.title = t));
    }
    if let Some(d) = &input.description {
        take(text::block("description", d, text::LIMITS.group_description, false).map(|d| e.description = d));
    }
    if let Some(l) = &input.location {
        take(text::line("location", l, LOCATION_MAX, false).map(|l| e.location = l));
    }
    if let Some(s) = &input.start {
        take(parse_time("start", s).map(|s| e.start = s));
    }
    if let Some(s) = &input.end {
        take(parse_time("end", s).map(|s| e.end = s));
    }
    if let Some(a) = &input.access {
        take(
            Access::parse(a)
                .filter(|a| *a != Access::Friends)
                .map(|a| e.access = a)
                .ok_or_else(|| SocialError::invalid("access", "must be public, members, group or private")),
        );
    }
    match input.capacity {
        Some(Some(c)) if c == 0 || c > CAPACITY_MAX => {
            errors.push(("capacity", format!("must be from 1 to {CAPACITY_MAX} (0 or null: no limit)")))
        }
        Some(c) => e.capacity = c,
        None => {}
    }
    if errors.is_empty() {
        if e.title.is_empty() {
            errors.push(("title", "must not be empty".into()));
        }
        if e.end <= e.start {
            errors.push(("end", "must be after start".into()));
        } else if e.end - e.start > LONGEST {
            errors.push(("end", "an event lasts at most 366 days".into()));
        }
        if e.access == Access::Group && e.group.is_none() {
            errors.push((
                "access",
                "\"group\" needs a group; use public, members or private for a site-wide event".into(),
            ));
        }
        if e.capacity.is_some_and(|c| u64::from(c) < enrolled) {
            errors.push(("capacity", format!("{enrolled} members are enrolled already; it cannot be less")));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(SocialError::Invalid(errors)) }
}

/// Whether an event leaves activity in its group: only where the group's
/// members may see it.
fn shows_in_group(e: &Event) -> Option<GroupId> {
    e.group.filter(|_| e.access != Access::Private)
}

pub fn create(
    tx: &WriteTransaction,
    actor: UserId,
    input: &EventInput,
    now: Timestamp,
) -> Result<EventView, SocialError> {
    let viewer = Viewer::member(actor);
    let at = place(tx, input.group, viewer)?;
    if input.group.is_some() {
        let g = at.group.as_ref().filter(|g| sees_group(g, viewer));
        if g.is_none() {
            return Err(SocialError::invalid("group", "there is no such group that you can see"));
        }
        if !writes_in(g, at.membership.as_ref()) {
            return Err(SocialError::Forbidden("only members of the group may organise events in it".into()));
        }
    }
    let mut missing = vec![];
    for (field, given) in [("title", &input.title), ("start", &input.start), ("end", &input.end)] {
        if given.as_deref().is_none_or(|v| v.trim().is_empty()) {
            missing.push((field, "is required".to_string()));
        }
    }
    if !missing.is_empty() {
        return Err(SocialError::Invalid(missing));
    }
    let mut e = Event {
        id: EventId(0),
        group: input.group,
        organiser: actor,
        title: String::new(),
        description: String::new(),
        location: String::new(),
        start: 0,
        end: 0,
        capacity: None,
        access: if input.group.is_some() { Access::Group } else { Access::Members },
        created_at: now,
        updated_at: now,
        revision: 0,
    };
    check(&mut e, input, 0)?;
    let e = stored::insert(tx, e)?;
    if let Some(g) = shows_in_group(&e) {
        activity::record(tx, g, What::EventCreated, actor, About { event: Some(e.id), ..About::default() }, now)?;
    }
    Ok(view(tx, e, viewer)?)
}

pub fn update(
    tx: &WriteTransaction,
    actor: UserId,
    id: EventId,
    input: &EventInput,
    expected: &Expected,
    now: Timestamp,
) -> Result<EventView, SocialError> {
    let viewer = Viewer::member(actor);
    let (mut e, at) = visible(tx, id, viewer)?;
    if !edits_event(&e, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only the organiser or an admin of the group may change this event".into()));
    }
    if input.group.is_some_and(|g| Some(g) != e.group) {
        return Err(SocialError::invalid("group", "an event stays in its group"));
    }
    check_revision(expected, e.revision)?;
    let before = e.clone();
    check(&mut e, input, stored::counts(tx, id)?.enrolled)?;
    if e != before {
        e.updated_at = now;
        stored::put(tx, &mut e)?;
    }
    Ok(view(tx, e, viewer)?)
}

pub fn delete(tx: &WriteTransaction, actor: UserId, id: EventId, expected: &Expected) -> Result<(), SocialError> {
    let viewer = Viewer::member(actor);
    let (e, at) = visible(tx, id, viewer)?;
    if !edits_event(&e, viewer, at.membership.as_ref()) {
        return Err(SocialError::Forbidden("only the organiser or an admin of the group may delete this event".into()));
    }
    check_revision(expected, e.revision)?;
    stored::delete(tx, id)?;
    Ok(())
}

/// Removes every event of a group with its enrollments (the group goes).
pub fn remove_in_group(tx: &WriteTransaction, g: GroupId) -> Result<(), StoreError> {
    for id in stored::ids_in_group(tx, g)? {
        stored::delete(tx, id)?;
    }
    Ok(())
}

/// Why an enrollment cannot change: the event has begun.
fn started() -> SocialError {
    SocialError::ConflictOf("event-started", "the event has started; enrollments are closed".into())
}

/// Enrolls the caller; already enrolled, nothing changes (`false`). The
/// capacity is read and the enrollment written in this one closure.
pub fn enroll(
    tx: &WriteTransaction,
    actor: UserId,
    id: EventId,
    now: Timestamp,
) -> Result<(Enrollment, bool), SocialError> {
    let viewer = Viewer::member(actor);
    let (e, _) = visible(tx, id, viewer)?;
    if let Some(had) = stored::enrollment(tx, id, actor)? {
        return Ok((had, false));
    }
    if now >= e.start {
        return Err(started());
    }
    if let Some(cap) = e.capacity {
        if stored::counts(tx, id)?.enrolled >= u64::from(cap) {
            return Err(SocialError::ConflictOf("event-full", format!("the event is full ({cap} places taken)")));
        }
    }
    stored::enroll(tx, id, actor, now)?;
    if let Some(g) = shows_in_group(&e) {
        activity::record(tx, g, What::Enrolled, actor, About { event: Some(id), ..About::default() }, now)?;
    }
    Ok((Enrollment { event: id, user: actor, enrolled_at: now }, true))
}

/// Takes the caller's enrollment back (without one, nothing changes); not
/// once the event has begun.
pub fn unenroll(tx: &WriteTransaction, actor: UserId, id: EventId, now: Timestamp) -> Result<(), SocialError> {
    let viewer = Viewer::member(actor);
    let (e, _) = visible(tx, id, viewer)?;
    if !stored::is_enrolled(tx, id, actor)? {
        return Ok(());
    }
    if now >= e.start {
        return Err(started());
    }
    stored::unenroll(tx, id, actor)?;
    if let Some(g) = shows_in_group(&e) {
        activity::record(tx, g, What::Unenrolled, actor, About { event: Some(id), ..About::default() }, now)?;
    }
    Ok(())
}

/// The enrollments of an event the viewer can see, by member id.
pub fn enrollments(
    tx: &impl Tables,
    viewer: Viewer,
    id: EventId,
    after: Option<u64>,
    limit: usize,
) -> Result<Page<Enrollment>, SocialError> {
    visible(tx, id, viewer)?;
    let mut items = stored::enrolled(tx, id, after.map(UserId), limit + 1)?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|e| e.user.0.to_be_bytes().to_vec())
    } else {
        None
    };
    Ok(Page { items, next })
}

/// The events the viewer can see that pass the filter, by start time
/// (ties by id). The cursor is the position of the last event looked at.
pub fn list(
    tx: &impl Tables,
    viewer: Viewer,
    f: &Filter,
    after: Option<Position>,
    limit: usize,
    now: Timestamp,
) -> Result<Page<EventView>, SocialError> {
    if let Some(g) = f.group {
        super::groups::visible(tx, g, viewer)?;
    }
    let from = f.from.unwrap_or(now);
    let to = f.to.unwrap_or(LATEST);
    let (events_t, counts_t, enrolled_t) = (tx.table(&EVENTS)?, tx.table(&EVENT_COUNTS)?, tx.table(&ENROLLMENTS)?);
    let index = tx.table(if f.group.is_some() { &EVENTS_BY_GROUP } else { &EVENTS_BY_START })?;
    let mut places: HashMap<Option<GroupId>, Place> = HashMap::new();
    let mut items = Vec::with_capacity(limit.min(100));
    let mut last: Option<Position> = None;
    for (looked, row) in stored::by_start(&index, f.group, from, to, after)?.enumerate() {
        if items.len() == limit || looked == BUDGET {
            return Ok(Page { items, next: last.map(|l| l.to_vec()) });
        }
        let (pos, id) = row?;
        last = Some(pos);
        let Some(e) = stored::get_in(&events_t, id)? else { continue };
        let at = match places.entry(e.group) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(place(tx, e.group, viewer)?),
        };
        if !sees_event(&e, at.group.as_ref(), viewer, at.membership.as_ref()) {
            continue;
        }
        let counts = stored::counts_in(&counts_t, e.id)?;
        let enrolled_by_me = match viewer.user {
            Some(u) => {
                let k = crate::store::key::Key::new().u64(e.id.0).u64(u.0);
                enrolled_t.get(k.as_slice()).map_err(StoreError::from)?.is_some()
            }
            None => false,
        };
        items.push(EventView { event: e, counts, enrolled_by_me });
    }
    Ok(Page { items, next: None })
}

/// A list cursor as the store reads it (16 bytes), if it is one.
pub fn position(after: Option<&[u8]>) -> Option<Position> {
    after.and_then(|a| Position::try_from(a).ok())
}

/// The events of the member's calendar feed: those they are enrolled in
/// and can still see, from `FEED_PAST` ago on, by start time, at most
/// `FEED_MAX` (the soonest).
pub fn feed(tx: &impl Tables, user: UserId, now: Timestamp) -> Result<Vec<Event>, SocialError> {
    let viewer = Viewer::member(user);
    let mut out = vec![];
    for id in stored::of_member(tx, user)? {
        match visible(tx, id, viewer) {
            Ok((e, _)) if e.end >= now - FEED_PAST => out.push(e),
            Ok(_) | Err(SocialError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    out.sort_by_key(|e| (e.start, e.id));
    out.truncate(FEED_MAX);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::social::groups::GroupInput;
    use crate::store::Store;

    type Op<T> = Box<dyn Fn(&WriteTransaction) -> Result<T, SocialError> + Send>;

    fn run<T: Send + 'static>(store: &Store, f: Op<T>) -> Result<T, SocialError> {
        store
            .write_blocking(move |tx| match f(tx) {
                Err(SocialError::Store(e)) => Err(e),
                other => Ok(other),
            })
            .unwrap()
    }

    fn input(start: &str, end: &str) -> EventInput {
        EventInput {
            title: Some("Seed swap".into()),
            start: Some(start.into()),
            end: Some(end.into()),
            ..Default::default()
        }
    }

    const NOW: Timestamp = 1_796_040_000; // 2026-11-30T12:00:00Z

    #[test]
    fn fields_are_checked_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let ada = UserId(1);
        let fields = |i: EventInput| match run(&store, Box::new(move |tx| create(tx, ada, &i, NOW).map(|_| ()))) {
            Err(SocialError::Invalid(e)) => e.into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(fields(EventInput::default()), ["title", "start", "end"]);
        assert_eq!(fields(input("2026-12-05T18:00:00+01:00", "2026-12-05T17:00:00Z")), ["end"], "end == start");
        assert_eq!(fields(input("2026-12-05T18:00:00", "2026-12-05T19:00:00Z")), ["start"], "no offset");
        assert_eq!(fields(input("tomorrow", "+99999-01-01T00:00:00Z")), ["start", "end"]);
        assert_eq!(fields(input("1969-12-31T23:59:59Z", "2026-12-05T19:00:00Z")), ["start"]);
        assert_eq!(fields(input("2026-12-05T18:00:00Z", "2028-12-05T19:00:00Z")), ["end"], "too long");
        let mut i = input("2026-12-05T18:00:00Z", "2026-12-05T19:00:00Z");
        i.title = Some("bell\u{7}".into());
        i.location = Some("two\nlines".into());
        i.capacity = Some(Some(0));
        i.access = Some("everyone".into());
        assert_eq!(fields(i), ["title", "location", "access", "capacity"]);
        let mut i = input("2026-12-05T18:00:00Z", "2026-12-05T19:00:00Z");
        i.access = Some("group".into());
        assert_eq!(fields(i), ["access"], "group access needs a group");
        let mut i = input("2026-12-05T18:00:00Z", "2026-12-05T19:00:00Z");
        i.access = Some("friends".into());
        assert_eq!(fields(i), ["access"], "events do not take the friends level");
        let ok = input("2026-12-05T18:00:00+01:00", "2026-12-05T20:00:00+01:00");
        let v = run(&store, Box::new(move |tx| create(tx, ada, &ok, NOW))).unwrap();
        assert_eq!((v.event.start, v.event.end - v.event.start), (1_796_490_000, 7200));
        assert_eq!(v.event.access, Access::Members);
    }

    #[test]
    fn capacity_and_start_close_enrollments() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let (ada, bob, cy) = (UserId(1), UserId(2), UserId(3));
        let g = GroupInput { name: Some("G".into()), ..Default::default() };
        run(&store, Box::new(move |tx| crate::social::groups::create(tx, ada, &g, NOW).map(|_| ()))).unwrap();
        let gid = GroupId(1);
        for u in [bob, cy] {
            run(&store, Box::new(move |tx| crate::social::groups::put_member(tx, u, gid, u, None, NOW).map(|_| ())))
                .unwrap();
        }
        let mut i = input("2026-12-05T18:00:00Z", "2026-12-05T19:00:00Z");
        i.group = Some(gid);
        i.capacity = Some(Some(1));
        let e = run(&store, Box::new(move |tx| create(tx, ada, &i, NOW))).unwrap().event.id;
        let enroll_at = |u: UserId, at: Timestamp| run(&store, Box::new(move |tx| enroll(tx, u, e, at)));
        assert!(enroll_at(bob, NOW).unwrap().1);
        assert!(!enroll_at(bob, NOW + 1).unwrap().1, "again: unchanged");
        assert!(matches!(enroll_at(cy, NOW), Err(SocialError::ConflictOf("event-full", _))));
        // Capacity cannot go below those enrolled.
        let less = EventInput { capacity: Some(None), ..Default::default() };
        run(&store, Box::new(move |tx| update(tx, ada, e, &less, &None, NOW).map(|_| ()))).unwrap();
        assert!(enroll_at(cy, NOW).unwrap().1);
        let two = EventInput { capacity: Some(Some(1)), ..Default::default() };
        let r = run(&store, Box::new(move |tx| update(tx, ada, e, &two, &None, NOW).map(|_| ())));
        assert!(matches!(r, Err(SocialError::Invalid(f)) if f[0].0 == "capacity"));
        // Once it has begun, nobody enrolls or leaves.
        let start = 1_796_493_600;
        assert!(matches!(enroll_at(ada, start), Err(SocialError::ConflictOf("event-started", _))));
        let r = run(&store, Box::new(move |tx| unenroll(tx, bob, e, start)));
        assert!(matches!(r, Err(SocialError::ConflictOf("event-started", _))));
        run(&store, Box::new(move |tx| unenroll(tx, bob, e, NOW))).unwrap();
        let v = store.read(|tx| Ok::<_, StoreError>(get(tx, e, Viewer::member(cy)))).unwrap().unwrap();
        assert_eq!((v.counts.enrolled, v.enrolled_by_me), (1, true));
        // Every change left an entry in the group's river.
        let river = store
            .read(|tx| Ok::<_, StoreError>(activity::group_river(tx, Viewer::member(ada), gid, None, 20)))
            .unwrap()
            .unwrap();
        let kinds: Vec<&str> = river.items.iter().map(|a| a.what.as_str()).collect();
        assert_eq!(kinds, ["unenrolled", "enrolled", "enrolled", "event_created", "member_joined", "member_joined"]);
        // Only the organiser or a group admin changes it.
        let r = run(&store, Box::new(move |tx| delete(tx, bob, e, &None)));
        assert!(matches!(r, Err(SocialError::Forbidden(_))));
        run(&store, Box::new(move |tx| delete(tx, ada, e, &None))).unwrap();
        assert!(store.read(|tx| stored::of_member(tx, cy)).unwrap().is_empty());
    }
}
