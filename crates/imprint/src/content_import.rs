//! `imprint content import FILE`: many entries at once, from a JSON array or JSON lines of
//! `create_entry` arguments, through the service's bulk creation (one transaction per batch).
//!
//! Every line is read and checked before anything is written, so a malformed line (bad JSON,
//! an unknown parameter, a missing `sectionId`) names its line and leaves the store untouched.
//! Field values are checked by the service as each batch is written; a batch that fails
//! writes nothing, and the error says which line failed and exactly which lines were
//! written before it (earlier batches are committed).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use imprint_service::content::CreateEntry;
use imprint_service::{Service, ServiceError, api};
use serde_json::{Value, json};

use crate::progress::Progress;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A JSON array of entries, or one entry per line (JSON lines); `-` reads stdin. Each entry
    /// is what `imprint content create-entry` takes: {"sectionId": 1, "entryTypeId": 2,
    /// "siteId": 1, "attributeAndFieldData": {"title": "…", …}}.
    pub(crate) file: PathBuf,
    /// Entries written per transaction: a failure rolls back only its own batch.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch: u32,
}

/// One entry to write, and where it came from.
struct Line {
    /// 1-based: the line of a JSON lines file, or the position in an array.
    number: usize,
    request: CreateEntry,
}

pub fn run(service: &Service, args: ImportArgs, json: bool) -> Result<Value, ServiceError> {
    let started = Instant::now();
    let text = read(&args.file)?;
    let (lines, unit) = parse(&text)?;
    if lines.is_empty() {
        return Err(ServiceError::invalid(format!(
            "{}: no entries in it (a JSON array, or one JSON object per line)",
            args.file.display()
        )));
    }
    let progress = Progress::new("importing", lines.len() as u64, json);
    let mut written: Vec<(usize, i64)> = Vec::with_capacity(lines.len());
    let mut sections = std::collections::BTreeMap::<i64, usize>::new();
    for batch in batches(&lines, args.batch as usize) {
        let first = &batch[0].request;
        let entries = batch
            .iter()
            .map(|line| {
                line.request
                    .attribute_and_field_data
                    .clone()
                    .map(|data| data.0)
                    .unwrap_or_default()
            })
            .collect();
        let ids = service
            .bulk_create_entries(
                first.section_id.0,
                first.entry_type_id.map(|id| id.0),
                first.site_id.map(|id| id.0),
                entries,
            )
            .map_err(|error| failed(error, batch, &written, unit))?;
        for (line, id) in batch.iter().zip(&ids) {
            written.push((line.number, *id));
        }
        *sections.entry(first.section_id.0).or_default() += ids.len();
        progress.inc(ids.len() as u64);
    }
    progress.finish();
    let ids: Vec<i64> = written.iter().map(|(_, id)| *id).collect();
    Ok(json!({
        "status": "imported",
        "imported": ids.len(),
        "sections": sections.iter().map(|(id, n)| json!({"sectionId": id, "entries": n})).collect::<Vec<_>>(),
        "firstEntryId": ids.first(),
        "lastEntryId": ids.last(),
        "seconds": (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        "message": format!(
            "imported {} {} into {} {} in {:.2} s",
            ids.len(),
            if ids.len() == 1 { "entry" } else { "entries" },
            sections.len(),
            if sections.len() == 1 { "section" } else { "sections" },
            started.elapsed().as_secs_f64()
        ),
    }))
}

fn read(file: &Path) -> Result<String, ServiceError> {
    let mut text = String::new();
    let result = if file.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
    };
    result.map_err(|e| ServiceError::invalid(format!("{}: {e}", file.display())))?;
    Ok(text)
}

/// "line" or "entry": what a number in an error counts.
type Unit = &'static str;

/// Every entry, checked for shape; the first bad one is an error naming it.
fn parse(text: &str) -> Result<(Vec<Line>, Unit), ServiceError> {
    let nothing = "; nothing was written";
    if text.trim_start().starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(text).map_err(|e| {
            ServiceError::invalid(format!(
                "line {}, column {}: not a JSON array of entries: {e}{nothing}",
                e.line(),
                e.column()
            ))
        })?;
        let lines = items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                entry(item)
                    .map(|request| Line {
                        number: index + 1,
                        request,
                    })
                    .map_err(|problem| {
                        ServiceError::invalid(format!("entry {}: {problem}{nothing}", index + 1))
                    })
            })
            .collect::<Result<_, _>>()?;
        return Ok((lines, "entry"));
    }
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let number = index + 1;
        let bad =
            |problem: String| ServiceError::invalid(format!("line {number}: {problem}{nothing}"));
        let item: Value = serde_json::from_str(raw)
            .map_err(|e| bad(format!("not JSON ({e}); each line holds one entry object")))?;
        lines.push(Line {
            number,
            request: entry(item).map_err(bad)?,
        });
    }
    Ok((lines, "line"))
}

/// One entry as `create_entry` takes it (the same type, so the same parameter names).
fn entry(item: Value) -> Result<CreateEntry, String> {
    if !item.is_object() {
        return Err(format!(
            "an entry is an object like {{\"sectionId\": 1, \"attributeAndFieldData\": {{\"title\": \"…\"}}}}, not {}",
            kind_of(&item)
        ));
    }
    api::parse::<CreateEntry>(item).map_err(|e| e.message().to_string())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Runs of consecutive entries for the same section, entry type and site, at most `size`
/// long: each is one bulk write.
fn batches(lines: &[Line], size: usize) -> Vec<&[Line]> {
    let key = |line: &Line| {
        (
            line.request.section_id.0,
            line.request.entry_type_id.map(|id| id.0),
            line.request.site_id.map(|id| id.0),
        )
    };
    let mut out = Vec::new();
    let mut start = 0;
    for end in 1..=lines.len() {
        if end == lines.len() || end - start == size || key(&lines[end]) != key(&lines[start]) {
            out.push(&lines[start..end]);
            start = end;
        }
    }
    out
}

/// A batch's error, with the line that caused it (when the service says which entry) and
/// exactly what was written before.
fn failed(
    error: ServiceError,
    batch: &[Line],
    written: &[(usize, i64)],
    unit: Unit,
) -> ServiceError {
    let at = error
        .details()
        .and_then(|d| d.get("entry"))
        .and_then(Value::as_u64)
        .and_then(|index| batch.get(index as usize));
    let place = match at {
        Some(line) => format!("{unit} {}", line.number),
        None if batch.len() == 1 => format!("{unit} {}", batch[0].number),
        None => format!(
            "{unit}s {}–{}",
            batch[0].number,
            batch[batch.len() - 1].number
        ),
    };
    let before = match (written.first(), written.last()) {
        (Some((first_line, first_id)), Some((last_line, last_id))) => format!(
            "{} entries were written before it ({unit}s {first_line}–{last_line}, entry ids {first_id}–{last_id}); nothing from {unit} {} on",
            written.len(),
            batch[0].number
        ),
        _ => "nothing was written".to_string(),
    };
    let kind = error.kind();
    let message = format!("{place}: {}; {before}", error.message());
    let mut out = ServiceError::new(kind, message);
    if let Some(details) = error.details() {
        out = out.with_details(details.clone());
    }
    out
}
