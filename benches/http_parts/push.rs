//! Push fan-out (issue 13, item 6), on a server of its own: one post to a
//! group of 10,000 members, each with one Web Push subscription, against a
//! push service on loopback inside the benchmark (it answers 201 to every
//! request and notes when each came). Reports the time from the post's 201
//! to the last delivery, deliveries per second, and the post's own latency
//! beside the same post in a group of 10: it must not grow with the group.
//!
//! The members, memberships and subscriptions are written straight into
//! the store before the server starts (10,000 sign-ups through the CLI
//! would take minutes); the poster is made by the CLI, with a password.

use super::*;
use latchkey::ids::{ClientId, GroupId, SubscriptionId, UserId};
use latchkey::store::Store;
use latchkey::store::push::{Service, Subscription};
use latchkey::store::social::Access;
use latchkey::store::social::groups::{self, Group, Joining, Membership, Role, State};
use latchkey::store::users::{self, User};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const BIG: usize = 10_000;
const SMALL: usize = 10;
/// Posts timed in each group for the post's own latency.
const SAMPLES: usize = 20;

/// A fixed browser key: every subscription may share it, the service
/// here does not decrypt.
fn browser_key() -> Vec<u8> {
    p256::SecretKey::from_slice(&[7u8; 32]).unwrap().public_key().to_sec1_bytes().to_vec()
}

/// The loopback push service: counts requests, notes the last one's time
/// (µs since `epoch`).
fn push_service(epoch: Instant) -> (u16, Arc<AtomicU64>, Arc<AtomicU64>) {
    let port = free_port();
    let (count, last) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (c, l) = (count.clone(), last.clone());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            actix_web::HttpServer::new(move || {
                let (c, l) = (c.clone(), l.clone());
                actix_web::App::new().default_service(actix_web::web::to(move || {
                    let (c, l) = (c.clone(), l.clone());
                    async move {
                        c.fetch_add(1, Ordering::SeqCst);
                        l.fetch_max(epoch.elapsed().as_micros() as u64, Ordering::SeqCst);
                        actix_web::HttpResponse::Created().finish()
                    }
                }))
            })
            .bind(("127.0.0.1", port))
            .unwrap()
            .run()
            .await
            .unwrap()
        })
    });
    (port, count, last)
}

/// Writes `n` members into a new group with `poster` as its admin, each
/// member with one subscription at the push service; the group's id.
fn seed(store: &Store, poster: UserId, n: usize, tag: &str, port: u16) -> GroupId {
    let tag = tag.to_string();
    let key = browser_key();
    store
        .write_blocking(move |tx| {
            let g = groups::insert(
                tx,
                Group {
                    id: GroupId(0),
                    name: format!("Group {tag}"),
                    description: String::new(),
                    membership: Joining::Open,
                    access: Access::Public,
                    created_by: poster,
                    created_at: 0,
                    updated_at: 0,
                    hidden: false,
                    revision: 0,
                },
            )?;
            let admin = Membership {
                group: g.id,
                user: poster,
                role: Role::Admin,
                state: State::Member,
                joined_at: 0,
                read_mark: 0,
            };
            groups::put_membership(tx, &admin)?;
            for i in 0..n {
                let u = users::insert(
                    tx,
                    User {
                        id: UserId(0),
                        username: format!("{tag}{i:05}"),
                        display_name: format!("Member {i}"),
                        email: String::new(),
                        password_hash: String::new(),
                        admin: false,
                        disabled: false,
                        created_at: 0,
                        password_changed_at: 0,
                        revision: 0,
                        bio: String::new(),
                        avatar: None,
                    },
                )?;
                let m = Membership { user: u.id, role: Role::Member, ..admin };
                groups::put_membership(tx, &m)?;
                latchkey::store::push::put(
                    tx,
                    Subscription {
                        id: SubscriptionId(0),
                        user: u.id,
                        client: ClientId(1),
                        service: Service::WebPush,
                        address: format!("http://127.0.0.1:{port}/push/{tag}/{i}"),
                        p256dh: key.clone(),
                        auth: vec![1; 16],
                        sandbox: false,
                        created_at: 0,
                        updated_at: 0,
                    },
                )?;
            }
            let mut counts = groups::counts(tx, g.id)?;
            counts.members = n as u64 + 1;
            groups::put_counts(tx, g.id, &counts)?;
            Ok::<_, latchkey::store::StoreError>(g.id)
        })
        .unwrap()
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The rows (the post's latency in each group) and the notes (fan-out time
/// and rate).
pub fn run(root: &Path) -> (Vec<Row>, Vec<String>) {
    let dir = root.join("push");
    std::fs::create_dir_all(&dir).unwrap();
    cli(&dir, &["user", "add", "poster", "--password-stdin"], Some(PASSWORD));
    let c = cli(
        &dir,
        &["client", "add", "--json", "--name", "push", "--grant", "password", "--scope", "read", "--scope", "write"],
        None,
    );
    let (id, secret) = (c["client_id"].as_str().unwrap().to_string(), c["client_secret"].as_str().unwrap().to_string());
    let epoch = Instant::now();
    let (push_port, delivered, last) = push_service(epoch);
    let (big, small) = {
        let store = Store::open(&dir.join("latchkey.redb")).unwrap();
        let poster = store.read(|tx| users::by_name(tx, "poster")).unwrap().unwrap().id;
        (seed(&store, poster, BIG, "big", push_port), seed(&store, poster, SMALL, "small", push_port))
    };
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_latchkey"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["serve", "--https", &format!("127.0.0.1:{port}")])
        .env_remove("LATCHKEY_BENCH_SECS")
        .env_remove("LATCHKEY_BENCH_CONNS")
        .env_remove("LATCHKEY_BENCH_GENERATOR")
        .env_remove("LATCHKEY_BENCH_ONLY")
        .env("LATCHKEY_ARGON2_MEMORY_KIB", "8192")
        .env("LATCHKEY_ARGON2_ITERATIONS", "1")
        .env("LATCHKEY_API_WRITES_PER_MEMBER_PER_MINUTE", "1000000")
        .env("LATCHKEY_OUTBOUND_ALLOW_PRIVATE", "true")
        .env("LATCHKEY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "the push server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ca = std::fs::read(dir.join("tls/ca.pem")).unwrap();
    let base = format!("https://localhost:{port}");
    let url = move |p: &str| format!("{base}{p}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let out = rt.block_on(async {
        let http = http_client(&ca);
        let form = [("grant_type", "password"), ("username", "poster"), ("password", PASSWORD)];
        let v: serde_json::Value = http
            .post(url("/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = v["access_token"].as_str().unwrap().to_string();
        let post = |group: GroupId, i: usize| {
            let body = serde_json::json!({"group": group.to_string(), "body": format!("news {i}")});
            http.post(url("/api/v1/posts")).bearer_auth(&token).json(&body)
        };
        // Let the seeding's quiet settle: nothing is in the outbox yet.
        let wait_for = |want: u64, limit: Duration| {
            let delivered = delivered.clone();
            async move {
                let t = Instant::now();
                while delivered.load(Ordering::SeqCst) < want {
                    assert!(t.elapsed() < limit, "only {} of {want} delivered", delivered.load(Ordering::SeqCst));
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        };
        // One post to the big group: its 201, then every delivery.
        let before = delivered.load(Ordering::SeqCst);
        let t0 = Instant::now();
        let r = post(big, 0).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let answered = epoch.elapsed().as_micros() as u64;
        let post_big_first = t0.elapsed().as_micros() as u64;
        wait_for(before + BIG as u64, Duration::from_secs(600)).await;
        let fan_out_us = last.load(Ordering::SeqCst).saturating_sub(answered);
        let rate = BIG as f64 / (fan_out_us as f64 / 1e6);
        // The post's own latency, each group in turn, once the worker is idle.
        let mut rows = vec![];
        for (name, group, members) in [
            ("POST /api/v1/posts, group of 10,000 (push)", big, BIG),
            ("POST /api/v1/posts, group of 10 (push)", small, SMALL),
        ] {
            let mut lat = vec![];
            for i in 1..=SAMPLES {
                let before = delivered.load(Ordering::SeqCst);
                let t = Instant::now();
                let r = post(group, i).send().await.unwrap();
                lat.push(t.elapsed().as_micros() as u64);
                assert_eq!(r.status().as_u16(), 201);
                wait_for(before + members as u64, Duration::from_secs(600)).await;
            }
            let secs = lat.iter().sum::<u64>() as f64 / 1e6;
            let p50 = median(lat.clone());
            let p99 = *lat.iter().max().unwrap_or(&0);
            rows.push(Row { name, ok: SAMPLES as u64, failed: 0, secs, p50_us: p50, p99_us: p99 });
        }
        let notes = vec![
            format!(
                "push fan-out, one post to {BIG} members: last delivery {:.2} s after the post's 201 ({rate:.0} deliveries/s); that post took {:.1} ms",
                fan_out_us as f64 / 1e6,
                post_big_first as f64 / 1000.0
            ),
            "push: the two POST rows are one post at a time, waiting for its fan-out in between (p99 column: the slowest)".to_string(),
        ];
        (rows, notes)
    });
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let _ = server.wait();
    out
}
