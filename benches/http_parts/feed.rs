//! The news feed under load, on a server of its own: a member with 200
//! friends (each with posts of their own) and 20 groups (each with posts,
//! and activity: friends joining, commenting, an event and enrolments)
//! reads `GET /api/v1/me/feed`, 20 items a page (posts and activity
//! merged), with every access check on. The row stands beside the same
//! run's bare actix handler.

use super::*;

const FRIENDS: usize = 200;
const GROUPS: usize = 20;
const POSTS_PER_FRIEND: usize = 5;
const POSTS_PER_GROUP: usize = 50;
/// Friends who join each group, comment on its posts and enrol in its event.
const JOINERS_PER_GROUP: usize = 5;
const COMMENTS_PER_JOINER: usize = 4;

pub const NAME: &str = "GET /api/v1/me/feed (20 items)";

pub fn run(conns: usize, secs: u64, root: &Path, use_wrk: bool) -> Vec<Row> {
    let dir = root.join("feed");
    std::fs::create_dir_all(&dir).unwrap();
    let names: Vec<String> =
        std::iter::once("reader".to_string()).chain((0..FRIENDS).map(|i| format!("friend{i:03}"))).collect();
    for n in &names {
        cli(&dir, &["user", "add", n, "--password-stdin"], Some(PASSWORD));
    }
    let c = cli(
        &dir,
        &["client", "add", "--json", "--name", "feed", "--grant", "password", "--scope", "read", "--scope", "write"],
        None,
    );
    let (id, secret) = (c["client_id"].as_str().unwrap().to_string(), c["client_secret"].as_str().unwrap().to_string());
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
        // Two hundred and one members sign in from this one address.
        .env("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "100000")
        .env("LATCHKEY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "the feed server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let ca = std::fs::read(dir.join("tls/ca.pem")).unwrap();
    let base = format!("https://localhost:{port}");
    let url = move |p: &str| format!("{base}{p}");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let rows = rt.block_on(async {
        let http = http_client(&ca);
        let send = |r: reqwest::RequestBuilder, status: u16| async move {
            let r = r.send().await.unwrap();
            assert_eq!(r.status().as_u16(), status, "{:?}", r.url().clone());
            r.json::<serde_json::Value>().await.unwrap_or_default()
        };
        let mut tokens = vec![];
        let mut ids = vec![];
        for n in &names {
            let form = [("grant_type", "password"), ("username", n.as_str()), ("password", PASSWORD)];
            let v = send(http.post(url("/oauth2/token")).basic_auth(&id, Some(&secret)).form(&form), 200).await;
            let token = v["access_token"].as_str().unwrap().to_string();
            let me = send(http.get(url("/api/v1/me")).bearer_auth(&token), 200).await;
            ids.push(me["id"].as_str().unwrap().to_string());
            tokens.push(token);
        }
        let reader = tokens[0].clone();
        let post =
            |token: &str, body: serde_json::Value| http.post(url("/api/v1/posts")).bearer_auth(token).json(&body);
        for i in 1..names.len() {
            let ask = http.put(url(&format!("/api/v1/users/{}/friend", ids[i]))).bearer_auth(&reader);
            assert_eq!(send(ask, 200).await["state"], "requested");
            let accept = http.put(url(&format!("/api/v1/users/{}/friend", ids[0]))).bearer_auth(&tokens[i]);
            assert_eq!(send(accept, 200).await["state"], "friends");
            for k in 0..POSTS_PER_FRIEND {
                let access = if k % 2 == 0 { "friends" } else { "members" };
                send(post(&tokens[i], serde_json::json!({"body": format!("news {k}"), "access": access})), 201).await;
            }
        }
        let mut groups = vec![];
        for g in 0..GROUPS {
            let b = serde_json::json!({"name": format!("Group {g}")});
            let group = send(http.post(url("/api/v1/groups")).bearer_auth(&reader).json(&b), 201).await;
            let group = group["id"].as_str().unwrap().to_string();
            let mut posts = vec![];
            for k in 0..POSTS_PER_GROUP {
                let p =
                    send(post(&reader, serde_json::json!({"group": group, "body": format!("group post {k}")})), 201);
                posts.push(p.await["id"].as_str().unwrap().to_string());
            }
            groups.push((group, posts));
        }
        // The activity comes after the posts (times are whole seconds, and
        // a post sorts before an entry of the same second), as it would.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        for (g, (group, posts)) in groups.iter().enumerate() {
            let ev = serde_json::json!({"group": group, "title": format!("Meeting {g}"),
                "start": "2030-05-01T10:00:00Z", "end": "2030-05-01T12:00:00Z"});
            let ev = send(http.post(url("/api/v1/events")).bearer_auth(&reader).json(&ev), 201).await;
            let ev = ev["id"].as_str().unwrap().to_string();
            for j in 0..JOINERS_PER_GROUP {
                let t = &tokens[1 + (g * JOINERS_PER_GROUP + j) % FRIENDS];
                send(http.put(url(&format!("/api/v1/groups/{group}/members/me"))).bearer_auth(t), 201).await;
                for k in 0..COMMENTS_PER_JOINER {
                    let on = &posts[(j * COMMENTS_PER_JOINER + k) % posts.len()];
                    let b = serde_json::json!({"body": format!("comment {k}")});
                    send(http.post(url(&format!("/api/v1/posts/{on}/comments"))).bearer_auth(t).json(&b), 201).await;
                }
                send(http.put(url(&format!("/api/v1/events/{ev}/enrollments/me"))).bearer_auth(t), 201).await;
            }
        }
        let feed_url = url("/api/v1/me/feed");
        let first = send(http.get(&feed_url).bearer_auth(&reader), 200).await;
        let items = first["items"].as_array().unwrap();
        assert_eq!(items.len(), 20);
        assert!(items.iter().any(|i| i["type"] == "activity"), "the groups' activity is in the feed: {first}");
        if use_wrk {
            let lua = format!("wrk.headers[\"Authorization\"] = \"Bearer {reader}\"\n");
            vec![run_wrk(&Wrk { name: NAME, url: feed_url, lua, thread_per_conn: false }, conns, secs, root)]
        } else {
            vec![
                load(NAME, conns, secs, |_, d| {
                    let (c, u, t) = (http.clone(), feed_url.clone(), reader.clone());
                    async move { repeat(d, || c.get(&u).bearer_auth(&t), |s, b| s == 200 && b.len() > 1000).await }
                })
                .await,
            ]
        }
    });
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let _ = server.wait();
    rows
}
