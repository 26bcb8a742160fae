//! `/admin/groups`: every group, hidden ones too, searched by name and
//! description and filtered to the hidden ones, with members, creator and
//! date; hide, show again, and delete (with everything in it) after a
//! confirmation that counts what goes. The actions are
//! `social::moderation`'s, which audit them with the admin's name.

use super::{excerpt, refused, when};
use crate::http::page::PageQuery;
use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::ids::GroupId;
use crate::social::moderation::{self, Item};
use crate::social::review::{self, GroupFilter};
use crate::store::social::is_id_cursor;
use crate::web::Chrome;
use crate::web::notice::{Done, Notice};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

/// Groups per page.
const PAGE: usize = 50;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/groups", web::get().to(list))
        .route("/admin/groups/{id}/hide", web::post().to(hide))
        .route("/admin/groups/{id}/show", web::post().to(show))
        .route("/admin/groups/{id}/delete", web::get().to(confirm_delete))
        .route("/admin/groups/{id}/delete", web::post().to(delete));
}

/// The list's address: filters, order and page. It also travels in the
/// action forms (`back`), read again through this type, so an action comes
/// back to the list as it was and nothing else can ride along.
#[derive(Deserialize, Serialize, Default)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    /// `hidden`, or empty for every group.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    state: String,
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
        serde_urlencoded::to_string([("q", self.q.as_str()), ("state", self.state.as_str())]).unwrap_or_default()
    }

    /// A list query from a form's or link's `back` field, keeping only
    /// what this list reads.
    fn normal(raw: &str) -> String {
        let q: ListQuery = serde_urlencoded::from_str(raw).unwrap_or_default();
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }

    /// The list's path and query, from a form's `back` field.
    fn back(raw: &str) -> String {
        format!("/admin/groups?{}", ListQuery::normal(raw))
    }
}

struct Row {
    id: u64,
    name: String,
    description: String,
    hidden: bool,
    members: u64,
    /// How members join, and whom it is listed to, in the page's words.
    joining: String,
    listed: String,
    creator: String,
    created: super::When,
}

#[derive(Template)]
#[template(path = "admin_groups.html")]
struct ListView {
    c: Chrome,
    q: String,
    state: String,
    rows: Vec<Row>,
    next: Option<String>,
    notice: Option<String>,
    sort: super::Sort,
    sort_href: String,
    /// This list's query, for the action forms to come back to, and as
    /// a `back=` parameter for the links to the confirmation pages.
    back: String,
    back_param: String,
    budget: usize,
}

async fn list(v: Admin, q: web::Query<ListQuery>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = asked.for_page(PAGE, is_id_cursor)?;
    let sort = super::Sort::parse(&q.order, true);
    let f = GroupFilter { q: Some(q.q.clone()), hidden_only: q.state == "hidden" };
    let p = v.app.store.read(|tx| review::groups(tx, &f, page.after(), page.limit, sort.order()))?;
    let t = v.tr();
    let rows = p
        .items
        .into_iter()
        .map(|r| Row {
            id: r.group.id.0,
            description: excerpt(&r.group.description, 120),
            hidden: r.group.hidden,
            members: r.members,
            joining: t.t(&format!("joining-{}", r.group.membership.as_str())),
            listed: t.t(&format!("access-{}", r.group.access.as_str())),
            creator: r.creator.unwrap_or_else(|| t.t("deleted-member")),
            created: when(r.group.created_at),
            name: r.group.name,
        })
        .collect();
    let filters = q.filters();
    let view = ListView {
        c: v.chrome("admin-groups", false),
        q: q.q.clone(),
        state: q.state.clone(),
        rows,
        next: super::next_query(&format!("{filters}&order={}", sort.param()), p.next.as_deref(), &asked),
        notice: Notice::from_query(req.query_string()).text(&v.app, &v.tr()),
        sort,
        sort_href: sort.toggle(&filters),
        back: serde_urlencoded::to_string(&*q).unwrap_or_default(),
        back_param: serde_urlencoded::to_string([("back", serde_urlencoded::to_string(&*q).unwrap_or_default())])
            .unwrap_or_default(),
        budget: review::BUDGET,
    };
    Ok(v.render(StatusCode::OK, &view))
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

async fn set_hidden(v: &Admin, id: u64, hidden: bool, back: &str) -> Result<HttpResponse, PageError> {
    let (who, now) = (v.who(), v.app.now());
    crate::social::write(&v.app.store, move |tx| {
        moderation::set_hidden(tx, Item::Group(GroupId(id)), hidden, &who, now)
    })
    .await
    .map_err(refused)?;
    let done = if hidden { Done::GroupHidden } else { Done::GroupShown };
    Ok(v.redirect(&Notice::of(done).id(id).after(&ListQuery::back(back))))
}

async fn hide(AdminForm(v, form): AdminForm<ActionForm>, id: web::Path<u64>) -> Result<HttpResponse, PageError> {
    set_hidden(&v, *id, true, &form.back).await
}

async fn show(AdminForm(v, form): AdminForm<ActionForm>, id: web::Path<u64>) -> Result<HttpResponse, PageError> {
    set_hidden(&v, *id, false, &form.back).await
}

#[derive(Template)]
#[template(path = "admin_group_delete.html")]
struct DeleteView {
    c: Chrome,
    id: u64,
    name: String,
    hidden: bool,
    members: u64,
    posts: usize,
    comments: u64,
    /// The list's query, for the form and the way back.
    back: String,
}

#[derive(Deserialize)]
struct BackQuery {
    #[serde(default)]
    back: String,
}

async fn confirm_delete(v: Admin, id: web::Path<u64>, q: web::Query<BackQuery>) -> Result<HttpResponse, PageError> {
    let found = v.app.store.read(|tx| review::group(tx, GroupId(*id)))?;
    let g = found.ok_or_else(|| refused(crate::social::SocialError::NotFound("group")))?;
    let view = DeleteView {
        c: v.chrome("title-delete-group", false),
        id: *id,
        name: g.row.group.name,
        hidden: g.row.group.hidden,
        members: g.row.members,
        posts: g.posts,
        comments: g.comments,
        back: ListQuery::normal(&q.back),
    };
    Ok(v.render(StatusCode::OK, &view))
}

async fn delete(AdminForm(v, form): AdminForm<ActionForm>, id: web::Path<u64>) -> Result<HttpResponse, PageError> {
    let (who, now, id) = (v.who(), v.app.now(), GroupId(*id));
    let gone = crate::social::write(&v.app.store, move |tx| {
        let counted = review::group(tx, id)?;
        moderation::delete(tx, Item::Group(id), &who, now)?;
        Ok(counted.map(|c| (c.posts as u64, c.comments)).unwrap_or_default())
    })
    .await
    .map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::GroupDeleted).counts(gone.0, gone.1).after(&ListQuery::back(&form.back))))
}
