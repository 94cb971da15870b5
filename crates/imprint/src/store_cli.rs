//! `imprint store copy`: move everything between the solo SQLite store and a team PostgreSQL
//! database (or any two stores), verified on the target. The copy itself is
//! `Service::copy_store`; this file names the two stores and prints the summary.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use imprint_service::copy::{CopyOptions, CopyProgress, CopySummary};
use imprint_service::{Service, ServiceError, ServiceOptions, paths};
use serde_json::json;

use crate::progress::Progress;

use crate::output;
use crate::store::{self, Named};

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy every draft, revision, deployment record, token, catalog entry, secret and content
    /// row into another store, then verify every revision there.
    #[command(after_help = "\
The source is this data directory's store (or --database); --from names another source and
copies into this one instead. Stores are named by a PostgreSQL URL or sqlite:DIR (a data
directory). The target must be empty; --replace deletes what it holds first. The copy is one
transaction on the target: if it fails, nothing was written. Secrets are copied encrypted:
the target's servers need this data directory's keys/secrets.key.

Examples:
  imprint store copy --to postgres://imprint@db.example:5432/imprint     # solo → team
  imprint store copy --from postgres://imprint@db.example:5432/imprint   # team → this data directory
  imprint --json store copy --to sqlite:/backup/imprint                  # summary as JSON")]
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The store to copy into: postgres://user@host:port/database or sqlite:DIR.
    #[arg(
        long,
        value_name = "URL",
        required_unless_present = "from",
        conflicts_with = "from"
    )]
    to: Option<String>,
    /// The store to copy from, into this data directory's store (or --database).
    #[arg(long, value_name = "URL")]
    from: Option<String>,
    /// Delete everything the target holds first (in the same transaction) instead of
    /// refusing a target that is not empty.
    #[arg(long)]
    replace: bool,
}

pub fn run(
    data_dir: Option<PathBuf>,
    database: Option<&str>,
    command: StoreCommand,
    json: bool,
) -> Result<(), ServiceError> {
    let StoreCommand::Copy(args) = command;
    let data_dir = match data_dir {
        Some(dir) => dir,
        None => paths::resolve_data_dir()?,
    };
    // The store this command would use anyway, and the one named by --to or --from.
    let (source_name, target_name) = match (&args.to, &args.from) {
        (Some(to), None) => (database, Some(to.as_str())),
        (None, Some(from)) => (Some(from.as_str()), database),
        _ => {
            return Err(ServiceError::invalid(
                "give exactly one of --to URL (copy this store there) or --from URL (copy it here)",
            ));
        }
    };
    if store::identity(&data_dir, source_name) == store::identity(&data_dir, target_name) {
        return Err(ServiceError::invalid(format!(
            "{} is both the source and the target of the copy: name another store",
            store::identity(&data_dir, source_name)
        )));
    }
    let source = store::open_named(&data_dir, source_name)?;
    let target = store::open_named(&data_dir, target_name)?;
    let home = paths::resolve_home_dir()?;
    let service = Service::new(
        ServiceOptions::new(data_dir.clone(), home),
        source.store.clone(),
    );
    let verify_dir = VerifyDir::for_target(&target)?;
    let options = CopyOptions {
        replace: args.replace,
        target_keys_dir: verify_dir.path().to_path_buf(),
    };
    // A bar per kind and stage on a terminal (a line left behind when it is done); nothing on
    // a pipe or under --json.
    let mut bar: Option<((&str, &str), Progress)> = None;
    let mut progress = |step: CopyProgress| {
        let key = (step.stage, step.kind);
        if bar.as_ref().is_none_or(|(current, _)| *current != key) {
            let label = format!("{} {}", step.stage, step.kind);
            bar = Some((key, Progress::new(&label, step.total, json)));
        }
        if let Some((_, shown)) = &bar {
            shown.set_position(step.done);
            if step.done == step.total && shown.is_visible() {
                shown.println(&format!("{} {} {}", step.stage, step.done, step.kind));
                shown.finish();
            }
        }
    };
    let summary = service.copy_store(target.store.clone(), &options, &mut progress)?;
    print_summary(&source, &target, &summary, json);
    Ok(())
}

/// Where the target's public keys are looked up when it is verified: an embedded target's
/// own data directory, or a fresh empty directory for a shared database (so the check uses
/// the database's keyring alone, as a replica elsewhere would). Removed when dropped.
enum VerifyDir {
    Embedded(PathBuf),
    Scratch(PathBuf),
}

impl VerifyDir {
    fn for_target(target: &Named) -> Result<Self, ServiceError> {
        if let Some(dir) = &target.data_dir {
            return Ok(VerifyDir::Embedded(dir.clone()));
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "imprint-copy-verify-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| ServiceError::internal(format!("cannot create {}: {e}", dir.display())))?;
        Ok(VerifyDir::Scratch(dir))
    }

    fn path(&self) -> &Path {
        match self {
            VerifyDir::Embedded(dir) | VerifyDir::Scratch(dir) => dir,
        }
    }
}

impl Drop for VerifyDir {
    fn drop(&mut self) {
        if let VerifyDir::Scratch(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn print_summary(source: &Named, target: &Named, summary: &CopySummary, json: bool) {
    if json {
        let mut value = serde_json::to_value(summary).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            object.insert("source".into(), json!(source.label));
            object.insert("target".into(), json!(target.label));
        }
        output::write_stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ));
        return;
    }
    let mut out = format!("copied {} → {}\n", source.label, target.label);
    for (kind, count) in &summary.copied {
        out.push_str(&format!("  {:<16} {count}\n", kind.replace('_', " ")));
    }
    out.push_str(&format!(
        "verified {} revisions on the target (signature and place of each)\n",
        summary.verified_revisions
    ));
    if summary.public_keys_archived > 0 {
        out.push_str(&format!(
            "archived {} public keys of other servers in the target's keys/archive/\n",
            summary.public_keys_archived
        ));
    }
    for note in &summary.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    output::write_stdout(&out);
}
