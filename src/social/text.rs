//! What text the community accepts: a length limit on every field, no
//! control characters (a single-line field takes no line breaks either),
//! and tags in one canonical form.

use super::SocialError;

/// The longest value of each text field, in characters.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub group_name: usize,
    pub group_description: usize,
    pub title: usize,
    pub body: usize,
    pub comment: usize,
    pub tag: usize,
    pub tags: usize,
    pub reason: usize,
    pub query: usize,
}

pub const LIMITS: Limits = Limits {
    group_name: 100,
    group_description: 5_000,
    title: 200,
    body: 20_000,
    comment: 5_000,
    tag: 50,
    tags: 10,
    reason: 1_000,
    query: 100,
};

/// A one-line field: trimmed, non-empty when `required`, at most `max`
/// characters, no control characters.
pub fn line(field: &'static str, value: &str, max: usize, required: bool) -> Result<String, SocialError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(SocialError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(SocialError::invalid(field, format!("must be at most {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(SocialError::invalid(field, "must not contain control characters or line breaks"));
    }
    Ok(v.to_string())
}

/// A multi-line field: line breaks and tabs are kept (`\r\n` becomes
/// `\n`), other control characters are refused.
pub fn block(field: &'static str, value: &str, max: usize, required: bool) -> Result<String, SocialError> {
    let v = value.replace("\r\n", "\n");
    let v = v.trim();
    if required && v.is_empty() {
        return Err(SocialError::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(SocialError::invalid(field, format!("must be at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(SocialError::invalid(field, "must not contain control characters"));
    }
    Ok(v.to_string())
}

/// Tags as stored: lower-case letters, digits, `-` and `_`, sorted and
/// without repeats; a leading `#` is dropped.
pub fn tags(values: &[String]) -> Result<Vec<String>, SocialError> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        out.push(tag(v)?);
    }
    out.sort();
    out.dedup();
    if out.len() > super::LIMITS.tags {
        return Err(SocialError::invalid("tags", format!("at most {} tags", super::LIMITS.tags)));
    }
    Ok(out)
}

/// One tag in its stored form.
pub fn tag(v: &str) -> Result<String, SocialError> {
    let t = v.trim().trim_start_matches('#').to_lowercase();
    if t.is_empty() || t.chars().count() > super::LIMITS.tag {
        return Err(SocialError::invalid("tags", format!("each tag has 1 to {} characters", super::LIMITS.tag)));
    }
    if !t.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        return Err(SocialError::invalid("tags", "a tag has only letters, digits, '-' and '_'"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_refuse_control_characters_and_long_values() {
        assert_eq!(line("name", "  Gardeners ", 20, true).unwrap(), "Gardeners");
        assert!(line("name", "   ", 20, true).is_err());
        assert!(line("name", "a\nb", 20, true).is_err());
        assert!(line("name", "a\u{7}b", 20, true).is_err());
        assert!(line("name", &"é".repeat(21), 20, true).is_err());
        assert!(line("name", &"é".repeat(20), 20, true).is_ok());
        assert_eq!(block("body", "one\r\ntwo\tthree", 50, true).unwrap(), "one\ntwo\tthree");
        assert!(block("body", "nul\0", 50, true).is_err());
        assert!(block("body", "esc\u{1b}[31m", 50, true).is_err());
    }

    #[test]
    fn tags_take_one_form() {
        let t = |v: &[&str]| tags(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(t(&["#Rain", "garden", "rain"]).unwrap(), ["garden", "rain"]);
        assert!(t(&["two words"]).is_err());
        assert!(t(&[""]).is_err());
        assert!(t(&["a<b"]).is_err());
        assert!(t(&(0..11).map(|i| Box::leak(format!("t{i}").into_boxed_str()) as &str).collect::<Vec<_>>()).is_err());
        assert_eq!(t(&["Überweg"]).unwrap(), ["überweg"]);
    }
}
