//! `latchkey check`: validate the configuration and print what is in force.

use super::{Cli, load_config};
use crate::config::Settings;
use std::process::ExitCode;

pub fn run(cli: &Cli) -> ExitCode {
    match load_config(cli, Settings::default()) {
        Ok(c) => {
            println!("# effective configuration (secrets redacted)");
            print!("{}", c.to_toml());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("latchkey: {e}");
            ExitCode::from(2)
        }
    }
}
