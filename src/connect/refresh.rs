//! The background refresh of OAuth 2.0 connections: every run renews the
//! connections whose access token expires within `AHEAD`, so no request
//! waits on a refresh; a refused refresh marks the connection for the
//! member to reconnect. The same run sweeps expired pending flows.

use super::oauth2::{self, Refreshed};
use crate::app::App;
use crate::connections::members;
use crate::tasks::Done;

/// How long before expiry a token is renewed.
pub const AHEAD: i64 = 300;
/// The most connections one run renews.
const BATCH: usize = 50;

/// One run: how many connections were renewed or marked, and flows swept.
pub async fn run_once(app: &App) -> Done {
    let mut done = members::sweep(app).await.map_err(|e| e.to_string())?;
    done += crate::connections::links::sweep(app).await.map_err(|e| e.to_string())?;
    let due = members::expiring(app, app.now() + AHEAD, BATCH).map_err(|e| e.to_string())?;
    for c in due {
        match oauth2::refresh(app, &c).await {
            Ok(Refreshed::Done) => done += 1,
            Ok(Refreshed::Skipped) => {}
            Ok(Refreshed::Refused(reason)) => {
                tracing::info!(connection = %c.id, %reason, "a provider refused to refresh a connection");
                done += 1;
            }
            // Tried again at the next run.
            Err(e) => tracing::warn!(connection = %c.id, error = %e, "cannot refresh a connection now"),
        }
    }
    Ok(done)
}
