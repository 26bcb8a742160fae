//! `Authorization: OAuth ...` parsing never panics, and whatever it accepts
//! survives a re-encode and a re-parse unchanged. The parsed pairs then go
//! through the signed-parameter collection and normalisation.

#![no_main]

use latchkey::oauth1::params::{RequestParams, authorization_header, parse_authorization_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(pairs) = parse_authorization_header(text) else {
        return;
    };
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let again = parse_authorization_header(&authorization_header(Some("realm"), &borrowed));
    assert_eq!(again.as_ref(), Ok(&pairs), "a parsed header must round-trip");
    if let Ok(params) = RequestParams::collect(Some(text), None, None) {
        let _ = params.normalized();
        let _ = params.signature();
    }
});
