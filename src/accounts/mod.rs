//! Members and their browser sessions: creating, finding and changing
//! members, the first admin's setup link, sign-in, and sessions. These are
//! operations (layer 5): they take the `App` and write the audit log.

pub mod members;
pub mod sessions;
pub mod setup;
