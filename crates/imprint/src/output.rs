//! How results look on a terminal: `--json` prints the service's JSON exactly; otherwise
//! the short human rendering of [`crate::human`], with every field after it under `-v`.

use std::io::Write as _;

use serde_json::Value;

use crate::human::{self, View};

pub fn print<T: serde::Serialize>(view: View, answer: &T, json: bool, verbose: bool) {
    let value = &serde_json::to_value(answer).unwrap_or(Value::Null);
    if json {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
        write_stdout(&format!("{text}\n"));
        return;
    }
    let mut out = human::render(view, value);
    if verbose && view != View::ConfigGet {
        out.push('\n');
        human::fields(value, 0, &mut out);
    }
    write_stdout(&out);
}

/// Writes to stdout, styles dropped unless it is a terminal and NO_COLOR is unset. A closed
/// pipe (`imprint servers list | head`) ends the output quietly instead of panicking.
pub fn write_stdout(text: &str) {
    let mut stdout = anstream::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
