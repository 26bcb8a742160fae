//! `latchkey token list|revoke`: the grants the admin console's Tokens page
//! shows, and revoking one with every token under it.

use super::{Cli, call, print_reply};
use crate::manage::Request;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// List grants, newest first: application, member, protocol, scopes, dates, live tokens.
    List {
        /// Only this member's grants (a username).
        #[arg(long, value_name = "NAME")]
        member: Option<String>,
        /// Only grants to this application (client_id, consumer key or numeric id).
        #[arg(long, value_name = "CLIENT")]
        client: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a grant: every token under it stops working at once.
    Revoke {
        /// The grant's id, as `token list` shows it.
        grant: u64,
        #[arg(long)]
        json: bool,
    },
}

fn table(v: &serde_json::Value) -> String {
    let row = |cells: [&str; 8]| {
        format!(
            "{:<6} {:<24} {:<20} {:<11} {:<26} {:<21} {:<21} {}\n",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]
        )
    };
    let mut out = row(["ID", "APPLICATION", "MEMBER", "PROTOCOL", "SCOPES", "CREATED", "LAST_USED", "LIVE"]);
    for g in v.as_array().into_iter().flatten() {
        let s = |k: &str| g[k].as_str().unwrap_or_default();
        let live = g["live_tokens"].to_string();
        out.push_str(&row([
            s("id"),
            s("application"),
            s("member"),
            s("protocol"),
            s("scopes"),
            s("created_at"),
            s("last_used"),
            &live,
        ]));
    }
    out
}

pub fn run(cli: &Cli, cmd: &TokenCommand) -> ExitCode {
    match cmd {
        TokenCommand::List { member, client, json } => {
            let req = Request::TokenList { member: member.clone(), client: client.clone() };
            print_reply(call(cli, req), *json, table)
        }
        TokenCommand::Revoke { grant, json } => {
            print_reply(call(cli, Request::TokenRevoke { grant: *grant }), *json, |v| {
                format!(
                    "Revoked grant {} ({} for {}) with {} tokens.\n",
                    v["grant"]["id"].as_str().unwrap_or_default(),
                    v["grant"]["application"].as_str().unwrap_or_default(),
                    v["grant"]["member"].as_str().unwrap_or_default(),
                    v["tokens_revoked"],
                )
            })
        }
    }
}
