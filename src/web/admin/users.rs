//! `/admin/users`: list and search members, create one, disable and
//! enable, make or unmake admin (never the last one), hand out a one-time
//! password-reset link or an invite link (shown once), and delete with a
//! confirmation that says what goes.

use super::when;
use crate::accounts::members::{self, MemberError, NewMember};
use crate::http::page::PageQuery;
use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::store::page::is_id_cursor;
use crate::store::users::User;
use crate::store::{grants, users};
use crate::web::notice::{Done, Notice};
use crate::web::{Chrome, Visitor};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(list))
        .route("/admin/users/new", web::get().to(new_form))
        .route("/admin/users/new", web::post().to(create))
        .route("/admin/users/invite", web::post().to(invite))
        .route("/admin/users/{name}/action", web::post().to(action))
        .route("/admin/users/{name}/delete", web::get().to(confirm_delete))
        .route("/admin/users/{name}/delete", web::post().to(delete));
}

struct Row {
    u: User,
    created: super::When,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct ListView {
    c: Chrome,
    q: String,
    rows: Vec<Row>,
    next: Option<String>,
    notice: Option<String>,
    reset_link: Option<(String, String)>,
    invite_link: Option<String>,
    sort: super::Sort,
    sort_href: String,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    /// `oldest` (the default) or `newest` first.
    #[serde(default)]
    order: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// Members per page.
const PAGE: usize = 50;

fn matches(u: &User, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty()
        || u.username.to_lowercase().contains(&q)
        || u.display_name.to_lowercase().contains(&q)
        || u.email.to_lowercase().contains(&q)
}

/// One page of the members that match `q`, in id order.
fn list_view(
    v: &Visitor,
    q: &str,
    sort: super::Sort,
    asked: &PageQuery,
    notice: Option<String>,
    reset_link: Option<(String, String)>,
) -> Result<ListView, PageError> {
    let page = asked.for_page(PAGE, is_id_cursor)?;
    let p = v.app.store.read(|tx| {
        users::page(tx, page.after(), page.limit, sort.order(), |u| {
            Ok(matches(&u, q).then(|| Row { created: when(u.created_at), u }))
        })
    })?;
    let filters =
        if q.is_empty() { String::new() } else { serde_urlencoded::to_string([("q", q)]).unwrap_or_default() };
    let ordered = if filters.is_empty() {
        format!("order={}", sort.param())
    } else {
        format!("{filters}&order={}", sort.param())
    };
    let next = super::next_query(&ordered, p.next.as_deref(), asked);
    Ok(ListView {
        c: v.chrome("admin-members", false),
        q: q.to_string(),
        rows: p.items,
        next,
        notice,
        reset_link,
        invite_link: None,
        sort,
        sort_href: sort.toggle(&filters),
    })
}

async fn list(v: Admin, q: web::Query<ListQuery>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let notice = Notice::from_query(req.query_string()).text(&v.app, &v.tr());
    let sort = super::Sort::parse(&q.order, false);
    Ok(v.render(StatusCode::OK, &list_view(&v, &q.q, sort, &asked, notice, None)?))
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewView {
    c: Chrome,
    username: String,
    display_name: String,
    email: String,
    admin: bool,
    errors: Vec<(String, String)>,
}

impl NewView {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

async fn new_form(v: Admin) -> Result<HttpResponse, PageError> {
    let view = NewView {
        c: v.chrome("users-new", false),
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        admin: false,
        errors: vec![],
    };
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    admin: Option<String>,
}

crate::has_csrf!(NewForm);

async fn create(AdminForm(v, form): AdminForm<NewForm>) -> Result<HttpResponse, PageError> {
    let new = NewMember {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        admin: form.admin.is_some(),
    };
    let again = |field: &str, message: String| NewView {
        c: v.chrome("users-new", false),
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        admin: form.admin.is_some(),
        errors: vec![(field.to_string(), message)],
    };
    match members::create(&v.app, new, v.who()).await {
        Ok(u) => Ok(v.redirect(&Notice::of(Done::MemberCreated).id(u.id.0).after("/admin/users"))),
        Err(MemberError::Invalid { field, message }) => Ok(v.render(
            StatusCode::BAD_REQUEST,
            &again(field, crate::web::setup::member_invalid(&v.tr(), field, &message)),
        )),
        Err(MemberError::Taken(_)) => {
            Ok(v.render(StatusCode::BAD_REQUEST, &again("username", v.tr().t("form-username-taken"))))
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "do")]
    what: String,
}

crate::has_csrf!(ActionForm);

fn refused(e: MemberError) -> PageError {
    match e {
        MemberError::LastAdmin => PageError::new(
            StatusCode::CONFLICT,
            crate::i18n::Text::key("err-not-possible"),
            crate::i18n::Text::key("err-last-admin"),
        ),
        MemberError::NotFound(n) => PageError::new(
            StatusCode::NOT_FOUND,
            crate::i18n::Text::key("err-no-member"),
            crate::i18n::Text::key("err-no-member-text").with("name", n),
        ),
        e => PageError::internal(e),
    }
}

async fn action(AdminForm(v, form): AdminForm<ActionForm>, name: web::Path<String>) -> Result<HttpResponse, PageError> {
    let who = v.who();
    let done = match form.what.as_str() {
        "disable" => members::set_disabled(&v.app, &name, true, who).await.map(|u| (Done::MemberDisabled, u)),
        "enable" => members::set_disabled(&v.app, &name, false, who).await.map(|u| (Done::MemberEnabled, u)),
        "make_admin" => members::set_admin(&v.app, &name, true, who).await.map(|u| (Done::MadeAdmin, u)),
        "unmake_admin" => members::set_admin(&v.app, &name, false, who).await.map(|u| (Done::UnmadeAdmin, u)),
        "reset" => {
            let link = members::password_reset_link(&v.app, &name, who).await.map_err(refused)?;
            let view = list_view(
                &v,
                "",
                super::Sort::parse("", false),
                &PageQuery::default(),
                Some(v.tr().t1("users-reset-notice", "name", name.as_str())),
                Some((name.to_string(), link)),
            )?;
            return Ok(v.render(StatusCode::OK, &view));
        }
        other => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                crate::i18n::Text::key("err-unknown-action"),
                crate::i18n::Text::key("err-unknown-action-text").with("action", format!("{other:?}")),
            ));
        }
    };
    let (done, u) = done.map_err(refused)?;
    Ok(v.redirect(&Notice::of(done).id(u.id.0).after("/admin/users")))
}

/// A fresh invite link, shown once on the member list.
async fn invite(AdminForm(v, _): AdminForm<ActionForm>) -> Result<HttpResponse, PageError> {
    let link = crate::accounts::signup::invite(&v.app, v.active.user.id, v.who()).await?;
    let mut view = list_view(
        &v,
        "",
        super::Sort::parse("", false),
        &PageQuery::default(),
        Some(v.tr().t("users-invite-notice")),
        None,
    )?;
    view.invite_link = Some(link);
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "admin_user_delete.html")]
struct DeleteView {
    c: Chrome,
    username: String,
    grants: usize,
    tokens: usize,
}

async fn confirm_delete(v: Admin, name: web::Path<String>) -> Result<HttpResponse, PageError> {
    let user = members::find(&v.app, &name).map_err(refused)?;
    let (grants, tokens) = v.app.store.read(|tx| {
        let gs = grants::for_member(tx, user.id)?;
        let mut n = 0;
        for g in &gs {
            n += grants::token_count(tx, g.id)?;
        }
        Ok((gs.len(), n))
    })?;
    Ok(v.render(
        StatusCode::OK,
        &DeleteView { c: v.chrome("title-delete-member", false), username: user.username, grants, tokens },
    ))
}

async fn delete(AdminForm(v, _): AdminForm<ActionForm>, name: web::Path<String>) -> Result<HttpResponse, PageError> {
    members::delete(&v.app, &name, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::MemberDeleted).after("/admin/users")))
}
