//! `/admin/content`: posts and comments, hidden ones too, searched in
//! their text and filtered by kind, state (hidden; reported: the queue of
//! what has an open report) and group; each with its author, place, access
//! level, an excerpt and the reports against it. Hide, show again, dismiss
//! the reports, and delete after a confirmation. The actions are
//! `social::moderation`'s, which audit them with the admin's name.

use super::{excerpt, refused, when};
use crate::http::page::PageQuery;
use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::ids::{CommentId, GroupId, PostId};
use crate::social::moderation::{self, Item};
use crate::social::review::{self, Content, ContentFilter, ContentRow, Kinds, Place, State};
use crate::social::{SocialError, write};
use crate::store::social::reports::{self, Target};
use crate::web::Chrome;
use crate::web::notice::{Done, Notice};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

/// Rows per page.
const PAGE: usize = 30;
/// Groups offered in the filter's select box.
const GROUP_CHOICES: usize = 200;
/// Characters of a text shown in a row.
const EXCERPT: usize = 160;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/content", web::get().to(list))
        .route("/admin/content/{kind}/{id}/hide", web::post().to(hide))
        .route("/admin/content/{kind}/{id}/show", web::post().to(show))
        .route("/admin/content/{kind}/{id}/dismiss", web::post().to(dismiss))
        .route("/admin/content/{kind}/{id}/delete", web::get().to(confirm_delete))
        .route("/admin/content/{kind}/{id}/delete", web::post().to(delete));
}

/// The list's address: filters, order and page. It also travels in the
/// action forms (`back`), read again through this type, so an action comes
/// back to the list as it was and nothing else can ride along.
#[derive(Deserialize, Serialize, Default, Clone)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    /// `posts`, `comments`, or empty for both.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    kind: String,
    /// `hidden`, `reported`, or empty for all.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    state: String,
    /// A group id, `none` (members' own streams), or empty for anywhere.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    group: String,
    /// `newest` (the default) or `oldest` first.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    order: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
}

impl ListQuery {
    fn filters(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("kind", self.kind.as_str()),
            ("state", self.state.as_str()),
            ("group", self.group.as_str()),
        ])
        .unwrap_or_default()
    }

    fn is_filtered(&self) -> bool {
        !(self.q.trim().is_empty() && self.kind.is_empty() && self.state.is_empty() && self.group.is_empty())
    }

    fn filter(&self) -> Result<ContentFilter, PageError> {
        let invalid = |what: &str| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                crate::i18n::Text::key("err-bad-address"),
                crate::i18n::Text::key("err-not-a-choice").with("what", what),
            )
        };
        Ok(ContentFilter {
            kinds: match self.kind.as_str() {
                "" => Kinds::Both,
                "posts" => Kinds::Posts,
                "comments" => Kinds::Comments,
                _ => return Err(invalid("kind")),
            },
            state: match self.state.as_str() {
                "" => State::All,
                "hidden" => State::Hidden,
                "reported" => State::Reported,
                _ => return Err(invalid("state")),
            },
            place: match self.group.as_str() {
                "" => Place::Any,
                "none" => Place::OwnStreams,
                g => Place::Group(GroupId(g.parse().map_err(|_| invalid("group"))?)),
            },
            q: Some(self.q.clone()),
        })
    }

    /// A list query from a form's or link's `back` field, keeping only
    /// what this list reads.
    fn normal(raw: &str) -> String {
        let q: ListQuery = serde_urlencoded::from_str(raw).unwrap_or_default();
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }

    fn back(raw: &str) -> String {
        format!("/admin/content?{}", ListQuery::normal(raw))
    }
}

struct ReportView {
    reporter: String,
    reason: String,
    at: super::When,
    open: bool,
}

/// A row as the page shows it.
struct Row {
    /// `post` or `comment`, as in the action paths.
    kind: &'static str,
    id: u64,
    /// "Post 12", "Comment 7" (in the page's language).
    label: String,
    /// Deleted since it was reported.
    gone: bool,
    title: String,
    excerpt: String,
    /// For a comment: its post's id and title or excerpt.
    on_post: Option<(u64, String)>,
    reply: bool,
    author: String,
    /// The group's id, name and whether it is hidden; `None`: own stream.
    group: Option<(u64, String, bool)>,
    /// Who may see it, in the page's words.
    access: String,
    created: Option<super::When>,
    hidden: bool,
    post_hidden: bool,
    reports: Vec<ReportView>,
    open_reports: usize,
}

fn kind_of(t: Target) -> (&'static str, u64) {
    match t {
        Target::Post(id) => ("post", id.0),
        Target::Comment(id) => ("comment", id.0),
    }
}

fn row_of(t: &crate::i18n::Tr, r: ContentRow) -> Row {
    let (kind, id) = kind_of(r.target);
    let open_reports = r.open_reports();
    let reports = r
        .reports
        .into_iter()
        .map(|x| ReportView {
            reporter: x.reporter.unwrap_or_else(|| t.t("deleted-member")),
            reason: x.report.reason,
            at: when(x.report.created_at),
            open: x.report.resolved_at.is_none(),
        })
        .collect();
    let mut row = Row {
        kind,
        id,
        label: t.t1(if kind == "post" { "content-post-n" } else { "content-comment-n" }, "id", id.to_string()),
        gone: r.content.is_none(),
        title: String::new(),
        excerpt: String::new(),
        on_post: None,
        reply: false,
        author: r.author.unwrap_or_else(|| t.t("deleted-member")),
        group: r.group.map(|g| (g.id.0, g.name, g.hidden)),
        access: r.access.map(|a| t.t(&format!("access-{}", a.as_str()))).unwrap_or_default(),
        created: None,
        hidden: false,
        post_hidden: false,
        reports,
        open_reports,
    };
    match r.content {
        Some(Content::Post(p)) => {
            row.title = p.title;
            row.excerpt = excerpt(&p.body, EXCERPT);
            row.created = Some(when(p.created_at));
            row.hidden = p.hidden;
        }
        Some(Content::Comment(c)) => {
            row.excerpt = excerpt(&c.body, EXCERPT);
            row.created = Some(when(c.created_at));
            row.hidden = c.hidden;
            row.reply = c.parent.is_some();
            row.on_post = r.post.as_ref().map(|p| {
                let about = if p.title.is_empty() { excerpt(&p.body, 60) } else { excerpt(&p.title, 60) };
                (p.id.0, about)
            });
            row.post_hidden = r.post.is_some_and(|p| p.hidden);
        }
        None => {}
    }
    row
}

#[derive(Template)]
#[template(path = "admin_content.html")]
struct ListView {
    c: Chrome,
    q: String,
    kind: String,
    state: String,
    group: String,
    /// The groups of the filter: id, name, hidden.
    groups: Vec<(String, String, bool)>,
    filtered: bool,
    rows: Vec<Row>,
    next: Option<String>,
    notice: Option<String>,
    open_reports: u64,
    sort: super::Sort,
    sort_href: String,
    /// This list's query, for the action forms to come back to, and as
    /// a `back=` parameter for the links to the confirmation pages.
    back: String,
    back_param: String,
    budget: usize,
}

async fn list(v: Admin, q: web::Query<ListQuery>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let f = q.filter()?;
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = asked.for_page(PAGE, |c| f.fits(c))?;
    let sort = super::Sort::parse(&q.order, true);
    let (p, choices, open_reports) = v.app.store.read(|tx| {
        let p = review::content_page(tx, &f, page.after(), page.limit, sort.order())?;
        let mut choices = review::group_choices(tx, GROUP_CHOICES)?;
        // The group asked for is offered even when it is not among the first.
        if let Place::Group(g) = f.place {
            if !choices.iter().any(|c| c.id == g) {
                choices.extend(crate::store::social::groups::get(tx, g)?);
            }
        }
        Ok((p, choices, reports::open_count(tx)?))
    })?;
    let filters = q.filters();
    let back = serde_urlencoded::to_string(&*q).unwrap_or_default();
    let view = ListView {
        c: v.chrome(if f.state == State::Reported { "content-reported" } else { "admin-content" }, false),
        q: q.q.clone(),
        kind: q.kind.clone(),
        state: q.state.clone(),
        group: q.group.clone(),
        groups: choices.into_iter().map(|g| (g.id.0.to_string(), g.name, g.hidden)).collect(),
        filtered: q.is_filtered(),
        rows: p.items.into_iter().map(|r| row_of(&v.tr(), r)).collect(),
        next: super::next_query(&format!("{filters}&order={}", sort.param()), p.next.as_deref(), &asked),
        notice: Notice::from_query(req.query_string()).text(&v.app, &v.tr()),
        open_reports,
        sort,
        sort_href: sort.toggle(&filters),
        back_param: serde_urlencoded::to_string([("back", back.as_str())]).unwrap_or_default(),
        back,
        budget: review::BUDGET,
    };
    Ok(v.render(StatusCode::OK, &view))
}

/// The post or comment a path names (`/admin/content/post/12/...`).
fn target(path: &(String, u64)) -> Result<Target, PageError> {
    match path.0.as_str() {
        "post" => Ok(Target::Post(PostId(path.1))),
        "comment" => Ok(Target::Comment(CommentId(path.1))),
        _ => Err(PageError::not_found()),
    }
}

fn what(t: Target) -> &'static str {
    match t {
        Target::Post(_) => "post",
        Target::Comment(_) => "comment",
    }
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    csrf: String,
    /// The list's query to come back to.
    #[serde(default)]
    back: String,
}

crate::has_csrf!(ActionForm);

async fn set_hidden(v: &Admin, t: Target, hidden: bool, back: &str) -> Result<HttpResponse, PageError> {
    let (who, now) = (v.who(), v.app.now());
    write(&v.app.store, move |tx| moderation::set_hidden(tx, Item::from(t), hidden, &who, now))
        .await
        .map_err(refused)?;
    let done = match (t, hidden) {
        (Target::Post(_), true) => Done::PostHidden,
        (Target::Post(_), false) => Done::PostShown,
        (Target::Comment(_), true) => Done::CommentHidden,
        (Target::Comment(_), false) => Done::CommentShown,
    };
    Ok(v.redirect(&Notice::of(done).id(kind_of(t).1).after(&ListQuery::back(back))))
}

async fn hide(
    AdminForm(v, form): AdminForm<ActionForm>,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, PageError> {
    set_hidden(&v, target(&path)?, true, &form.back).await
}

async fn show(
    AdminForm(v, form): AdminForm<ActionForm>,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, PageError> {
    set_hidden(&v, target(&path)?, false, &form.back).await
}

async fn dismiss(
    AdminForm(v, form): AdminForm<ActionForm>,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, PageError> {
    let t = target(&path)?;
    let (who, now) = (v.who(), v.app.now());
    // The target may be gone (deleted by its author): its reports can
    // still be dismissed.
    let n = write(&v.app.store, move |tx| moderation::dismiss_all(tx, t, &who, now)).await.map_err(refused)?;
    let done = if matches!(t, Target::Post(_)) { Done::PostReportsDismissed } else { Done::CommentReportsDismissed };
    Ok(v.redirect(&Notice::of(done).id(kind_of(t).1).counts(n as u64, 0).after(&ListQuery::back(&form.back))))
}

#[derive(Template)]
#[template(path = "admin_content_delete.html")]
struct DeleteView {
    c: Chrome,
    row: Row,
    /// A post's comments or a top-level comment's replies.
    goes_with: u64,
    /// The list's query, for the form and the way back.
    back: String,
}

#[derive(Deserialize)]
struct BackQuery {
    #[serde(default)]
    back: String,
}

async fn confirm_delete(
    v: Admin,
    path: web::Path<(String, u64)>,
    q: web::Query<BackQuery>,
) -> Result<HttpResponse, PageError> {
    let t = target(&path)?;
    let found = v.app.store.read(|tx| review::content(tx, t))?;
    let r = found.ok_or_else(|| refused(SocialError::NotFound(what(t))))?;
    let goes_with = r.comments;
    let row = row_of(&v.tr(), r);
    let view = DeleteView {
        c: v.chrome_titled(v.tr().t1("delete-question", "name", row.label.to_lowercase()), false),
        row,
        goes_with,
        back: ListQuery::normal(&q.back),
    };
    Ok(v.render(StatusCode::OK, &view))
}

async fn delete(
    AdminForm(v, form): AdminForm<ActionForm>,
    path: web::Path<(String, u64)>,
) -> Result<HttpResponse, PageError> {
    let t = target(&path)?;
    let (who, now) = (v.who(), v.app.now());
    let n = write(&v.app.store, move |tx| {
        let with = review::content(tx, t)?.map(|r| r.comments).unwrap_or(0);
        moderation::delete(tx, Item::from(t), &who, now)?;
        Ok(with)
    })
    .await
    .map_err(refused)?;
    let done = if matches!(t, Target::Post(_)) { Done::PostDeleted } else { Done::CommentDeleted };
    Ok(v.redirect(&Notice::of(done).id(kind_of(t).1).counts(n, 0).after(&ListQuery::back(&form.back))))
}
