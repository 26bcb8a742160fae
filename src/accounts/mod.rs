//! Members and their browser sessions: creating, finding and changing
//! members, the first admin's setup link, sign-in, and sessions; a member's
//! own profile, password and avatar as the API changes them; one-time
//! sign-in links; sign-up and invites. These are operations (layer 5): they
//! take the `App` and write the audit log.

pub mod avatars;
pub mod members;
pub mod profile;
pub mod sessions;
pub mod setup;
pub mod signin_links;
pub mod signup;
