//! An application form's refusal (`registry::error::Problem`) in the
//! reader's words: one catalogue key per reason, with its variables. The
//! JSON API and the command line print the reason's English `Display`.

use crate::i18n::Text;
use crate::oauth1::signature::{MIN_RSA_BITS, RsaKeyError};
use crate::push::apns_cert::CertError;
use crate::registry::error::Problem;
use crate::scopes::ScopeError;
use crate::uri::redirect::RedirectError;

/// The words of a refused field, as a catalogue text.
pub fn text(p: &Problem) -> Text {
    match p {
        Problem::NameLength => Text::key("app-invalid-name-length"),
        Problem::NotHttpUrl => Text::key("app-invalid-url"),
        Problem::NotOrigin(o) => Text::key("app-invalid-origin").with("origin", o.as_str()),
        Problem::OriginNotBare(o) => Text::key("app-invalid-origin-bare").with("origin", o.as_str()),
        Problem::NoProtocol => Text::key("clients-protocols-error"),
        Problem::UnknownGrant(g) => Text::key("app-invalid-grant")
            .with("grant", g.as_str())
            .with("allowed", crate::registry::applications::GRANT_TYPES.join(", ")),
        Problem::PublicClientCredentials => Text::key("app-invalid-public-client-credentials"),
        Problem::RedirectNeeded => Text::key("app-invalid-redirect-needed"),
        Problem::Uri(u, e) => redirect(e).with("uri", u.as_str()),
        Problem::Scope(ScopeError::InvalidCharacter) => Text::key("app-invalid-scope-characters"),
        Problem::Scope(ScopeError::Unknown(s)) => Text::key("app-invalid-scope-unknown").with("scope", s.as_str()),
        Problem::TokenFormat(v) => Text::key("app-invalid-token-format").with("value", v.as_str()),
        Problem::SigningAlg(v) => Text::key("app-invalid-signing-alg").with("value", v.as_str()),
        Problem::Lifetime => Text::key("app-invalid-lifetime"),
        Problem::NoSecret => Text::key("app-invalid-no-secret"),
        Problem::ProtocolsFixed => Text::key("app-invalid-protocols-fixed"),
        Problem::ClientTypeFixed => Text::key("app-invalid-client-type-fixed"),
        Problem::RsaKey(RsaKeyError::PrivateKey) => Text::key("app-invalid-rsa-private"),
        Problem::RsaKey(RsaKeyError::NotPem) => Text::key("app-invalid-rsa-not-pem"),
        Problem::RsaKey(RsaKeyError::Invalid(d)) => Text::key("app-invalid-rsa-unreadable").with("detail", d.as_str()),
        // As text: "2048 bits", no thousands separator.
        Problem::RsaKey(RsaKeyError::TooShort { bits }) => {
            Text::key("app-invalid-rsa-short").with("bits", bits.to_string()).with("min", MIN_RSA_BITS.to_string())
        }
        Problem::SignatureMethod(m) => Text::key("app-invalid-signature-method").with("method", m.0.as_str()),
        Problem::RsaKeyNeeded => Text::key("app-invalid-rsa-needed"),
        Problem::RsaKeyUnused => Text::key("app-invalid-rsa-unused"),
        Problem::NoScope => Text::key("app-invalid-no-scope"),
        Problem::ConsumerLifetime => Text::key("app-invalid-consumer-lifetime"),
        // The push layer's own words (English), as a sentence.
        Problem::PushCredential(s) => Text::Raw(crate::web::setup::capitalise(s)),
        Problem::ApnsCertificate(e) => certificate(e),
    }
}

/// The words for an APNs certificate and key that cannot be used.
fn certificate(e: &CertError) -> Text {
    match e {
        CertError::NoCertificate => Text::key("app-invalid-apns-cert-none"),
        CertError::Unreadable(d) => Text::key("app-invalid-apns-cert-unreadable").with("detail", d.as_str()),
        CertError::NoKey => Text::key("app-invalid-apns-cert-no-key"),
        CertError::EncryptedKey => Text::key("app-invalid-apns-cert-encrypted"),
        CertError::UnsupportedKey => Text::key("app-invalid-apns-cert-key-unsupported"),
        CertError::KeyMismatch => Text::key("app-invalid-apns-cert-key-mismatch"),
        CertError::NotClientCertificate => Text::key("app-invalid-apns-cert-not-client"),
        CertError::NotYetValid(t) => {
            Text::key("app-invalid-apns-cert-not-yet-valid").with("when", crate::clock::human(*t))
        }
        CertError::Expired(t) => Text::key("app-invalid-apns-cert-expired").with("when", crate::clock::human(*t)),
        CertError::Topic => Text::key("app-invalid-apns-cert-topic"),
    }
}

/// The words for a redirect URI or callback; the caller adds the address
/// (`uri`), which every one of these messages names.
fn redirect(e: &RedirectError) -> Text {
    match e {
        RedirectError::Empty => Text::key("app-invalid-uri-empty"),
        RedirectError::Characters => Text::key("app-invalid-uri-characters"),
        RedirectError::NotAbsolute(_) => Text::key("app-invalid-uri-not-absolute"),
        RedirectError::Fragment => Text::key("app-invalid-uri-fragment"),
        RedirectError::UserInfo => Text::key("app-invalid-uri-user-info"),
        RedirectError::ForbiddenScheme(s) => Text::key("app-invalid-uri-scheme").with("scheme", s.as_str()),
        RedirectError::InsecureHttp(_) => Text::key("app-invalid-uri-http"),
        RedirectError::CustomSchemeWithoutDot(s) => {
            Text::key("app-invalid-uri-custom-scheme").with("scheme", s.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalogue, Lang, Tr};
    use crate::oauth1::signature::UnknownSignatureMethod;
    use std::sync::Arc;

    /// One of every reason.
    fn every() -> Vec<Problem> {
        let uri = |e| Problem::Uri("x".into(), e);
        vec![
            Problem::NameLength,
            Problem::NotHttpUrl,
            Problem::NotOrigin("o".into()),
            Problem::OriginNotBare("o".into()),
            Problem::NoProtocol,
            Problem::UnknownGrant("g".into()),
            Problem::PublicClientCredentials,
            Problem::RedirectNeeded,
            uri(RedirectError::Empty),
            uri(RedirectError::Characters),
            uri(RedirectError::NotAbsolute("x".into())),
            uri(RedirectError::Fragment),
            uri(RedirectError::UserInfo),
            uri(RedirectError::ForbiddenScheme("javascript".into())),
            uri(RedirectError::InsecureHttp("x".into())),
            uri(RedirectError::CustomSchemeWithoutDot("myapp".into())),
            Problem::Scope(ScopeError::InvalidCharacter),
            Problem::Scope(ScopeError::Unknown("s".into())),
            Problem::TokenFormat("t".into()),
            Problem::SigningAlg("a".into()),
            Problem::Lifetime,
            Problem::NoSecret,
            Problem::ProtocolsFixed,
            Problem::ClientTypeFixed,
            Problem::RsaKey(RsaKeyError::PrivateKey),
            Problem::RsaKey(RsaKeyError::NotPem),
            Problem::RsaKey(RsaKeyError::Invalid("d".into())),
            Problem::RsaKey(RsaKeyError::TooShort { bits: 512 }),
            Problem::SignatureMethod(UnknownSignatureMethod("m".into())),
            Problem::RsaKeyNeeded,
            Problem::RsaKeyUnused,
            Problem::NoScope,
            Problem::ConsumerLifetime,
            Problem::ApnsCertificate(CertError::NoCertificate),
            Problem::ApnsCertificate(CertError::Unreadable("d".into())),
            Problem::ApnsCertificate(CertError::NoKey),
            Problem::ApnsCertificate(CertError::EncryptedKey),
            Problem::ApnsCertificate(CertError::UnsupportedKey),
            Problem::ApnsCertificate(CertError::KeyMismatch),
            Problem::ApnsCertificate(CertError::NotClientCertificate),
            Problem::ApnsCertificate(CertError::NotYetValid(0)),
            Problem::ApnsCertificate(CertError::Expired(0)),
            Problem::ApnsCertificate(CertError::Topic),
        ]
    }

    #[test]
    fn every_reason_has_words_in_every_language() {
        let cat = Arc::new(Catalogue::load().unwrap());
        let (en, nl) = (Tr::new(cat.clone(), Lang::En), Tr::new(cat.clone(), Lang::Nl));
        let mut keys = std::collections::BTreeSet::new();
        for p in every() {
            let t = text(&p);
            let Text::Key(key, _) = &t else { panic!("{p:?} has no key") };
            assert!(cat.has(key), "{key} is not in the catalogue");
            assert!(keys.insert(*key), "{key} stands for two reasons");
            let (e, n) = (en.text(&t), nl.text(&t));
            assert!(!e.is_empty() && e != n, "{key}: {e:?} / {n:?}");
            assert!(!e.contains("{") && !n.contains("{"), "{key}: every variable is given: {e:?} / {n:?}");
        }
        let short = Problem::RsaKey(RsaKeyError::TooShort { bits: 512 });
        assert_eq!(nl.text(&text(&short)), "De RSA-sleutel is 512 bits; er zijn minstens 1024 bits nodig.");
        // The API and the command line keep the English.
        assert_eq!(short.to_string(), "the RSA key is 512 bits; at least 1024 bits are required");
        let expired = Problem::ApnsCertificate(CertError::Expired(1_782_900_000));
        assert_eq!(nl.text(&text(&expired)), "Het certificaat is verlopen op 2026-07-01 10:00 UTC; Apple weigert het.");
        let pushed = Problem::PushCredential("not JSON".into());
        assert_eq!(nl.text(&text(&pushed)), "Not JSON.");
    }
}
