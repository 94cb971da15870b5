//! Progress for long work (content imports, `store copy`): a bar on stderr for a person at a
//! terminal, nothing at all on a pipe, in a log file or under `--json`.
//!
//! stderr, not stdout: stdout carries the answer (and is the MCP stdio channel elsewhere), so
//! `imprint content import x.jsonl > out.txt` still shows the bar and keeps `out.txt` clean.
//! The bar is coloured unless `NO_COLOR` is set, as the rest of the CLI's output.
//!
//! ```ignore
//! let progress = Progress::new("importing", entries.len() as u64, json);
//! for entry in entries {
//!     write(entry)?;
//!     progress.inc(1);
//! }
//! progress.finish();
//! ```

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar that exists only when someone can see it: every method is a no-op on a
/// pipe, so callers never branch on where the output goes.
pub struct Progress {
    bar: Option<ProgressBar>,
}

// The spinner and labels have no caller yet (work of unknown size will use them).
#[allow(dead_code)]
impl Progress {
    /// A bar of `total` steps labelled `label` ("importing"), shown when [`shown`] says so.
    pub fn new(label: &str, total: u64, json: bool) -> Progress {
        Self::with(label, Some(total), json)
    }

    /// A spinner with a running count, for work whose size is not known up front.
    pub fn spinner(label: &str, json: bool) -> Progress {
        Self::with(label, None, json)
    }

    fn with(label: &str, total: Option<u64>, json: bool) -> Progress {
        if !shown(json) {
            return Progress { bar: None };
        }
        let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let template = match (total.is_some(), colour) {
            (true, true) => "{msg} [{bar:30.cyan/blue}] {pos}/{len} ({per_sec}, {eta} left)",
            (true, false) => "{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
            (false, true) => "{spinner:.cyan} {msg} {pos} ({per_sec})",
            (false, false) => "{spinner} {msg} {pos} ({per_sec})",
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            }
        };
        bar.set_style(style);
        bar.set_message(label.to_string());
        Progress { bar: Some(bar) }
    }

    /// `steps` more done.
    pub fn inc(&self, steps: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(steps);
        }
    }

    /// Exactly `done` steps done (when the work reports totals, as a batch writer does).
    pub fn set_position(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    /// Changes the label ("importing" → "checking").
    pub fn set_label(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }

    /// A line on stderr above the bar (or plainly on stderr when there is no bar), so a
    /// warning does not tear the bar apart.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => crate::say!("{line}"),
        }
    }

    /// Removes the bar; the caller prints its own summary after it.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Whether a bar is being drawn.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }
}

impl Drop for Progress {
    /// An early return (`?`) must not leave a half-drawn bar in front of the error message.
    fn drop(&mut self) {
        self.finish();
    }
}

/// Whether a bar is drawn: stderr is a terminal (not `TERM=dumb`), and the output is for a
/// person (no `--json`). `IMPRINT_PROGRESS=never` turns bars off at a terminal too (for
/// screen recordings and terminals that mangle redraws).
pub fn shown(json: bool) -> bool {
    if std::env::var("IMPRINT_PROGRESS").is_ok_and(|v| v == "never") {
        return false;
    }
    let dumb = std::env::var("TERM").is_ok_and(|term| term == "dumb");
    !json && !dumb && std::io::stderr().is_terminal()
}
