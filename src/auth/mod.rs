//! Who is calling: members and their passwords, browser sessions, CSRF,
//! sign-in rate limits, and the secrets behind them.

pub mod applications;
pub mod caller;
pub mod clients;
pub mod consumers;
pub mod csrf;
pub mod members;
pub mod passwords;
pub mod ratelimit;
pub mod sealing;
pub mod secrets;
pub mod session;
pub mod setup;
pub mod usage;
