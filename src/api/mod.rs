//! The JSON API under `/api`: the index and the resources of `/api/v1`,
//! one file per resource, and their description: `/api/openapi.json`
//! (`doc.rs`, which says how to document a route) and the browsable
//! `/api/doc` (`swagger_ui.rs`). Every resource route takes a `Caller`;
//! handlers stay thin (extract, call one operation, render).

mod calendar;
mod comment_json;
mod common;
mod connections;
pub mod doc;
mod events;
mod files;
mod files_serve;
mod folders;
mod friends;
mod groups;
mod index;
mod me;
mod posts;
mod push;
mod schema;
mod swagger_ui;
#[cfg(test)]
mod swagger_zip;
mod tags;
mod users;

#[cfg(test)]
use crate::http::page::PageQuery;
use crate::http::problem::{self, ApiError};
use actix_web::{HttpRequest, HttpResponse, web};

/// The largest JSON body the API reads.
pub const JSON_LIMIT: usize = 64 * 1024;

/// Everything under `/api` answers in problem+json when it goes wrong: a
/// body, query or path the extractors refuse, an unknown path (404) or a
/// method a resource does not serve (405, with `Allow`).
///
/// actix tries resources in the order they are registered, and every path
/// with a `{parameter}` costs a regular-expression match, so the resources
/// an application calls most (posts, then the member and groups) come first
/// and the documentation last. No two resources here match the same path,
/// so the order changes nothing else.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        scope()
            .configure(posts::routes)
            .configure(me::routes)
            .configure(groups::routes)
            .configure(users::routes)
            .configure(friends::routes)
            .configure(events::routes)
            .configure(calendar::routes)
            .configure(files::routes)
            .configure(folders::routes)
            .configure(push::routes)
            .configure(connections::routes)
            .configure(tags::routes)
            .configure(index::routes)
            .configure(doc::routes)
            .configure(swagger_ui::routes),
    );
}

/// The `/api` scope with the API's extractor configuration and its 404.
fn scope() -> actix_web::Scope {
    web::scope("/api")
        .app_data(
            web::JsonConfig::default()
                .limit(JSON_LIMIT)
                .error_handler(|e, _| problem::json_error(e, JSON_LIMIT).into()),
        )
        .app_data(web::QueryConfig::default().error_handler(|e, _| problem::query_error(e).into()))
        .app_data(web::PathConfig::default().error_handler(|e, _| problem::path_error(e).into()))
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(ApiError::not_found("There is no API resource at this address."))
        }))
}

/// One API resource; other methods than `allow` get a 405 problem.
pub(crate) fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        let mut r = actix_web::ResponseError::error_response(&ApiError::new(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            format!("This resource answers {allow} only."),
        ));
        r.headers_mut()
            .insert(actix_web::http::header::ALLOW, actix_web::http::header::HeaderValue::from_static(allow));
        r
    }))
}

/// A public document that changes only with the build or the configuration
/// (the index, the OpenAPI document): sent with an `ETag` of its bytes and
/// `cache` as its `Cache-Control`, or as a 304 when the client's
/// `If-None-Match` names that `ETag` already.
pub(crate) fn cacheable(req: &HttpRequest, body: Vec<u8>, content_type: &str, cache: &str) -> HttpResponse {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>());
    // RFC 9110 §13.1.2: a list of tags or `*`, compared weakly.
    let matches = req
        .headers()
        .get_all(actix_web::http::header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag);
    let mut r = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    r.insert_header(("ETag", etag)).insert_header(("Cache-Control", cache));
    if matches { r.finish() } else { r.content_type(content_type).body(body) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test;

    #[derive(serde::Deserialize)]
    struct Body {
        name: String,
    }

    async fn echo(b: web::Json<Body>) -> HttpResponse {
        HttpResponse::Ok().body(b.into_inner().name)
    }

    async fn number(id: web::Path<u64>) -> HttpResponse {
        HttpResponse::Ok().body(id.to_string())
    }

    async fn paged(q: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
        Ok(HttpResponse::Ok().body(q.check()?.limit.to_string()))
    }

    /// The body, query and path refusals of any route in the `/api` scope
    /// (no route of the API reads a JSON body yet, so this one does).
    #[actix_web::test]
    async fn extractor_refusals_are_problems() {
        let svc = test::init_service(
            actix_web::App::new().service(
                scope()
                    .service(resource("/echo", "POST").route(web::post().to(echo)))
                    .service(resource("/n/{id}", "GET").route(web::get().to(number)))
                    .service(resource("/q", "GET").route(web::get().to(paged))),
            ),
        )
        .await;
        let json = |body: &str| {
            test::TestRequest::post()
                .uri("/api/echo")
                .insert_header(("content-type", "application/json"))
                .set_payload(body.to_string())
                .to_request()
        };
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(JSON_LIMIT));
        let cases = vec![
            (json("{\"name\": \"ok\"}"), 200, None),
            (json("{not json"), 400, None),
            (json("{\"name\": 7}"), 422, Some("body")),
            (json(&big), 413, None),
            (test::TestRequest::post().uri("/api/echo").set_payload("name=x").to_request(), 415, None),
            (test::TestRequest::get().uri("/api/echo").to_request(), 405, None),
            (test::TestRequest::get().uri("/api/n/abc").to_request(), 400, None),
            (test::TestRequest::get().uri("/api/n/12").to_request(), 200, None),
            (test::TestRequest::get().uri("/api/q?limit=500").to_request(), 422, Some("limit")),
            (test::TestRequest::get().uri("/api/q?limit=5&limit=6").to_request(), 422, Some("query")),
            (test::TestRequest::get().uri("/api/nothing/here").to_request(), 404, None),
        ];
        for (req, status, field) in cases {
            let what = format!("{} {}", req.method(), req.uri());
            let res = test::call_service(&svc, req).await;
            assert_eq!(res.status().as_u16(), status, "{what}");
            if status == 200 {
                continue;
            }
            assert_eq!(res.headers().get("content-type").unwrap(), "application/problem+json", "{what}");
            if status == 405 {
                assert_eq!(res.headers().get("allow").unwrap(), "POST", "{what}");
            }
            let body: serde_json::Value = test::read_body_json(res).await;
            assert_eq!(body["status"], status, "{what}: {body}");
            if let Some(f) = field {
                assert_eq!(body["errors"][0]["field"], f, "{what}: {body}");
            }
        }
    }
}
