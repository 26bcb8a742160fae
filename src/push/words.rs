//! What notifications say, per site language (`site_language`): data, one
//! table per language, `{group}`, `{title}` and `{name}` filled in. A
//! language is added by adding its table here and its code to
//! `config::SITE_LANGUAGES`.

use crate::store::social::activity::What;

pub struct Words {
    /// The title for each kind of entry.
    pub post_created: &'static str,
    pub comment_added: &'static str,
    pub member_joined: &'static str,
    /// The body of a comment notification.
    pub comment_on: &'static str,
    /// The body of a member-joined notification.
    pub joined: &'static str,
    /// Anything else that happened.
    pub other: &'static str,
}

const EN: Words = Words {
    post_created: "New post in {group}",
    comment_added: "New comment in {group}",
    member_joined: "New member in {group}",
    comment_on: "On “{title}”",
    joined: "{name} joined the group",
    other: "New activity in {group}",
};

const NL: Words = Words {
    post_created: "Nieuw bericht in {group}",
    comment_added: "Nieuwe reactie in {group}",
    member_joined: "Nieuw lid in {group}",
    comment_on: "Op “{title}”",
    joined: "{name} is lid geworden",
    other: "Nieuwe activiteit in {group}",
};

const LANGUAGES: &[(&str, &Words)] = &[("en", &EN), ("nl", &NL)];

/// The words of `language`, English when it has none.
pub fn of(language: &str) -> &'static Words {
    LANGUAGES.iter().find(|(l, _)| *l == language).map_or(&EN, |(_, w)| w)
}

impl Words {
    pub fn title(&self, what: What) -> &'static str {
        match what {
            What::PostCreated => self.post_created,
            What::CommentAdded => self.comment_added,
            What::MemberJoined => self.member_joined,
            #[allow(unreachable_patterns)] // kinds appended by other parts
            _ => self.other,
        }
    }
}

/// Fills `{key}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_site_language_has_words_and_fills() {
        for lang in crate::config::SITE_LANGUAGES {
            assert!(LANGUAGES.iter().any(|(l, _)| l == lang), "{lang} has no words");
        }
        assert_eq!(fill(of("nl").title(What::PostCreated), &[("group", "Tuin")]), "Nieuw bericht in Tuin");
        assert_eq!(fill(of("xx").joined, &[("name", "Ada")]), "Ada joined the group");
    }
}
