//! A comment as the API shows it (the comment routes are in `posts.rs`).

use super::common::sid;
use crate::clock::rfc3339;
use crate::store::social::comments::Comment;
use serde::Serialize;
use utoipa::ToSchema;

/// A comment as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Comment)]
pub struct CommentJson {
    #[schema(example = "2048")]
    pub id: String,
    /// The post's id.
    #[schema(example = "1024")]
    pub post: String,
    /// The top-level comment this one answers, or `null`.
    #[schema(required = true, example = "2047")]
    pub parent: Option<String>,
    /// The author's member id.
    #[schema(example = "42")]
    pub author: String,
    #[schema(example = "I'll bring tomato seeds.")]
    pub body: String,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
    #[schema(format = DateTime, example = "2026-11-24T08:10:00Z")]
    pub updated_at: String,
}

impl From<&Comment> for CommentJson {
    fn from(c: &Comment) -> Self {
        CommentJson {
            id: sid(c.id),
            post: sid(c.post),
            parent: c.parent.map(sid),
            author: sid(c.author),
            body: c.body.clone(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}
