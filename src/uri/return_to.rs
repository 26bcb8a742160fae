//! Where a page may send a visitor back to after sign-in.

/// A `return_to` is only ever a path on this site: it must start with one
/// `/`, hold no backslash or control character, and is then joined to the
/// public URL, so it can never send anyone to another origin.
pub fn safe_return_to(raw: &str) -> Option<String> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(|c| c.is_control() || c.is_whitespace())
        && raw.len() <= 2048;
    ok.then(|| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_stays_on_this_site() {
        assert_eq!(safe_return_to("/account").as_deref(), Some("/account"));
        assert_eq!(safe_return_to("/oauth2/authorize?a=b&c=d").as_deref(), Some("/oauth2/authorize?a=b&c=d"));
        for bad in
            ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", "/a\nb", "", "/ /x", "/\t/evil"]
        {
            assert_eq!(safe_return_to(bad), None, "{bad:?}");
        }
    }
}
