//! Events against a real server, every route and refusal through both an
//! OAuth 2.0 bearer token and an OAuth 1.0a signed request: who sees what
//! (group access, a closed group, applications on their own), who may
//! change what, field checks, the start-time list and its cursor,
//! enrollments (idempotent, full, begun), capacity under concurrent
//! enrollments, activity, and calendars: `.ics` answers parsed with the
//! `icalendar` crate, and the private feed with its token made, replaced
//! and revoked on the member's pages.

use crate::harness::*;
use crate::social::{Community, Cred, R, add_members, call, oauth1_community, oauth2_community};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

/// A time `hours` from now, written with a `+01:00` offset.
fn at(hours: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
    t.to_offset(time::macros::offset!(+1)).replace_nanosecond(0).unwrap().format(&Rfc3339).unwrap()
}

fn unix(rfc: &str) -> i64 {
    time::OffsetDateTime::parse(rfc, &Rfc3339).unwrap().unix_timestamp()
}

fn ids(r: &R) -> Vec<String> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{r:?}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

fn fields(r: &R) -> Vec<String> {
    r.body["errors"].as_array().into_iter().flatten().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// A GET whose answer is text (a calendar), with its status and headers.
fn text(s: &Server, cred: Option<&Cred>, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = s.client().get(s.url(path));
    match cred {
        Some(Cred::Bearer(t)) => req = req.bearer_auth(t),
        Some(Cred::OAuth1 { consumer, token }) => {
            let nonce = format!(
                "ics{}",
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
            );
            let h = latchkey::oauth1::client::hmac_sha1_header_for_query(
                "GET",
                &s.url(path),
                &[],
                (&consumer.0, &consumer.1),
                token.as_ref().map(|(t, ts)| (t.as_str(), ts.as_str())),
                &[],
                crate::oauth1_client::now(),
                &nonce,
            );
            req = req.header("authorization", h);
        }
        None => {}
    }
    let r = req.send().unwrap();
    (r.status().as_u16(), r.headers().clone(), r.text().unwrap())
}

/// The events of an iCalendar document, read by the `icalendar` crate:
/// (UID, SUMMARY, DESCRIPTION, LOCATION, DTSTART, DTEND as Unix times).
fn parse_ics(doc: &str) -> Vec<(String, String, String, String, i64, i64)> {
    use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};
    let cal: icalendar::Calendar = doc.parse().unwrap_or_else(|e| panic!("not iCalendar ({e}):\n{doc}"));
    let utc = |d: Option<DatePerhapsTime>| match d {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => t.timestamp(),
        other => panic!("not a UTC time: {other:?}"),
    };
    cal.components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some((
                e.get_uid().unwrap_or_default().to_string(),
                e.get_summary().unwrap_or_default().to_string(),
                e.get_description().unwrap_or_default().to_string(),
                e.get_location().unwrap_or_default().to_string(),
                utc(e.get_start()),
                utc(e.get_end()),
            )),
            _ => None,
        })
        .collect()
}

fn calendar_headers(h: &reqwest::header::HeaderMap) {
    assert_eq!(h["content-type"], "text/calendar; charset=utf-8");
    assert!(h["cache-control"].to_str().unwrap().starts_with("private"), "{h:?}");
}

fn user_id(s: &Server, who: &Cred) -> String {
    call(s, who, "GET", "/api/v1/me", None, &[]).body["id"].as_str().unwrap().to_string()
}

/// Every route and refusal through one protocol.
fn scenario(s: &Server, c: &Community) {
    let p = |who: &Cred, m: &str, path: &str, b: Value| call(s, who, m, path, Some(&b), &[]);
    let g = |who: &Cred, path: &str| call(s, who, "GET", path, None, &[]);
    let put = |who: &Cred, path: &str| call(s, who, "PUT", path, None, &[]);
    let del = |who: &Cred, path: &str| call(s, who, "DELETE", path, None, &[]);

    // Alice's open group (bob, carol and dave join) and her closed board.
    let garden = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Gardeners"})).id();
    for who in [&c.bob, &c.carol, &c.dave] {
        assert_eq!(put(who, &format!("/api/v1/groups/{garden}/members/me")).status, 201);
    }
    let board = p(&c.alice, "POST", "/api/v1/groups", json!({"name": "Board", "membership": "closed"})).id();

    // Creating: the fields, checked together.
    let (start, end) = (at(48), at(50));
    let swap = json!({
        "group": garden, "title": "Seed swap", "start": start, "end": end, "capacity": 2,
        "description": "Bring seeds; envelopes, labels.\nAnd \\ jars.", "location": "Hall, Mill St; door 2",
    });
    let r = p(&c.alice, "POST", "/api/v1/events", swap);
    assert_eq!(r.status, 201, "{r:?}");
    let swap = r.id();
    assert!(r.location.as_deref().unwrap().ends_with(&format!("/api/v1/events/{swap}")));
    assert_eq!(r.etag.as_deref(), Some("\"r1\""));
    assert_eq!((r.body["access"].as_str(), r.body["capacity"].as_u64()), (Some("group"), Some(2)));
    assert_eq!((r.body["enrolled_count"].as_u64(), r.body["enrolled_by_me"].as_bool()), (Some(0), Some(false)));
    assert_eq!(unix(r.body["start"].as_str().unwrap()), unix(&start));
    assert!(r.body["start"].as_str().unwrap().ends_with('Z'), "UTC out: {r:?}");
    let bad = [
        (json!({"start": start, "end": end}), vec!["title"]),
        (json!({"title": "x", "start": end, "end": start}), vec!["end"]),
        (json!({"title": "x", "start": start, "end": start}), vec!["end"]),
        (json!({"title": "x", "start": "2026-12-05T18:00:00", "end": end}), vec!["start"]),
        (
            json!({"title": "x", "start": "+999999-01-01T00:00:00Z", "end": "99999-01-01T00:00:00Z"}),
            vec!["start", "end"],
        ),
        (json!({"title": "bell\u{7}", "start": start, "end": end, "location": "a\nb"}), vec!["title", "location"]),
        (json!({"title": "x", "start": start, "end": end, "access": "group"}), vec!["access"]),
        (json!({"title": "x", "start": start, "end": end, "capacity": 1_000_001}), vec!["capacity"]),
        (json!({"title": "x", "start": start, "end": end, "colour": "red"}), vec!["body"]),
        (json!({"title": "x", "start": 5, "end": end}), vec!["body"]),
    ];
    for (body, expected) in bad {
        let r = p(&c.alice, "POST", "/api/v1/events", body.clone());
        assert_eq!((r.status, r.content_type.as_str()), (422, "application/problem+json"), "{body}: {r:?}");
        assert_eq!(fields(&r), expected, "{body}: {r:?}");
    }
    // Only members organise in a group; an application on its own writes nothing.
    let board_event = json!({"group": board, "title": "Budget", "start": at(30), "end": at(31)});
    assert_eq!(p(&c.bob, "POST", "/api/v1/events", board_event.clone()).status, 403);
    assert_eq!(p(&c.app, "POST", "/api/v1/events", board_event.clone()).status, 403);
    assert_eq!(p(&c.narrow, "POST", "/api/v1/events", board_event.clone()).status, 403);
    let budget = p(&c.alice, "POST", "/api/v1/events", board_event).id();
    let fair = p(
        &c.bob,
        "POST",
        "/api/v1/events",
        json!({"title": "Fair", "start": at(24), "end": at(26), "access": "public"}),
    );
    assert_eq!((fair.status, fair.body["group"].clone()), (201, Value::Null), "{fair:?}");
    let fair = fair.id();
    let past = p(
        &c.alice,
        "POST",
        "/api/v1/events",
        json!({"group": garden, "title": "Last week", "start": at(-170), "end": at(-168)}),
    )
    .id();

    // Who sees what: the board's event is nobody else's business.
    assert_eq!(g(&c.alice, &format!("/api/v1/events/{budget}")).status, 200);
    let hidden = g(&c.bob, &format!("/api/v1/events/{budget}"));
    assert_eq!((hidden.status, hidden.content_type.as_str()), (404, "application/problem+json"));
    assert_eq!(g(&c.app, &format!("/api/v1/events/{swap}")).status, 404, "group access: not for the application");
    assert_eq!(g(&c.app, &format!("/api/v1/events/{fair}")).status, 200, "public: for the application too");
    assert_eq!(g(&c.narrow, &format!("/api/v1/events/{fair}")).status, 403, "events:read is needed");
    assert_eq!(g(&c.bob, "/api/v1/events/999999").status, 404);
    assert_eq!(g(&c.bob, "/api/v1/events/x").status, 404);

    // The list: upcoming by start time, then by group, dates, pages.
    assert_eq!(
        ids(&g(&c.bob, "/api/v1/events")),
        [fair.clone(), swap.clone()],
        "by start, not the board's, not the past"
    );
    assert_eq!(ids(&g(&c.alice, "/api/v1/events")), [fair.clone(), budget.clone(), swap.clone()]);
    assert_eq!(ids(&g(&c.app, "/api/v1/events")), std::slice::from_ref(&fair));
    assert_eq!(ids(&g(&c.bob, &format!("/api/v1/events?group={garden}"))), std::slice::from_ref(&swap));
    let from = url::form_urlencoded::byte_serialize(at(-200).as_bytes()).collect::<String>();
    let to = url::form_urlencoded::byte_serialize(at(25).as_bytes()).collect::<String>();
    assert_eq!(ids(&g(&c.bob, &format!("/api/v1/events?from={from}&to={to}"))), [past.clone(), fair.clone()]);
    assert_eq!(
        g(&c.bob, &format!("/api/v1/events?group={board}")).status,
        200,
        "a closed group is listed, its events are not"
    );
    assert!(ids(&g(&c.bob, &format!("/api/v1/events?group={board}"))).is_empty());
    assert_eq!(fields(&g(&c.bob, "/api/v1/events?from=yesterday")), ["from"]);
    assert_eq!(fields(&g(&c.bob, "/api/v1/events?cursor=AAAA")), ["cursor"]);
    let mut seen = vec![];
    let mut path = format!("/api/v1/events?from={from}&limit=1");
    loop {
        let r = g(&c.alice, &path);
        assert_eq!(r.status, 200, "{r:?}");
        seen.extend(ids(&r));
        match r.body["next_cursor"].as_str() {
            Some(n) => path = format!("/api/v1/events?from={from}&limit=1&cursor={n}"),
            None => break,
        }
    }
    assert_eq!(seen, [past.clone(), fair.clone(), budget.clone(), swap.clone()]);

    // Enrolling: idempotent, then full, then begun.
    let me = |e: &str| format!("/api/v1/events/{e}/enrollments/me");
    let r = put(&c.bob, &me(&swap));
    assert_eq!((r.status, r.body["user"].as_str()), (201, Some(user_id(s, &c.bob).as_str())), "{r:?}");
    assert_eq!(put(&c.bob, &me(&swap)).status, 200, "again: unchanged");
    assert_eq!(put(&c.carol, &me(&swap)).status, 201);
    let full = put(&c.dave, &me(&swap));
    assert_eq!((full.status, full.body["type"].as_str()), (409, Some("tag:latchkey,2026:event-full")), "{full:?}");
    assert_eq!(put(&c.bob, &me(&swap)).status, 200, "already in: still fine when full");
    let v = g(&c.bob, &format!("/api/v1/events/{swap}"));
    assert_eq!((v.body["enrolled_count"].as_u64(), v.body["enrolled_by_me"].as_bool()), (Some(2), Some(true)));
    assert_eq!(g(&c.dave, &format!("/api/v1/events/{swap}")).body["enrolled_by_me"], false);
    let begun = put(&c.bob, &me(&past));
    assert_eq!(
        (begun.status, begun.body["type"].as_str()),
        (409, Some("tag:latchkey,2026:event-started")),
        "{begun:?}"
    );
    assert_eq!(put(&c.bob, &me(&budget)).status, 404, "cannot enroll in what one cannot see");
    assert_eq!(put(&c.app, &me(&fair)).status, 403, "an application is nobody to enroll");
    assert_eq!(put(&c.narrow, &me(&fair)).status, 403);
    assert_eq!(put(&c.dave, &me(&fair)).status, 201, "a site-wide public event");
    // The list of enrollments, as visible as the event.
    let list = g(&c.dave, &format!("/api/v1/events/{swap}/enrollments"));
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2), "{list:?}");
    assert_eq!(list.body["items"][0]["event"], swap.as_str());
    let page = g(&c.dave, &format!("/api/v1/events/{swap}/enrollments?limit=1"));
    let next = page.body["next_cursor"].as_str().unwrap().to_string();
    let rest = g(&c.dave, &format!("/api/v1/events/{swap}/enrollments?limit=1&cursor={next}"));
    assert_eq!((rest.body["items"].as_array().map(Vec::len), rest.body["next_cursor"].clone()), (Some(1), Value::Null));
    assert_eq!(g(&c.app, &format!("/api/v1/events/{swap}/enrollments")).status, 404);
    assert_eq!(g(&c.bob, &format!("/api/v1/events/{budget}/enrollments")).status, 404);
    // Leaving: only oneself (there is no address for another member's
    // enrollment), idempotent, and it frees the place.
    let carol_id = user_id(s, &c.carol);
    assert_eq!(del(&c.bob, &format!("/api/v1/events/{swap}/enrollments/{carol_id}")).status, 404);
    assert_eq!(del(&c.bob, &me(&swap)).status, 204);
    assert_eq!(del(&c.bob, &me(&swap)).status, 204);
    assert_eq!(del(&c.bob, &me(&past)).status, 204, "never enrolled: nothing to do");
    assert_eq!(put(&c.dave, &me(&swap)).status, 201);
    assert_eq!(g(&c.alice, &format!("/api/v1/events/{swap}")).body["enrolled_count"], 2);

    // Changing: the organiser or a group admin, If-Match honoured.
    let v = g(&c.alice, &format!("/api/v1/events/{swap}"));
    let tag = v.etag.clone().unwrap();
    assert_eq!(p(&c.bob, "PATCH", &format!("/api/v1/events/{swap}"), json!({"title": "Mine"})).status, 403);
    let r = call(
        s,
        &c.alice,
        "PATCH",
        &format!("/api/v1/events/{swap}"),
        Some(&json!({"title": "Seed swap!"})),
        &[("if-match", "\"r999\"")],
    );
    assert_eq!(r.status, 412, "{r:?}");
    let r = call(
        s,
        &c.alice,
        "PATCH",
        &format!("/api/v1/events/{swap}"),
        Some(&json!({"title": "Seed and plant swap"})),
        &[("if-match", &tag)],
    );
    assert_eq!(
        (r.status, r.etag.as_deref(), r.body["title"].as_str()),
        (200, Some("\"r2\""), Some("Seed and plant swap")),
        "{r:?}"
    );
    assert_eq!(
        fields(&p(&c.alice, "PATCH", &format!("/api/v1/events/{swap}"), json!({"capacity": 1}))),
        ["capacity"],
        "below those enrolled"
    );
    assert_eq!(fields(&p(&c.alice, "PATCH", &format!("/api/v1/events/{swap}"), json!({"end": start}))), ["end"]);
    assert_eq!(fields(&p(&c.alice, "PATCH", &format!("/api/v1/events/{swap}"), json!({"group": board}))), ["group"]);
    let r = p(&c.alice, "PATCH", &format!("/api/v1/events/{swap}"), json!({"capacity": 0}));
    assert_eq!((r.status, r.body["capacity"].clone()), (200, Value::Null), "0: no limit");
    assert_eq!(put(&c.bob, &me(&swap)).status, 201);

    // Calendars: one event as iCalendar, read by a real parser.
    let (status, h, doc) = text(s, Some(&c.bob), &format!("/api/v1/events/{swap}.ics"));
    assert_eq!(status, 200, "{doc}");
    calendar_headers(&h);
    let evs = parse_ics(&doc);
    assert_eq!(evs.len(), 1, "{doc}");
    let (uid, summary, description, location, dtstart, dtend) = &evs[0];
    assert_eq!(uid, &format!("event-{swap}@localhost"));
    assert_eq!(summary, "Seed and plant swap");
    assert_eq!(description, "Bring seeds; envelopes, labels.\nAnd \\ jars.");
    assert_eq!(location, "Hall, Mill St; door 2");
    assert_eq!((*dtstart, *dtend), (unix(&start), unix(&end)));
    assert!(doc.split("\r\n").all(|l| l.len() <= 75) && doc.ends_with("END:VCALENDAR\r\n"), "{doc}");
    assert_eq!(text(s, Some(&c.bob), &format!("/api/v1/events/{budget}.ics")).0, 404);
    assert_eq!(text(s, Some(&c.narrow), &format!("/api/v1/events/{fair}.ics")).0, 403);
    assert_eq!(text(s, None, &format!("/api/v1/events/{fair}.ics")).0, 401);
    assert_eq!(text(s, Some(&c.app), &format!("/api/v1/events/{fair}.ics")).0, 200);

    // The group's river tells of the event and of who came and went.
    let river = g(&c.carol, &format!("/api/v1/groups/{garden}/activity?limit=100"));
    let kinds: Vec<&str> = river.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["event"] == swap.as_str())
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["enrolled", "enrolled", "unenrolled", "enrolled", "enrolled", "event_created"], "{river:?}");

    // Deleting: the organiser or a group admin; the enrollments go with it.
    assert_eq!(del(&c.bob, &format!("/api/v1/events/{swap}")).status, 403);
    let r = call(s, &c.alice, "DELETE", &format!("/api/v1/events/{swap}"), None, &[("if-match", "\"r1\"")]);
    assert_eq!(r.status, 412);
    assert_eq!(del(&c.alice, &format!("/api/v1/events/{swap}")).status, 204);
    assert_eq!(g(&c.alice, &format!("/api/v1/events/{swap}")).status, 404);
    assert_eq!(g(&c.alice, &format!("/api/v1/events/{swap}/enrollments")).status, 404);
    assert_eq!(put(&c.bob, &me(&swap)).status, 404);
    let river = g(&c.carol, &format!("/api/v1/groups/{garden}/activity?limit=100"));
    assert!(river.body["items"].as_array().unwrap().iter().all(|a| a["event"] != swap.as_str()), "{river:?}");
    // Deleting a group takes its events along.
    assert_eq!(del(&c.alice, &format!("/api/v1/groups/{board}")).status, 204);
    assert_eq!(g(&c.alice, &format!("/api/v1/events/{budget}")).status, 404);
}

#[test]
fn events_through_bearer_tokens() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth2_community(&s);
    scenario(&s, &c);
}

#[test]
fn events_through_oauth1_signatures() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth1_community(&s);
    scenario(&s, &c);
}

/// Many members enroll at the same moment in an event with few places:
/// exactly as many get in as there are places, the rest hear it is full.
#[test]
fn capacity_holds_under_concurrent_enrollments() {
    let s = Server::start_with(FAST_HASH);
    let names: Vec<String> = (0..12).map(|i| format!("m{i}")).collect();
    for n in &names {
        add_member(&s, n);
    }
    let (id, secret) = register(&s, &["--name", "Rush", "--grant", "password", "--scope", "read", "--scope", "write"]);
    let secret = secret.unwrap();
    let creds: Vec<Cred> = names.iter().map(|n| Cred::Bearer(password_token(&s, &id, &secret, n))).collect();
    let e = call(
        &s,
        &creds[0],
        "POST",
        "/api/v1/events",
        Some(&json!({"title": "Tiny", "start": at(5), "end": at(6), "capacity": 3})),
        &[],
    );
    assert_eq!(e.status, 201, "{e:?}");
    let path = format!("/api/v1/events/{}/enrollments/me", e.id());
    let statuses: Vec<(u16, Value)> = std::thread::scope(|t| {
        let handles: Vec<_> = creds
            .iter()
            .map(|c| {
                t.spawn(|| {
                    let r = call(&s, c, "PUT", &path, None, &[]);
                    (r.status, r.body["type"].clone())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|(st, _)| *st == 201).count(), 3, "{statuses:?}");
    assert!(
        statuses.iter().filter(|(st, _)| *st != 201).all(|(st, ty)| *st == 409 && ty == "tag:latchkey,2026:event-full"),
        "{statuses:?}"
    );
    let v = call(&s, &creds[0], "GET", &format!("/api/v1/events/{}", e.id()), None, &[]);
    assert_eq!(v.body["enrolled_count"], 3);
    let list = call(&s, &creds[0], "GET", &format!("/api/v1/events/{}/enrollments", e.id()), None, &[]);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(3));
    // A deleted member's enrollments go with them.
    for n in &names[1..] {
        assert!(s.cli(&["user", "delete", n], None).status.success(), "{n}");
    }
    let v = call(&s, &creds[0], "GET", &format!("/api/v1/events/{}", e.id()), None, &[]);
    let first_in = u64::from(statuses[0].0 == 201);
    assert_eq!(v.body["enrolled_count"], first_in, "{v:?}");
}

/// The path of a URL on this server.
fn path_of(s: &Server, url: &str) -> String {
    url.strip_prefix(&s.url("")).unwrap_or_else(|| panic!("{url} is not on {}", s.url(""))).to_string()
}

/// The private feed: made on `/account`, its URL on `GET /me` (with
/// `events:read` only), read without OAuth, replaced, revoked on the
/// Applications page; a disabled member's feed is gone.
#[test]
fn the_calendar_feed_is_private_replaceable_and_revocable() {
    let s = Server::start_with(FAST_HASH);
    add_members(&s);
    let c = oauth2_community(&s);
    let (pid, psecret) = register(&s, &["--name", "Profile only", "--grant", "password", "--scope", "profile"]);
    let profile_only = Cred::Bearer(password_token(&s, &pid, &psecret.unwrap(), "bob"));
    let p = |who: &Cred, m: &str, path: &str, b: Value| call(&s, who, m, path, Some(&b), &[]);
    let mine = p(
        &c.bob,
        "POST",
        "/api/v1/events",
        json!({"title": "Choir, \"Messiah\"", "start": at(3), "end": at(5), "access": "public"}),
    )
    .id();
    let theirs =
        p(&c.alice, "POST", "/api/v1/events", json!({"title": "Not bob's", "start": at(4), "end": at(5)})).id();
    let private = p(
        &c.alice,
        "POST",
        "/api/v1/events",
        json!({"title": "Alice alone", "start": at(4), "end": at(6), "access": "private"}),
    )
    .id();
    assert_eq!(call(&s, &c.bob, "PUT", &format!("/api/v1/events/{mine}/enrollments/me"), None, &[]).status, 201);
    assert_eq!(call(&s, &c.bob, "PUT", &format!("/api/v1/events/{private}/enrollments/me"), None, &[]).status, 404);
    assert_eq!(call(&s, &c.alice, "PUT", &format!("/api/v1/events/{theirs}/enrollments/me"), None, &[]).status, 201);

    // No feed yet.
    let me = call(&s, &c.bob, "GET", "/api/v1/me", None, &[]);
    assert_eq!(me.body["calendar_url"], Value::Null, "{me:?}");
    assert!(call(&s, &profile_only, "GET", "/api/v1/me", None, &[]).body.get("calendar_url").is_none());
    let browser = signed_in(&s, "bob");
    let page = browser.get(s.url("/account")).send().unwrap().text().unwrap();
    assert!(page.contains("You have no calendar feed link yet."), "{page}");
    let make = |b: &reqwest::blocking::Client, page: &str, path: &str| {
        let r = b.post(s.url(path)).form(&[("csrf", csrf(page))]).send().unwrap();
        assert_eq!(r.status(), 303, "{path}");
        location(&r)
    };
    assert_eq!(browser.post(s.url("/account/calendar")).form(&[("csrf", "forged")]).send().unwrap().status(), 403);
    make(&browser, &page, "/account/calendar");

    // The URL is on /me and on /account; it needs no other credential.
    let url = call(&s, &c.bob, "GET", "/api/v1/me", None, &[]).body["calendar_url"].as_str().unwrap().to_string();
    let path = path_of(&s, &url);
    assert!(path.starts_with("/api/v1/me/calendar.ics?token="), "{url}");
    let page = browser.get(s.url("/account")).send().unwrap().text().unwrap();
    assert!(page.contains(path.split("token=").nth(1).unwrap()), "{page}");
    assert!(
        call(&s, &profile_only, "GET", "/api/v1/me", None, &[]).body.get("calendar_url").is_none(),
        "not without events:read"
    );
    let (status, h, doc) = text(&s, None, &path);
    assert_eq!(status, 200, "{doc}");
    calendar_headers(&h);
    let evs = parse_ics(&doc);
    assert_eq!(evs.iter().map(|e| e.0.clone()).collect::<Vec<_>>(), [format!("event-{mine}@localhost")], "{doc}");
    assert_eq!(evs[0].1, "Choir, \"Messiah\"");
    // The feed follows enrollments.
    assert_eq!(call(&s, &c.bob, "PUT", &format!("/api/v1/events/{theirs}/enrollments/me"), None, &[]).status, 201);
    assert_eq!(parse_ics(&text(&s, None, &path).2).len(), 2);

    // Bad, missing or another's token: the same 404, whatever the reason.
    for bad in ["/api/v1/me/calendar.ics?token=nope", "/api/v1/me/calendar.ics", "/api/v1/me/calendar.ics?token="] {
        let (status, h, body) = text(&s, None, bad);
        assert_eq!((status, h["content-type"].to_str().unwrap()), (404, "application/problem+json"), "{bad}: {body}");
    }
    let (_, _, gone_body) = text(&s, None, "/api/v1/me/calendar.ics?token=nope");

    // A new link stops the old one. A client revalidating `GET /me` with
    // the ETag it had still gets the new `calendar_url` (the profile's
    // revision does not move with the link), never a stale 304.
    let before = call(&s, &c.bob, "GET", "/api/v1/me", None, &[]);
    let tag = before.etag.clone().expect("GET /me has an ETag");
    let page = browser.get(s.url("/account")).send().unwrap().text().unwrap();
    assert!(page.contains("Make a new link"), "{page}");
    let after = make(&browser, &page, "/account/calendar");
    let after = if after.starts_with("https://") { after } else { s.url(&after) };
    assert!(browser.get(after).send().unwrap().text().unwrap().contains("the old one no longer works"));
    let (status, _, body) = text(&s, None, &path);
    assert_eq!((status, body.clone()), (404, gone_body.clone()), "replaced: like any unknown token");
    let revalidated = call(&s, &c.bob, "GET", "/api/v1/me", None, &[("If-None-Match", &tag)]);
    assert_eq!(revalidated.status, 200, "no 304 while the answer carries calendar_url");
    assert_eq!(revalidated.etag.as_deref(), Some(tag.as_str()), "the profile itself did not change");
    let url2 = revalidated.body["calendar_url"].as_str().unwrap().to_string();
    assert_ne!(url2, url);
    let path2 = path_of(&s, &url2);
    assert_eq!(text(&s, None, &path2).0, 200);

    // The Applications page lists it and revokes it.
    let apps = browser.get(s.url("/account/applications")).send().unwrap().text().unwrap();
    assert!(apps.contains("Calendar feed"), "{apps}");
    make(&browser, &apps, "/account/calendar/revoke");
    assert_eq!(text(&s, None, &path2).0, 404);
    assert_eq!(call(&s, &c.bob, "GET", "/api/v1/me", None, &[]).body["calendar_url"], Value::Null);
    let apps = browser.get(s.url("/account/applications")).send().unwrap().text().unwrap();
    assert!(!apps.contains("Calendar feed"), "{apps}");

    // A disabled member's feed answers like any unknown one.
    let page = browser.get(s.url("/account")).send().unwrap().text().unwrap();
    make(&browser, &page, "/account/calendar");
    let url3 = call(&s, &c.bob, "GET", "/api/v1/me", None, &[]).body["calendar_url"].as_str().unwrap().to_string();
    let path3 = path_of(&s, &url3);
    assert_eq!(text(&s, None, &path3).0, 200);
    assert!(s.cli(&["user", "disable", "bob"], None).status.success());
    let (status, _, body) = text(&s, None, &path3);
    assert_eq!((status, body), (404, gone_body));
}
