//! What a page says after an action ("Grant 4 revoked with 2 tokens."). The
//! redirect carries only a key and numbers (`?done=grant_revoked&id=4&n=2`);
//! the sentence is written here, with names read from the store by id, so a
//! link can never make a trusted page say an attacker's words.

use crate::app::App;
use crate::ids::{ClientId, GroupId, UserId};
use crate::store::social::groups;
use crate::store::{clients, users};
use serde::{Deserialize, Serialize};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Done {
    /// A member (id) was created, disabled, enabled, made or unmade admin.
    MemberCreated,
    MemberDisabled,
    MemberEnabled,
    MadeAdmin,
    UnmadeAdmin,
    /// A member was deleted.
    MemberDeleted,
    /// An application (id) was enabled, disabled or saved.
    AppEnabled,
    AppDisabled,
    AppSaved,
    /// An application was deleted with `n` grants and `m` tokens.
    AppDeleted,
    /// Grant `id` was revoked with `n` tokens.
    GrantRevoked,
    /// A token of kind `n` (see [`TOKEN_KINDS`]) was revoked.
    TokenRevoked,
    /// The member revoked application `id` on their Applications page.
    AccessRevoked,
    /// Group `id` was hidden or shown again.
    GroupHidden,
    GroupShown,
    /// A group was deleted with `n` posts and `m` comments.
    GroupDeleted,
    /// Post or comment `id` was hidden, shown again or deleted (a post
    /// with `n` comments, a comment with `n` replies).
    PostHidden,
    PostShown,
    PostDeleted,
    CommentHidden,
    CommentShown,
    CommentDeleted,
    /// `n` open reports of post or comment `id` were dismissed.
    PostReportsDismissed,
    CommentReportsDismissed,
    /// The member made a new calendar feed link, or revoked theirs.
    CalendarReplaced,
    CalendarRevoked,
    /// Application `id`'s FCM credentials were stored or removed.
    FcmCredentialsSet,
    FcmCredentialsRemoved,
    /// Application `id`'s APNs key was stored or removed.
    ApnsCredentialsSet,
    ApnsCredentialsRemoved,
}

/// The names of token kinds, by the number a notice carries.
pub const TOKEN_KINDS: [&str; 4] =
    ["authorization code", "OAuth 2.0 access token", "OAuth 2.0 refresh token", "OAuth 1.0a access token"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub done: Option<Done>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<u64>,
}

impl Notice {
    pub fn of(done: Done) -> Notice {
        Notice { done: Some(done), ..Notice::default() }
    }

    pub fn id(mut self, id: u64) -> Notice {
        self.id = Some(id);
        self
    }

    pub fn counts(mut self, n: u64, m: u64) -> Notice {
        self.n = Some(n);
        self.m = Some(m);
        self
    }

    /// `path?done=...`, for a redirect.
    pub fn after(self, path: &str) -> String {
        let q = serde_urlencoded::to_string(self).unwrap_or_default();
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}{q}")
    }

    /// The notice a page's query carries; anything unreadable is none.
    pub fn from_query(query: &str) -> Notice {
        serde_urlencoded::from_str(query).unwrap_or_default()
    }

    /// The sentence, or none when the key is missing or names nothing that
    /// exists any more.
    pub fn text(&self, app: &App) -> Option<String> {
        let member = || {
            let id = UserId(self.id?);
            app.store.read(|tx| users::get(tx, id)).ok().flatten().map(|u| u.username)
        };
        let application = || {
            let id = ClientId(self.id?);
            app.store.read(|tx| clients::get(tx, id)).ok().flatten().map(|c| c.name)
        };
        let group = || {
            let id = GroupId(self.id?);
            app.store.read(|tx| groups::get(tx, id)).ok().flatten().map(|g| g.name)
        };
        let (n, m) = (self.n.unwrap_or(0), self.m.unwrap_or(0));
        Some(match self.done? {
            Done::MemberCreated => format!("Created {}.", member()?),
            Done::MemberDisabled => {
                format!("{} is disabled: their sessions and every token of their applications ended.", member()?)
            }
            Done::MemberEnabled => format!("{} is enabled.", member()?),
            Done::MadeAdmin => format!("{} is now an admin.", member()?),
            Done::UnmadeAdmin => format!("{} is no longer an admin.", member()?),
            Done::MemberDeleted => "The member was deleted with their grants and tokens.".into(),
            Done::AppEnabled => format!("{} is enabled.", application()?),
            Done::AppDisabled => format!("{} is disabled: its requests and tokens are refused.", application()?),
            Done::AppSaved => format!("Saved {}.", application()?),
            Done::AppDeleted => format!("The application was deleted with {n} grants and {m} tokens."),
            Done::GrantRevoked => format!("Grant {} revoked with {n} tokens.", self.id?),
            Done::TokenRevoked => format!("The {} was revoked.", TOKEN_KINDS.get(usize::try_from(n).ok()?)?),
            Done::AccessRevoked => format!("{} no longer has access to your account.", application()?),
            Done::GroupHidden => {
                format!("{} is hidden: members no longer see it or anything in it.", group()?)
            }
            Done::GroupShown => format!("{} is shown again.", group()?),
            Done::GroupDeleted => {
                format!("The group was deleted with {} and {}.", plural(n, "post"), plural(m, "comment"))
            }
            Done::PostHidden => {
                format!("Post {} is hidden: members no longer see it, and its reports are closed.", self.id?)
            }
            Done::PostShown => format!("Post {} is shown again.", self.id?),
            Done::PostDeleted => format!("Post {} was deleted with {}.", self.id?, plural(n, "comment")),
            Done::CommentHidden => {
                format!("Comment {} is hidden: members no longer see it, and its reports are closed.", self.id?)
            }
            Done::CommentShown => format!("Comment {} is shown again.", self.id?),
            Done::CommentDeleted => format!("Comment {} was deleted with {}.", self.id?, plural(n, "reply")),
            Done::PostReportsDismissed => {
                format!("Dismissed {} of post {}; the post stays as it was.", plural(n, "report"), self.id?)
            }
            Done::CommentReportsDismissed => {
                format!("Dismissed {} of comment {}; the comment stays as it was.", plural(n, "report"), self.id?)
            }
            Done::CalendarReplaced => "Your calendar feed has a new link; the old one no longer works.".into(),
            Done::CalendarRevoked => "Your calendar feed link is revoked; calendars using it stop updating.".into(),
            Done::FcmCredentialsSet => format!("Stored the FCM credentials of {}.", application()?),
            Done::FcmCredentialsRemoved => {
                format!("Removed the FCM credentials of {}: its FCM devices are not sent to.", application()?)
            }
            Done::ApnsCredentialsSet => format!("Stored the APNs key of {}.", application()?),
            Done::ApnsCredentialsRemoved => {
                format!("Removed the APNs key of {}: its APNs devices are not sent to.", application()?)
            }
        })
    }
}

/// "1 post", "2 posts", "1 reply", "3 replies".
fn plural(n: u64, one: &str) -> String {
    match (n, one.strip_suffix('y')) {
        (1, _) => format!("1 {one}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {one}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_a_key_and_numbers_and_nothing_else() {
        let url = Notice::of(Done::GrantRevoked).id(4).counts(2, 0).after("/admin/tokens");
        assert_eq!(url, "/admin/tokens?done=grant_revoked&id=4&n=2&m=0");
        assert_eq!(
            Notice::from_query("done=grant_revoked&id=4&n=2&m=0&q=x"),
            Notice::of(Done::GrantRevoked).id(4).counts(2, 0)
        );
        assert_eq!(Notice::from_query("done=You+were+hacked"), Notice::default());
        assert_eq!(Notice::from_query("notice=Call+this+number"), Notice::default());
        assert_eq!(
            Notice::of(Done::AppSaved).id(1).after("/admin/clients/1?x=1"),
            "/admin/clients/1?x=1&done=app_saved&id=1"
        );
        assert_eq!(
            Notice::of(Done::PostReportsDismissed).id(3).counts(2, 0).after("/admin/content?state=reported"),
            "/admin/content?state=reported&done=post_reports_dismissed&id=3&n=2&m=0"
        );
        assert_eq!(
            (plural(1, "reply"), plural(2, "reply"), plural(0, "post")),
            ("1 reply".into(), "2 replies".into(), "0 posts".into())
        );
    }
}
