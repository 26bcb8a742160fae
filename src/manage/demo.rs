//! `latchkey demo`: a small community to try the API on — four members, an
//! open and a closed group, posts with tags, comments, likes and a join
//! request — and a demo application, with the three `curl` commands that
//! get a token and call the API. Everything goes through the same
//! operations the API and the command line use, so the demo data is real
//! data (audited, counted, with activity and unread counts).

use crate::accounts::members::{self, NewMember};
use crate::app::App;
use crate::auth::secrets;
use crate::ids::{GroupId, UserId};
use crate::registry::applications::{self, NewClient};
use crate::social::groups::GroupInput;
use crate::social::posts::PostInput;
use crate::social::{self, SocialError};
use crate::store::audit::Who;
use crate::store::users;
use serde::Serialize;

/// What the demo made, and how to use it.
#[derive(Debug, Serialize)]
pub struct Demo {
    pub members: Vec<String>,
    /// The one password every demo member signs in with.
    pub password: String,
    pub groups: Vec<String>,
    pub posts: usize,
    pub client_id: String,
    pub client_secret: String,
    /// Shell commands: get a token, list groups, read a group's posts.
    pub commands: Vec<String>,
}

const MEMBERS: [(&str, &str); 4] =
    [("ada", "Ada Lovelace"), ("grace", "Grace Hopper"), ("linus", "Linus Pauling"), ("mary", "Mary Somerville")];

fn group(name: &str, description: &str, membership: &str, access: &str) -> GroupInput {
    GroupInput {
        name: Some(name.into()),
        description: Some(description.into()),
        membership: Some(membership.into()),
        access: Some(access.into()),
    }
}

fn post(group: Option<GroupId>, kind: &str, title: &str, body: &str, tags: &[&str], access: &str) -> PostInput {
    PostInput {
        kind: Some(kind.into()),
        group,
        title: (!title.is_empty()).then(|| title.into()),
        body: Some(body.into()),
        tags: Some(tags.iter().map(|t| t.to_string()).collect()),
        access: Some(access.into()),
        ..Default::default()
    }
}

fn fail(e: impl std::fmt::Display) -> String {
    format!("loading the demo failed: {e}")
}

/// Loads the demo community once; a second run refuses, naming why.
pub async fn load(app: &App, who: Who) -> Result<Demo, String> {
    if app.store.read(|tx| users::by_name(tx, MEMBERS[0].0)).map_err(fail)?.is_some() {
        return Err(format!(
            "the demo community is loaded already (the member {} exists); to start over, use a new --data-dir",
            MEMBERS[0].0
        ));
    }
    // Long and random: the demo may run on a server others can reach.
    let password = format!("demo-{}", &secrets::token()[..16]);
    let mut ids = vec![];
    for (username, name) in MEMBERS {
        let new = NewMember {
            username: username.into(),
            display_name: name.into(),
            email: format!("{username}@demo.invalid"),
            password: password.clone(),
            admin: false,
        };
        ids.push(members::create(app, new, who.clone()).await.map_err(fail)?.id);
    }
    let [ada, grace, linus, mary] = [ids[0], ids[1], ids[2], ids[3]];
    let now = app.now();
    let store = &app.store;
    let (garden, club, posts) = social::write(store, move |tx| {
        let g = social::groups::create(
            tx,
            ada,
            &group("Community garden", "Plots, seeds and the watering rota.", "open", "public"),
            now,
        )?
        .group
        .id;
        let c = social::groups::create(
            tx,
            grace,
            &group("Book club", "One book a month; members propose the next.", "closed", "members"),
            now,
        )?
        .group
        .id;
        let join = |user: UserId, g: GroupId| social::groups::put_member(tx, user, g, user, None, now);
        join(grace, g)?;
        join(linus, g)?;
        join(ada, c)?;
        social::groups::put_member(tx, grace, c, ada, None, now)?;
        // Mary asks to join the book club; grace has a request to approve.
        join(mary, c)?;
        let p = |u: UserId, input: PostInput| social::posts::create(tx, u, &input, now).map(|v| v.post.id);
        let swap = p(
            ada,
            post(
                Some(g),
                "article",
                "Seed swap on Saturday",
                "Bring what you saved last autumn.",
                &["seeds", "events"],
                "public",
            ),
        )?;
        let rota = p(grace, post(Some(g), "status", "", "Who can water plot 4 next week?", &["rota"], "group"))?;
        let book = p(
            grace,
            post(Some(c), "article", "Next: The Left Hand of Darkness", "We meet on the 12th.", &["books"], "group"),
        )?;
        let hello = p(linus, post(None, "status", "", "Hello everyone! New here.", &["hello"], "members"))?;
        let c1 = social::comments::create(tx, linus, swap, "I have too many tomato seeds.", None, now)?;
        social::comments::create(tx, ada, swap, "Perfect, bring them!", Some(c1.id), now)?;
        social::comments::create(tx, ada, rota, "I can on Tuesday.", None, now)?;
        social::comments::create(tx, ada, book, "Finished it already.", None, now)?;
        for (u, p) in [(grace, swap), (linus, swap), (ada, hello), (ada, book)] {
            social::posts::like(tx, u, p, true, now)?;
        }
        Ok::<_, SocialError>((g, c, 4))
    })
    .await
    .map_err(fail)?;
    let client: NewClient = serde_json::from_value(serde_json::json!({
        "name": "Demo app",
        "description": "Made by latchkey demo: tries the API with the password grant.",
        "grants": ["password", "refresh_token"],
        "scopes": ["read", "write", "offline_access"],
    }))
    .map_err(fail)?;
    let creds = applications::register(app, client, who).await.map_err(fail)?;
    let client_id = creds.client_id.unwrap_or_default();
    let client_secret = creds.client_secret.unwrap_or_default();
    Ok(Demo {
        members: MEMBERS.iter().map(|(u, _)| u.to_string()).collect(),
        commands: commands(app, &client_id, &client_secret, &password, garden),
        password,
        groups: vec![garden.to_string(), club.to_string()],
        posts,
        client_id,
        client_secret,
    })
}

/// The curl commands: a token for ada, the groups, the garden's posts.
fn commands(app: &App, id: &str, secret: &str, password: &str, garden: GroupId) -> Vec<String> {
    let cacert = match app.config.tls_cert {
        None => {
            format!(" --cacert {}", shell_word(&app.config.data_dir.join("tls").join("ca.pem").display().to_string()))
        }
        Some(_) => String::new(),
    };
    let url = |p: &str| shell_word(&app.config.url(p));
    vec![
        format!(
            "TOKEN=$(curl -s{cacert} -u {} -d grant_type=password -d username=ada -d password={} {} | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')",
            shell_word(&format!("{id}:{secret}")),
            shell_word(password),
            url("oauth2/token"),
        ),
        format!("curl -s{cacert} -H \"Authorization: Bearer $TOKEN\" {}", url("api/v1/groups")),
        format!("curl -s{cacert} -H \"Authorization: Bearer $TOKEN\" {}", url(&format!("api/v1/posts?group={garden}"))),
    ]
}

/// A word the shell reads as it is: single-quoted unless plainly safe.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_when_they_must_be() {
        assert_eq!(shell_word("https://localhost:8443/api/v1/groups"), "https://localhost:8443/api/v1/groups");
        assert_eq!(shell_word("/tmp/my data/ca.pem"), "'/tmp/my data/ca.pem'");
        assert_eq!(shell_word("a?b=1&c"), "'a?b=1&c'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }

    #[tokio::test]
    async fn the_demo_loads_once_with_real_data() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), crate::clock::FrozenClock::at(1_800_000_000));
        let d = load(&app, Who::cli()).await.unwrap();
        assert_eq!(d.members.len(), 4);
        assert_eq!(d.commands.len(), 3);
        assert!(d.commands[0].contains("--cacert") && d.commands[0].contains("grant_type=password"));
        let v = crate::social::access::Viewer::application();
        let (groups, posts) = app
            .store
            .read(|tx| {
                let g = crate::social::groups::list(tx, v, false, None, None, 10)
                    .map_err(|e| crate::store::StoreError::Internal(e.to_string()))?;
                let f = crate::social::posts::Filter::default();
                let p = crate::social::posts::list(tx, v, &f, None, 10)
                    .map_err(|e| crate::store::StoreError::Internal(e.to_string()))?;
                Ok((g.items.len(), p.items.len()))
            })
            .unwrap();
        // An application on its own sees the public group and the public post only.
        assert_eq!((groups, posts), (1, 1));
        assert!(load(&app, Who::cli()).await.unwrap_err().contains("loaded already"));
    }
}
