//! `latchkey user add|list|passwd|disable|enable|delete`.

use super::{Cli, call, print_reply};
use crate::manage::Request;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a member.
    Add {
        username: String,
        #[arg(long)]
        admin: bool,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// List members.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a member's password (signs out their sessions).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Disable a member: they cannot sign in and their sessions end.
    Disable {
        username: String,
        #[arg(long)]
        json: bool,
    },
    /// Enable a disabled member again.
    Enable {
        username: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a member.
    Delete {
        username: String,
        #[arg(long)]
        json: bool,
    },
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            return Err("no password on standard input".into());
        }
        return Ok(pw);
    }
    if !std::io::stdin().is_terminal() {
        return Err("no terminal to ask for a password; pass --password-stdin".into());
    }
    let a = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
    let b = rpassword::prompt_password("Password again: ").map_err(|e| e.to_string())?;
    if a != b {
        return Err("the two passwords differ".into());
    }
    Ok(a)
}

fn one(v: &serde_json::Value, verb: &str) -> String {
    format!(
        "{verb} {} (id {}{})\n",
        v["username"].as_str().unwrap_or_default(),
        v["id"].as_str().unwrap_or_default(),
        if v["admin"].as_bool() == Some(true) { ", admin" } else { "" }
    )
}

fn table(v: &serde_json::Value) -> String {
    let mut out =
        format!("{:<6} {:<20} {:<24} {:<7} {:<9} {}\n", "ID", "USERNAME", "NAME", "ROLE", "STATUS", "CREATED");
    for u in v.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{:<6} {:<20} {:<24} {:<7} {:<9} {}\n",
            u["id"].as_str().unwrap_or_default(),
            u["username"].as_str().unwrap_or_default(),
            u["display_name"].as_str().unwrap_or_default(),
            if u["admin"].as_bool() == Some(true) { "admin" } else { "member" },
            if u["disabled"].as_bool() == Some(true) { "disabled" } else { "active" },
            u["created_at"].as_str().unwrap_or_default(),
        ));
    }
    out
}

pub fn run(cli: &Cli, cmd: &UserCommand) -> ExitCode {
    let fail = |e: String| {
        eprintln!("latchkey: {e}");
        ExitCode::from(2)
    };
    match cmd {
        UserCommand::Add { username, admin, display_name, email, password_stdin, json } => {
            let password = match read_password(*password_stdin) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let req = Request::UserAdd {
                username: username.clone(),
                display_name: display_name.clone(),
                email: email.clone(),
                password,
                admin: *admin,
            };
            print_reply(call(cli, req), *json, |v| one(v, "created"))
        }
        UserCommand::List { json } => print_reply(call(cli, Request::UserList), *json, table),
        UserCommand::Passwd { username, password_stdin, json } => {
            let password = match read_password(*password_stdin) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let req = Request::UserPasswd { username: username.clone(), password };
            print_reply(call(cli, req), *json, |v| one(v, "new password set for"))
        }
        UserCommand::Disable { username, json } => {
            let req = Request::UserDisable { username: username.clone(), disabled: true };
            print_reply(call(cli, req), *json, |v| one(v, "disabled"))
        }
        UserCommand::Enable { username, json } => {
            let req = Request::UserDisable { username: username.clone(), disabled: false };
            print_reply(call(cli, req), *json, |v| one(v, "enabled"))
        }
        UserCommand::Delete { username, json } => {
            let req = Request::UserDelete { username: username.clone() };
            print_reply(call(cli, req), *json, |v| one(v, "deleted"))
        }
    }
}
