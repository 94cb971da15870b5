//! What a person reads: each command's typed answer (as its JSON) rendered as a one-line
//! confirmation, a table or a diff, then the next command to run. `--json` bypasses all
//! of this and prints the answer whole. Styling goes through `anstream`, which drops it
//! when stdout is not a terminal or NO_COLOR is set.

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use crate::words::cli_words;

/// Which command's answer is being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Clients,
    ServersList,
    DraftAdd,
    DraftRemove,
    DraftShow,
    DraftClear,
    DraftList,
    Validate,
    Publish,
    ConfigGet,
    /// `config diff` of a file or artifact you hold against the latest.
    Diff,
    /// `config diff` with no arguments: what publishing the draft would change.
    DiffDraft,
    /// `config diff --deployed`: the last deploy against the latest and the file's drift.
    DiffDeployed,
    History,
    Verify,
    Deploy,
    Status,
    SecretsList,
    ContentSearch,
    TokenList,
    /// `requests list`: each request with its diff, old → new.
    Requests,
    /// Anything else: the answer's message, or its fields.
    Other,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn s<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn n(value: &Value, key: &str) -> i64 {
    value.get(key).and_then(Value::as_i64).unwrap_or(0)
}

fn list(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// "1 server", "2 servers".
fn count(number: i64, noun: &str) -> String {
    if number == 1 {
        format!("{number} {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

/// An artifact id as a person compares them: its first 12 hex digits.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// `client/profile`, plus `/draft` when it is not the default one.
fn target(value: &Value) -> String {
    let mut out = format!("{}/{}", s(value, "client_id"), s(value, "profile_id"));
    let draft = s(value, "draft_name");
    if !draft.is_empty() && draft != "default" {
        out.push_str(&format!(" (draft {draft})"));
    }
    out
}

/// The flags that name the same target again in a suggested command.
fn flags(value: &Value) -> String {
    let mut out = String::new();
    let client = s(value, "client_id");
    if !client.is_empty() && client != "claude-desktop" {
        out.push_str(&format!(" --client {client}"));
    }
    let profile = s(value, "profile_id");
    if !profile.is_empty() && profile != "default" {
        out.push_str(&format!(" --profile {profile}"));
    }
    out
}

fn draft_flags(value: &Value) -> String {
    let mut out = flags(value);
    let draft = s(value, "draft_name");
    if !draft.is_empty() && draft != "default" {
        out.push_str(&format!(" --draft {draft}"));
    }
    out
}

fn next(out: &mut String, text: &str) {
    out.push_str(&format!("{} {text}\n", paint(DIM, "next:")));
}

/// A command in bold (dropped off a terminal).
pub fn bold(text: &str) -> String {
    paint(BOLD, text)
}

/// The answer's next steps as the CLI words them: the part of its `message` after the
/// first "; " (the CLI rewords the message's structured hint before rendering, see
/// `cli::worded`). None when the answer names no step.
fn said_next(value: &Value) -> Option<&str> {
    let steps = value.get("next").and_then(Value::as_array)?;
    if steps.is_empty() {
        return None;
    }
    s(value, "message").split_once("; ").map(|(_, after)| after)
}

fn cmd(text: &str) -> String {
    paint(BOLD, &format!("imprint {text}"))
}

/// How many columns `text` takes on screen: styles (`ESC [ … m`) take none.
fn width(text: &str) -> usize {
    let mut count = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => count += 1,
        }
    }
    count
}

/// A table: a bold header, columns padded to their widest cell (styles do not count).
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let line = |cells: Vec<String>, style: Option<Style>| {
        let last = cells.len().saturating_sub(1);
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == last {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        let text = text.trim_end().to_string();
        match style {
            Some(style) => paint(style, &text),
            None => text,
        }
    };
    out.push_str(&line(
        headers.iter().map(|h| h.to_string()).collect(),
        Some(BOLD),
    ));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.clone(), None));
        out.push('\n');
    }
}

/// Text cut to `max` characters with an ellipsis, for table cells.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".into()
    } else {
        text.to_string()
    }
}

/// The human rendering of `value`, the answer of the command `view` names.
pub fn render(view: View, value: &Value) -> String {
    let mut out = String::new();
    match view {
        View::Clients => {
            let clients = value.get("clients").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = clients
                .into_iter()
                .flatten()
                .map(|c| {
                    vec![
                        s(c, "client_id").to_string(),
                        s(c, "display_name").to_string(),
                        s(c, "format").to_string(),
                        s(c, "config_path").to_string(),
                    ]
                })
                .collect();
            table(&mut out, &["CLIENT", "NAME", "FORMAT", "FILE"], &rows);
            next(
                &mut out,
                &format!("{} to see what each file holds", cmd("status")),
            );
        }
        View::ServersList => {
            let servers = value.get("servers").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = servers
                .into_iter()
                .flatten()
                .map(|server| {
                    vec![
                        s(server, "server_id").to_string(),
                        s(server, "transport").to_string(),
                        cut(s(server, "description"), 64),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str("no catalog server matches\n");
            } else {
                table(&mut out, &["SERVER", "TRANSPORT", "DESCRIPTION"], &rows);
            }
            next(
                &mut out,
                &format!(
                    "{} for its parameters, {} to use one",
                    cmd("servers describe <id>"),
                    cmd("draft add <id>")
                ),
            );
        }
        View::DraftAdd => {
            out.push_str(&format!(
                "{} {} to {} ({})\n",
                paint(GREEN, "added"),
                s(value, "server_name"),
                target(value),
                count(n(value, "server_count"), "server")
            ));
            let secrets = list(value, "secrets");
            if !secrets.is_empty() {
                out.push_str(&format!(
                    "uses secrets: {} (store each with {})\n",
                    secrets.join(", "),
                    cmd("secrets set <NAME>")
                ));
            }
            if let Some(steps) = said_next(value) {
                next(&mut out, steps);
            }
        }
        View::DraftRemove => {
            out.push_str(&format!(
                "{} {} from {} ({})\n",
                paint(GREEN, "removed"),
                s(value, "server_name"),
                target(value),
                count(n(value, "server_count"), "server")
            ));
            next(
                &mut out,
                &format!(
                    "{} to review",
                    cmd(&format!("draft show{}", draft_flags(value)))
                ),
            );
        }
        View::DraftClear => {
            out.push_str(&format!(
                "{} {} ({} removed)\n",
                paint(GREEN, "cleared"),
                target(value),
                count(n(value, "servers_removed"), "server")
            ));
        }
        View::DraftShow => draft_show(value, &mut out),
        View::DraftList => {
            let drafts = value.get("drafts").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = drafts
                .into_iter()
                .flatten()
                .map(|d| {
                    vec![
                        s(d, "draft_name").to_string(),
                        n(d, "server_count").to_string(),
                        n(d, "draft_version").to_string(),
                        s(d, "updated_at").to_string(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str(&format!("no drafts for {}\n", target(value)));
                next(&mut out, &format!("{} to start one", cmd("draft add <id>")));
            } else {
                table(&mut out, &["DRAFT", "SERVERS", "VERSION", "UPDATED"], &rows);
            }
        }
        View::Validate => {
            let errors = value.get("errors").and_then(Value::as_array);
            let warnings = value.get("warnings").and_then(Value::as_array);
            let valid = value.get("valid").and_then(Value::as_bool) == Some(true);
            if valid {
                out.push_str(&format!(
                    "{} the draft of {} ({})\n",
                    paint(GREEN, "valid:"),
                    target(value),
                    count(n(value, "server_count"), "server")
                ));
            } else {
                out.push_str(&format!(
                    "{} the draft of {} does not validate\n",
                    paint(RED, "invalid:"),
                    target(value)
                ));
            }
            for (label, style, issues) in [("error", RED, errors), ("warning", YELLOW, warnings)] {
                for issue in issues.into_iter().flatten() {
                    out.push_str(&format!(
                        "  {} {}\n",
                        paint(style, &format!("{label}:")),
                        cli_words(s(issue, "message"))
                    ));
                }
            }
            if valid {
                next(&mut out, &cmd(&format!("publish{}", draft_flags(value))));
            }
        }
        View::Publish => {
            out.push_str(&format!(
                "{} revision {} of {} ({}), artifact {}\n",
                paint(GREEN, "published"),
                n(value, "sequence"),
                target(value),
                count(n(value, "server_count"), "server"),
                short(s(value, "artifact_id"))
            ));
            if let Some(steps) = said_next(value) {
                next(&mut out, steps);
            }
        }
        View::ConfigGet => {
            // The signed envelope is the thing itself: show it whole.
            out.push_str(&serde_json::to_string_pretty(value).unwrap_or_default());
            out.push('\n');
        }
        View::Diff | View::DiffDraft => diff(view, value, &mut out),
        View::DiffDeployed => diff_deployed(value, &mut out),
        View::History => {
            let revisions = value.get("revisions").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = revisions
                .into_iter()
                .flatten()
                .map(|r| {
                    let mut changelog = s(r, "changelog").to_string();
                    if let Some(to) = r.get("rolled_back_to").and_then(Value::as_str) {
                        changelog = format!("rollback to {} {changelog}", short(to));
                    }
                    vec![
                        n(r, "sequence").to_string(),
                        short(s(r, "artifact_id")).to_string(),
                        s(r, "created_at").to_string(),
                        s(r, "author").to_string(),
                        n(r, "server_count").to_string(),
                        or_dash(changelog.trim()),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str(&format!("nothing published for {}\n", target(value)));
            } else {
                table(
                    &mut out,
                    &[
                        "REV",
                        "ARTIFACT",
                        "CREATED",
                        "AUTHOR",
                        "SERVERS",
                        "CHANGELOG",
                    ],
                    &rows,
                );
            }
        }
        View::Verify => {
            if value.get("valid").and_then(Value::as_bool) == Some(true) {
                out.push_str(&format!(
                    "{} artifact {} (revision {}): id and signature check out\n",
                    paint(GREEN, "verified"),
                    short(s(value, "artifact_id")),
                    n(value, "sequence")
                ));
            } else {
                out.push_str(&format!(
                    "{} artifact {}: {}\n",
                    paint(RED, "NOT verified"),
                    short(s(value, "artifact_id")),
                    cli_words(s(value, "message"))
                ));
            }
        }
        View::Deploy => {
            out.push_str(&format!(
                "{} revision {} of {} into {}\n",
                paint(GREEN, "deployed"),
                n(value, "sequence"),
                target(value),
                s(value, "path")
            ));
            for (label, key) in [
                ("added", "added"),
                ("updated", "updated"),
                ("removed", "removed"),
            ] {
                let names = list(value, key);
                if !names.is_empty() {
                    out.push_str(&format!("  {label}: {}\n", names.join(", ")));
                }
            }
            if let Some(backup) = value.get("backup_path").and_then(Value::as_str) {
                out.push_str(&format!("  backup of the previous file: {backup}\n"));
            }
            for warning in value
                .get("warnings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push_str(&format!(
                    "  {}: {}\n",
                    paint(YELLOW, "warning"),
                    cli_words(s(warning, "message"))
                ));
            }
            let message = s(value, "message");
            // The service's message ends with what to do in the client ("restart …").
            if let Some((_, after)) = message.split_once("; ") {
                next(&mut out, &cli_words(after));
            }
        }
        View::Status => {
            let files = value.get("files").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = files
                .into_iter()
                .flatten()
                .map(|f| {
                    let servers = list(f, "servers");
                    let unmanaged = list(f, "unmanaged");
                    let mut cell = servers.join(", ");
                    if !unmanaged.is_empty() {
                        cell.push_str(&format!(" ({} not managed)", unmanaged.len()));
                    }
                    vec![
                        s(f, "client_id").to_string(),
                        s(f, "scope").to_string(),
                        state(s(f, "state")),
                        or_dash(&cell),
                        s(f, "path").to_string(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &["CLIENT", "SCOPE", "STATE", "SERVERS", "FILE"],
                &rows,
            );
            // A file that could not be read says why, under the table.
            for f in files.into_iter().flatten() {
                let error = s(f, "error");
                if !error.is_empty() {
                    out.push_str(&format!(
                        "{} {} ({}): {}\n",
                        paint(RED, "unreadable:"),
                        s(f, "client_id"),
                        s(f, "scope"),
                        cli_words(error)
                    ));
                }
            }
            let summary = s(value, "message");
            if !summary.is_empty() {
                out.push_str(&cli_words(summary));
                out.push('\n');
            }
            // Profiles followed from team servers: deployed here beside the server's latest.
            if let Some(team) = value.get("team").and_then(Value::as_array) {
                let number = |row: &Value, key: &str| {
                    row.get(key)
                        .and_then(Value::as_i64)
                        .map_or("-".to_string(), |n| n.to_string())
                };
                let rows: Vec<Vec<String>> = team
                    .iter()
                    .map(|row| {
                        vec![
                            s(row, "server").to_string(),
                            format!("{}/{}", s(row, "client_id"), s(row, "profile_id")),
                            number(row, "deployed_sequence"),
                            number(row, "remote_sequence"),
                            state(s(row, "state")),
                        ]
                    })
                    .collect();
                out.push('\n');
                table(
                    &mut out,
                    &["TEAM", "PROFILE", "DEPLOYED", "LATEST", "STATE"],
                    &rows,
                );
                for row in team {
                    let error = s(row, "error");
                    if !error.is_empty() {
                        out.push_str(&format!("{}: {error}\n", s(row, "server")));
                    }
                }
            }
        }
        View::SecretsList => {
            let secrets = value.get("secrets").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = secrets
                .into_iter()
                .flatten()
                .map(|secret| {
                    vec![
                        s(secret, "name").to_string(),
                        s(secret, "reference").to_string(),
                        s(secret, "kind").to_string(),
                        s(secret, "updated_at").to_string(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str("no secrets stored\n");
                next(&mut out, &cmd("secrets set <NAME>"));
            } else {
                table(&mut out, &["NAME", "REFERENCE", "KIND", "UPDATED"], &rows);
            }
        }
        View::ContentSearch => {
            let hits = value.get("results").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = hits
                .into_iter()
                .flatten()
                .map(|h| {
                    // Content answers are camelCase (the Craft plugin's names).
                    vec![
                        n(h, "entryId").to_string(),
                        cut(&or_dash(s(h, "title")), 40),
                        n(h, "sectionId").to_string(),
                        s(h, "status").to_string(),
                        or_dash(s(h, "uri")),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str("no entries match\n");
            } else {
                table(
                    &mut out,
                    &["ENTRY", "TITLE", "SECTION", "STATUS", "URI"],
                    &rows,
                );
                out.push_str(&format!("{}\n", count(rows.len() as i64, "result")));
            }
        }
        View::TokenList => {
            let tokens = value.get("tokens").and_then(Value::as_array);
            let rows: Vec<Vec<String>> = tokens
                .into_iter()
                .flatten()
                .map(|t| {
                    vec![
                        s(t, "id").to_string(),
                        s(t, "name").to_string(),
                        s(t, "status").to_string(),
                        s(t, "created_at").to_string(),
                        or_dash(s(t, "expires_at")),
                        or_dash(s(t, "last_used_at")),
                    ]
                })
                .collect();
            if rows.is_empty() {
                out.push_str("no tokens\n");
                next(&mut out, &cmd("token create --name <NAME>"));
            } else {
                table(
                    &mut out,
                    &["ID", "NAME", "STATUS", "CREATED", "EXPIRES", "LAST USED"],
                    &rows,
                );
            }
        }
        View::Requests => requests(value, &mut out),
        View::Other => other(value, &mut out),
    }
    out
}

/// `requests list`: one block per request, then its changes (`+` added, `-` removed,
/// `~` changed old → new): a config publish against the latest artifact, a content apply
/// against the live entry.
fn requests(value: &Value, out: &mut String) {
    let requests = value.get("requests").and_then(Value::as_array);
    let requests: Vec<&Value> = requests.into_iter().flatten().collect();
    if requests.is_empty() {
        out.push_str("no requests\n");
        return;
    }
    for r in requests {
        let what = if s(r, "kind") == "config" {
            format!(
                "publish {}/{} draft '{}'",
                s(r, "client_id"),
                s(r, "profile_id"),
                s(r, "draft_name")
            )
        } else {
            match r.pointer("/diff/entry_id").and_then(Value::as_i64) {
                Some(entry) => format!("apply draft {} to entry {entry}", n(r, "draft_id")),
                None => format!("apply draft {} (a new entry)", n(r, "draft_id")),
            }
        };
        out.push_str(&format!(
            "{} {what} at version {} ({}), asked by {}\n",
            paint(BOLD, s(r, "request_id")),
            n(r, "draft_version"),
            s(r, "status"),
            s(r, "requested_by")
        ));
        if let Some(changelog) = r.get("changelog").and_then(Value::as_str) {
            out.push_str(&format!("  {changelog}\n"));
        }
        let current = r.get("current_version").and_then(Value::as_i64);
        if s(r, "status") == "open" && current != Some(n(r, "draft_version")) {
            out.push_str(&paint(
                RED,
                &format!(
                    "  the draft {}: approval will refuse\n",
                    current.map_or("is gone".into(), |v| format!("is now at version {v}"))
                ),
            ));
        }
        let changes = r.pointer("/diff/changes").and_then(Value::as_array);
        let changes: Vec<&Value> = changes.into_iter().flatten().collect();
        if changes.is_empty() && s(r, "status") == "open" {
            out.push_str("  no change against the latest\n");
        }
        for change in changes {
            let path = s(change, "path");
            let before = change.get("before").filter(|v| !v.is_null());
            let after = change.get("after").filter(|v| !v.is_null());
            let line = match (before, after) {
                (None, _) => paint(GREEN, &format!("  + {path}: {}", shown(after))),
                (_, None) => paint(RED, &format!("  - {path}: {}", shown(before))),
                _ => paint(
                    YELLOW,
                    &format!("  ~ {path}: {} → {}", shown(before), shown(after)),
                ),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
}

fn state(state: &str) -> String {
    match state {
        "in-sync" | "up-to-date" => paint(GREEN, state),
        "drifted" | "outdated" | "behind" => paint(YELLOW, state),
        "unreadable" => paint(RED, state),
        _ => state.to_string(),
    }
}

fn draft_show(value: &Value, out: &mut String) {
    // Names are `server_names` today; `servers` becomes the list of names as the typed
    // answer grows (`entries` then holds the objects): read whichever holds strings.
    let names = match value.get("server_names") {
        Some(Value::Array(_)) => list(value, "server_names"),
        _ => value
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    };
    let version = n(value, "draft_version");
    if value.get("exists").and_then(Value::as_bool) == Some(false) || names.is_empty() {
        out.push_str(&format!("the draft of {} is empty\n", target(value)));
        next(
            out,
            &format!(
                "{} to find a server, {} to add it",
                cmd("servers list"),
                cmd(&format!("draft add <id>{}", draft_flags(value)))
            ),
        );
        return;
    }
    out.push_str(&format!(
        "draft of {}: {} (version {version})\n",
        target(value),
        count(names.len() as i64, "server")
    ));
    // The entries are under `entries` (by name) or, in older answers, `servers` (a list).
    let entries: Vec<Value> = match value.get("entries") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, entry)| {
                let mut entry = entry.clone();
                if let Value::Object(fields) = &mut entry {
                    fields
                        .entry("server_name")
                        .or_insert(Value::String(name.clone()));
                }
                entry
            })
            .collect(),
        Some(Value::Array(items)) => items.clone(),
        _ => value
            .get("servers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(Value::is_object)
            .collect(),
    };
    let rows: Vec<Vec<String>> = names
        .iter()
        .map(|name| {
            let entry = entries
                .iter()
                .find(|e| s(e, "server_name") == name)
                .cloned()
                .unwrap_or(Value::Null);
            let launch = match entry.get("url").and_then(Value::as_str) {
                Some(url) => url.to_string(),
                None => {
                    let mut words = vec![s(&entry, "command").to_string()];
                    words.extend(list(&entry, "args"));
                    words.join(" ")
                }
            };
            vec![
                name.clone(),
                or_dash(s(&entry, "server_id")),
                or_dash(s(&entry, "transport")),
                cut(launch.trim(), 72),
            ]
        })
        .collect();
    table(out, &["NAME", "SERVER", "TRANSPORT", "RUNS"], &rows);
    let flags = draft_flags(value);
    next(
        out,
        &format!(
            "{} to see what publishing changes, {} when ready",
            cmd(&format!("config diff{}", flags)),
            cmd(&format!("publish{flags}"))
        ),
    );
}

/// A change's value, short: strings as they are, the rest as JSON.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => cut(&other.to_string(), 80),
    }
}

/// A payload diff as `git diff --stat` would say it: `+` added, `-` removed, `~` changed.
/// The service compares the payload you hold (old) with the latest (new); the draft's diff
/// reads the other way round (latest → draft), as publishing would change it.
fn diff(view: View, value: &Value, out: &mut String) {
    let reverse = view == View::DiffDraft;
    let d = value.get("diff").cloned().unwrap_or(Value::Null);
    let (added, removed) = if reverse {
        (list(&d, "servers_removed"), list(&d, "servers_added"))
    } else {
        (list(&d, "servers_added"), list(&d, "servers_removed"))
    };
    let modified = list(&d, "servers_modified");
    if s(value, "status") == "unpublished" {
        out.push_str(&format!("nothing published yet for {}: ", target(value)));
        if added.is_empty() {
            out.push_str("the draft is empty too\n");
            let flags = draft_flags(value);
            next(
                out,
                &format!("{} to start one", cmd(&format!("draft add <id>{flags}"))),
            );
            return;
        }
        out.push_str(&format!(
            "publishing the draft adds {}\n",
            count(added.len() as i64, "server")
        ));
        for name in &added {
            out.push_str(&paint(GREEN, &format!("+ {name}")));
            out.push('\n');
        }
        next(out, &cmd(&format!("publish{}", draft_flags(value))));
        return;
    }
    let (old, new) = if reverse {
        ("latest published", "draft")
    } else {
        ("yours", "latest published")
    };
    if added.is_empty() && removed.is_empty() && modified.is_empty() {
        let behind = |c: &Value| s(c, "status") != "up-to-date";
        if value
            .get("clients")
            .and_then(Value::as_array)
            .is_some_and(|clients| clients.iter().any(behind))
        {
            // the same servers, but a client the latest publish has nothing for yet
            client_diffs(value, reverse, out);
        }
        if reverse {
            out.push_str(&format!(
                "the draft of {} matches the latest published artifact ({}): nothing to publish\n",
                target(value),
                short(s(value, "remote_artifact_id"))
            ));
        } else {
            out.push_str(&format!("{}\n", cli_words(s(value, "message"))));
        }
        return;
    }
    out.push_str(&format!(
        "{} {old} ({}) → {new} ({})\n",
        paint(BOLD, &format!("{}:", target(value))),
        short(s(
            value,
            if reverse {
                "remote_artifact_id"
            } else {
                "local_artifact_id"
            }
        )),
        short(s(
            value,
            if reverse {
                "local_artifact_id"
            } else {
                "remote_artifact_id"
            }
        )),
    ));
    // client id `all`: the linked clients each change reaches
    let reach = |name: &str| match value.pointer(&format!("/reaches/{name}")) {
        Some(clients) => format!("  → {}", or_dash(&list_of(clients).join(", "))),
        None => String::new(),
    };
    for name in &added {
        out.push_str(&paint(GREEN, &format!("+ {name}")));
        out.push_str(&reach(name));
        out.push('\n');
    }
    for name in &removed {
        out.push_str(&paint(RED, &format!("- {name}")));
        out.push_str(&reach(name));
        out.push('\n');
    }
    let changes = d.get("changes").and_then(Value::as_array);
    for name in &modified {
        out.push_str(&paint(YELLOW, &format!("~ {name}")));
        out.push_str(&reach(name));
        out.push('\n');
        for change in changes.into_iter().flatten() {
            let path = s(change, "path");
            // Paths look like `mcpServers.NAME.field…`: keep the field part under its server.
            let Some(field) = path.split_once(&format!(".{name}.")).map(|(_, f)| f) else {
                continue;
            };
            let (before, after) = if reverse {
                (change.get("after"), change.get("before"))
            } else {
                (change.get("before"), change.get("after"))
            };
            out.push_str(&format!(
                "    {field}: {} → {}\n",
                shown(before),
                shown(after)
            ));
        }
    }
    client_diffs(value, reverse, out);
    let flags = flags(value);
    if reverse {
        next(out, &cmd(&format!("publish{flags}")));
    } else {
        out.push_str(&format!("{}\n", cli_words(s(value, "message"))));
    }
}

/// Client id `all`: each linked client's payload diff, one line each.
fn client_diffs(value: &Value, reverse: bool, out: &mut String) {
    let Some(clients) = value.get("clients").and_then(Value::as_array) else {
        return;
    };
    out.push_str("per client:\n");
    for client in clients {
        let d = client.get("diff").cloned().unwrap_or(Value::Null);
        let (added, removed) = if reverse {
            (list(&d, "servers_removed"), list(&d, "servers_added"))
        } else {
            (list(&d, "servers_added"), list(&d, "servers_removed"))
        };
        let mut parts: Vec<String> = added.iter().map(|n| format!("+{n}")).collect();
        parts.extend(removed.iter().map(|n| format!("-{n}")));
        parts.extend(list(&d, "servers_modified").iter().map(|n| format!("~{n}")));
        let state = match s(client, "status") {
            "not_published" => "not published yet".to_string(),
            _ if parts.is_empty() => "no change".to_string(),
            _ => parts.join(" "),
        };
        out.push_str(&format!("  {}: {state}\n", s(client, "client_id")));
    }
}

fn list_of(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn diff_deployed(value: &Value, out: &mut String) {
    let deployed = value.get("deployed").cloned().unwrap_or(Value::Null);
    if value.get("published").and_then(Value::as_bool) == Some(false) {
        out.push_str(&format!(
            "nothing published yet for {}, so nothing to deploy or compare with {}
",
            target(&deployed),
            s(&deployed, "path")
        ));
        let flags = flags(&deployed);
        next(
            out,
            &format!(
                "{} to see the draft, {} then {}",
                cmd(&format!("config diff{flags}")),
                cmd(&format!("publish{flags}")),
                cmd(&format!("deploy{flags}"))
            ),
        );
        return;
    }
    if deployed.get("deployed").and_then(Value::as_bool) != Some(true) {
        out.push_str(&format!(
            "{} has never been deployed to {}\n",
            target(&deployed),
            s(&deployed, "path")
        ));
        next(out, &cmd(&format!("deploy{}", flags(&deployed))));
        return;
    }
    out.push_str(&format!(
        "{}: deployed {} into {} at {}\n",
        paint(BOLD, &target(&deployed)),
        short(s(&deployed, "artifact_id")),
        s(&deployed, "path"),
        s(&deployed, "deployed_at")
    ));
    match value.get("diff") {
        Some(diff_value) if !diff_value.is_null() => {
            out.push_str("the latest published artifact differs from the deployed one:\n");
            diff(View::Diff, diff_value, out);
        }
        _ => out.push_str("the deployed artifact is the latest published one\n"),
    }
    let drift = deployed.get("drift").cloned().unwrap_or(Value::Null);
    let changes = list(&drift, "changes");
    if drift.get("drifted").and_then(Value::as_bool) == Some(true) {
        out.push_str(&format!(
            "{} the file changed since the deploy:\n",
            paint(YELLOW, "drift:")
        ));
        for change in changes {
            out.push_str(&format!("  {}\n", cli_words(&change)));
        }
        next(
            out,
            &format!(
                "{} to adopt the file's servers, or {} to overwrite them",
                cmd(&format!("config import{}", flags(&deployed))),
                cmd(&format!("deploy --force{}", flags(&deployed)))
            ),
        );
    } else {
        out.push_str("the file has not changed since the deploy\n");
        if deployed.get("up_to_date").and_then(Value::as_bool) == Some(false) {
            next(out, &cmd(&format!("deploy{}", flags(&deployed))));
        }
    }
}

/// An answer without its own rendering: its message when it has one, else its fields.
fn other(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => match map.get("message").and_then(Value::as_str) {
            Some(message) => {
                out.push_str(&cli_words(message));
                out.push('\n');
            }
            None => fields(value, 0, out),
        },
        Value::String(text) => {
            out.push_str(text);
            out.push('\n');
        }
        other => fields(other, 0, out),
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some("-".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items)
            if items
                .iter()
                .all(|i| matches!(i, Value::String(_) | Value::Number(_))) =>
        {
            Some(
                items
                    .iter()
                    .map(|i| scalar(i).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
        _ => None,
    }
}

/// Every field, indented: what `-v` shows after the short rendering.
pub fn fields(value: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match scalar(item) {
                    Some(text) => out.push_str(&format!("{pad}{key}: {}\n", cli_words(&text))),
                    None => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        fields(item, indent + 1, out);
                    }
                }
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str(&format!("{pad}(none)\n"));
            }
            for item in items {
                match scalar(item) {
                    Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                    None => {
                        out.push_str(&format!("{pad}-\n"));
                        fields(item, indent + 1, out);
                    }
                }
            }
        }
        other => out.push_str(&format!(
            "{pad}{}\n",
            cli_words(&scalar(other).unwrap_or_default())
        )),
    }
}
