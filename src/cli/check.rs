//! `latchkey check`: validate the configuration, print what is in force,
//! and say what a start would do to the database: its schema version and
//! the migrations it would run. The database is only looked at through a
//! read-only handle (`store::plan`), so checking never changes it; a file
//! from a newer latchkey is reported and left as it is (exit code 1).

use super::{Cli, load_config};
use crate::config::Settings;
use crate::store::{self, Plan, StoreError};
use std::path::Path;
use std::process::ExitCode;

/// What a start would do to the database at `path`, as comment lines, or
/// the refusal of a file this latchkey must not touch.
pub fn database(path: &Path) -> Result<String, String> {
    let current = store::SCHEMA_VERSION;
    let line = match store::plan(path) {
        Ok(Plan::Create) => format!("no database yet; a start creates one at schema {current}"),
        Ok(Plan::ConvertFormat { format }) => format!(
            "in redb's old file format v{format}; a start converts it in place (see \"Upgrade\" in the README), \
             then migrates it to schema {current}"
        ),
        Ok(Plan::Repair) => format!(
            "not closed cleanly (the server was killed); a start repairs it, then migrates it to schema {current} if needed"
        ),
        Ok(p @ Plan::Migrate { found }) if found < current => {
            format!("schema {found}; a start migrates it to schema {current} (steps {})", p.steps().join(", "))
        }
        Ok(Plan::Migrate { found }) => format!("schema {found}, current; a start migrates nothing"),
        Ok(Plan::TooNew { found }) => {
            return Err(format!(
                "{} was written by a newer latchkey (schema {found}); this one knows up to schema {current}. \
                 It was not changed: run the newer latchkey, or restore a backup made by this version",
                path.display()
            ));
        }
        Err(StoreError::Locked(_)) => "in use by a running server (which has brought it to its schema)".to_string(),
        Err(e) => return Err(format!("{} cannot be read: {e}", path.display())),
    };
    Ok(format!("# database {}\n#   {line}\n", path.display()))
}

pub fn run(cli: &Cli) -> ExitCode {
    let config = match load_config(cli, Settings::default()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("latchkey: {e}");
            return ExitCode::from(2);
        }
    };
    println!("# effective configuration (secrets redacted)");
    print!("{}", config.to_toml());
    match database(&config.data_dir.join("latchkey.redb")) {
        Ok(text) => {
            print!("\n{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("latchkey: {e}");
            ExitCode::from(1)
        }
    }
}
