//! Query-string and form-body parsing never panics, whatever it accepts
//! survives a re-encode (RFC 5849 §3.6) and a re-parse unchanged, and
//! collecting and normalising the parameters never panics either.

#![no_main]

use latchkey::oauth1::params::{RequestParams, parse_form_urlencoded};
use latchkey::oauth1::signature::percent_encode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pairs) = parse_form_urlencoded(text) {
        let encoded: Vec<String> =
            pairs.iter().map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v))).collect();
        let again = parse_form_urlencoded(&encoded.join("&"));
        assert_eq!(again.as_ref(), Ok(&pairs), "a parsed form must round-trip");
    }
    if let Ok(params) = RequestParams::collect(None, Some(text), Some(text)) {
        let _ = params.normalized();
        let _ = params.missing(&["oauth_consumer_key", "oauth_nonce"]);
    }
});
