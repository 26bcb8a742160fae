//! The API's errors as RFC 9457 problem details (`application/problem+json`):
//! `type`, `title`, `status`, `detail`, and for validation `errors: [{field,
//! message}]`. A refused credential keeps its own challenge (`BearerError`).
//! A store failure is a 503 that says nothing was changed, never a 500.

use crate::http::caller::BearerError;
use crate::store::StoreError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// One field a client got wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The body member, query parameter or path part to fix (`body` when
    /// the JSON as a whole has the wrong shape, `query` for the query string).
    #[schema(example = "limit")]
    pub field: String,
    #[schema(example = "must be a whole number from 1 to 100")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// A problem document (RFC 9457), the body of every 4xx and 5xx answer of
/// the API. Refusals of an OAuth 1.0a request add the Problem Reporting
/// extension's members (`oauth_problem`, `oauth_problem_advice`, ...), so
/// other members may appear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "limit: must be a whole number from 1 to 100",
    "errors": [{"field": "limit", "message": "must be a whole number from 1 to 100"}]
}))]
pub struct Problem {
    /// `about:blank` (`title` is the status's own phrase), or a `tag:`
    /// URI naming a refusal clients tell apart (`tag:latchkey,2026:event-full`).
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status code, repeated.
    #[schema(example = 404, minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong and what to do about it, for a person to read.
    #[schema(example = "You have not authorized this application.")]
    pub detail: String,
    /// For a 422: each field to fix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub errors: Vec<FieldError>,
    /// Seconds, sent as `Retry-After` (429, 503).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

#[derive(Debug)]
pub enum ApiError {
    /// A missing, dead or insufficient credential, in its protocol's words.
    Bearer(BearerError),
    Problem(Box<Problem>),
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError::Problem(Box::new(Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
            retry_after: None,
        }))
    }

    /// The same problem with a type of its own (a URI).
    pub fn of_type(mut self, kind: impl Into<String>) -> ApiError {
        if let ApiError::Problem(p) = &mut self {
            p.kind = kind.into();
        }
        self
    }

    /// 400: the request cannot be read at all.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 422 with the fields to fix.
    pub fn invalid(errors: Vec<FieldError>) -> ApiError {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are not valid", errors.len()),
        };
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail);
        if let ApiError::Problem(p) = &mut e {
            p.errors = errors;
        }
        e
    }

    /// 422 for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> ApiError {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> ApiError {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 412: `If-Match` named an older revision; nothing was changed.
    pub fn stale() -> ApiError {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "The resource changed since you read it (If-Match does not match its ETag). Read it again and retry.",
        )
    }

    pub fn too_large(limit: usize) -> ApiError {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, format!("The body may be at most {limit} bytes."))
    }

    pub fn unsupported_media_type(expected: &str) -> ApiError {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("Send the body as {expected}."))
    }

    pub fn too_many(retry_after: u64) -> ApiError {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests; wait before trying again.");
        if let ApiError::Problem(p) = &mut e {
            p.retry_after = Some(retry_after.max(1));
        }
        e
    }

    /// 503: the store failed; nothing was changed.
    pub fn unavailable() -> ApiError {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server could not complete the request; nothing was changed.",
        );
        if let ApiError::Problem(p) = &mut e {
            p.retry_after = Some(1);
        }
        e
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p),
            ApiError::Bearer(_) => None,
        }
    }
}

impl From<BearerError> for ApiError {
    fn from(e: BearerError) -> Self {
        ApiError::Bearer(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "API request failed in the store");
        ApiError::unavailable()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Bearer(e) => write!(f, "{e}"),
            ApiError::Problem(p) => write!(f, "{}: {}", p.title, p.detail),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Bearer(e) => e.status_code(),
            ApiError::Problem(p) => StatusCode::from_u16(p.status).unwrap_or(StatusCode::BAD_REQUEST),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Bearer(e) => e.error_response(),
            ApiError::Problem(p) => {
                let mut r = HttpResponse::build(self.status_code());
                if let Some(s) = p.retry_after {
                    r.insert_header(("Retry-After", s.to_string()));
                }
                r.insert_header(("Cache-Control", "no-store"))
                    .content_type("application/problem+json")
                    .body(serde_json::to_string(p).unwrap_or_default())
            }
        }
    }
}

/// Body errors of the API's JSON extractor as problems: 413 over the
/// limit, 415 for another media type, 422 for JSON of the wrong shape,
/// 400 for what is not JSON at all.
pub fn json_error(e: actix_web::error::JsonPayloadError, limit: usize) -> ApiError {
    use actix_web::error::JsonPayloadError as J;
    match e {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => ApiError::too_large(limit),
        J::ContentType => ApiError::unsupported_media_type("application/json"),
        J::Deserialize(d) if d.is_data() => ApiError::field("body", d.to_string()),
        J::Deserialize(d) => ApiError::bad_request(format!("The body is not valid JSON: {d}")),
        other => ApiError::bad_request(format!("The body could not be read: {other}")),
    }
}

/// A query string the extractor refuses, as a 422 naming the query.
pub fn query_error(e: actix_web::error::QueryPayloadError) -> ApiError {
    use actix_web::error::QueryPayloadError as Q;
    match e {
        Q::Deserialize(d) => ApiError::field("query", d.to_string()),
        other => ApiError::bad_request(format!("The query string could not be read: {other}")),
    }
}

/// A path whose parts do not parse (an id that is not a number): 400.
pub fn path_error(e: actix_web::error::PathError) -> ApiError {
    ApiError::bad_request(format!("The address is not valid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problems_list_their_fields() {
        let e =
            ApiError::invalid(vec![FieldError::new("name", "must not be empty"), FieldError::new("access", "unknown")]);
        assert_eq!(e.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = serde_json::to_value(e.problem().unwrap()).unwrap();
        assert_eq!(body["type"], "about:blank");
        assert_eq!(body["status"], 422);
        assert_eq!(body["errors"][1]["field"], "access");
        assert!(serde_json::to_value(ApiError::not_found("x").problem().unwrap()).unwrap().get("errors").is_none());
    }

    #[test]
    fn store_failures_are_503_not_500() {
        let e: ApiError = StoreError::Closed.into();
        assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.error_response().headers().get("retry-after").unwrap(), "1");
        for (e, s) in [
            (ApiError::stale(), 412),
            (ApiError::too_large(10), 413),
            (ApiError::unsupported_media_type("image/png"), 415),
            (ApiError::conflict("x"), 409),
            (ApiError::too_many(3), 429),
        ] {
            assert_eq!(e.status_code().as_u16(), s);
            assert_eq!(e.error_response().headers().get("content-type").unwrap(), "application/problem+json");
        }
    }
}
