//! The application registry, protocol-neutral: applications (OAuth 2.0
//! clients and OAuth 1.0a consumers in one record), and grants (a member's
//! authorization of an application: approve, narrow, revoke, list). Both
//! protocols, the admin console, the member's Applications page, the API and
//! the command line call these operations.

pub mod applications;
pub mod consumers;
pub mod error;
pub mod grants;

pub use error::ClientError;
