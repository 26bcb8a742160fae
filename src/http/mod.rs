//! Request plumbing shared by every face (pages, the API, the protocol
//! endpoints): who is calling (`caller`: bearer or OAuth 1.0a -> `Principal`;
//! `visitor`: a browser session, with the `Member` and `Admin` gates),
//! where the request comes from (`conn`), CORS, security headers, the
//! stylesheet and script, the error types of pages (`page_error`) and of
//! the API (`problem`, RFC 9457), and keyset pagination (`page`).

pub mod assets;
pub mod body;
pub mod caller;
pub mod conn;
pub mod cors;
pub mod headers;
pub mod lang;
pub mod page;
pub mod page_error;
pub mod problem;
pub mod site;
pub mod visitor;
