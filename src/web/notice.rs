//! What a page says after an action ("Grant 4 revoked with 2 tokens."). The
//! redirect carries only a key and numbers (`?done=grant_revoked&id=4&n=2`);
//! the sentence is written here, with names read from the store by id, so a
//! link can never make a trusted page say an attacker's words.

use crate::app::App;
use crate::i18n::Tr;
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
    /// Application `id`'s APNs key was stored, or its APNs credentials
    /// (key or certificate) removed.
    ApnsCredentialsSet,
    ApnsCredentialsRemoved,
    /// Application `id`'s APNs certificate was stored.
    ApnsCertificateSet,
}

/// The catalogue keys of token kinds' names, by the number a notice carries.
pub const TOKEN_KINDS: [&str; 4] = ["token-kind-code", "token-kind-access", "token-kind-refresh", "token-kind-oauth1"];

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

    /// The sentence in `t`'s language (`notice-*` in the catalogue), or
    /// none when the key is missing or names nothing that exists any more.
    pub fn text(&self, app: &App, t: &Tr) -> Option<String> {
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
        let done = self.done?;
        let key = format!("notice-{}", serde_json::to_value(done).ok()?.as_str()?.replace('_', "-"));
        let named = |name: Option<String>| Some(t.t1(&key, "name", name?));
        let numbered = || Some(t.t3(&key, "id", self.id?, "n", n, "m", m));
        match done {
            Done::MemberCreated | Done::MemberDisabled | Done::MemberEnabled | Done::MadeAdmin | Done::UnmadeAdmin => {
                named(member())
            }
            Done::AppEnabled
            | Done::AppDisabled
            | Done::AppSaved
            | Done::AccessRevoked
            | Done::FcmCredentialsSet
            | Done::FcmCredentialsRemoved
            | Done::ApnsCredentialsSet
            | Done::ApnsCredentialsRemoved
            | Done::ApnsCertificateSet => named(application()),
            Done::GroupHidden | Done::GroupShown => named(group()),
            Done::MemberDeleted | Done::CalendarReplaced | Done::CalendarRevoked => Some(t.t(&key)),
            Done::AppDeleted | Done::GroupDeleted => Some(t.t2(&key, "n", n, "m", m)),
            Done::TokenRevoked => {
                let kind = TOKEN_KINDS.get(usize::try_from(n).ok()?)?;
                Some(t.t1(&key, "kind", t.t(kind)))
            }
            Done::GrantRevoked
            | Done::PostHidden
            | Done::PostShown
            | Done::PostDeleted
            | Done::CommentHidden
            | Done::CommentShown
            | Done::CommentDeleted
            | Done::PostReportsDismissed
            | Done::CommentReportsDismissed => numbered(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_and_token_kind_has_words() {
        let cat = crate::i18n::Catalogue::load().unwrap();
        for k in TOKEN_KINDS {
            assert!(cat.has(k), "{k}");
        }
        use Done::*;
        let all = [
            MemberCreated,
            MemberDisabled,
            MemberEnabled,
            MadeAdmin,
            UnmadeAdmin,
            MemberDeleted,
            AppEnabled,
            AppDisabled,
            AppSaved,
            AppDeleted,
            GrantRevoked,
            TokenRevoked,
            AccessRevoked,
            GroupHidden,
            GroupShown,
            GroupDeleted,
            PostHidden,
            PostShown,
            PostDeleted,
            CommentHidden,
            CommentShown,
            CommentDeleted,
            PostReportsDismissed,
            CommentReportsDismissed,
            CalendarReplaced,
            CalendarRevoked,
            FcmCredentialsSet,
            FcmCredentialsRemoved,
            ApnsCredentialsSet,
            ApnsCredentialsRemoved,
            ApnsCertificateSet,
        ];
        for d in all {
            let name = serde_json::to_value(d).unwrap();
            let key = format!("notice-{}", name.as_str().unwrap().replace('_', "-"));
            assert!(cat.has(&key), "{key}");
        }
    }

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
    }
}
