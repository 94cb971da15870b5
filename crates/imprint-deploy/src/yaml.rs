//! YAML files (Continue's `config.yaml`, Goose's `config.yaml`), edited as text, one entry at a
//! time, so that every byte outside the MCP section (keys, values, comments, blank lines,
//! quoting styles, anchors) stays exactly as written.
//!
//! The file is parsed with `saphyr-parser` (a YAML 1.2 event parser that reports positions) into
//! values plus the line where each top-level key and each entry of the MCP section starts. The
//! edit then works on lines:
//!
//! - Everything before the section's key line and after its last line is copied verbatim.
//! - Inside the section, an entry equal to the desired one keeps its text, including comments
//!   inside it and the comment lines just above it; a changed entry keeps the comments above
//!   it and has its body written anew; new entries are appended in the file's indentation;
//!   removed entries go, with the comment lines just above them.
//! - **Where comments are not kept**: comments *inside* an entry that changes, and any comment
//!   inside a section written in flow style (`mcpServers: [ … ]`) or holding no entries, which
//!   is rewritten whole as a block. Comments between the section key and its first entry, and
//!   after its last entry, are kept.
//!
//! - An entry kept as written that uses an alias (`*common`) of an anchor in an entry that
//!   changes or goes would no longer parse; then every entry of the section is written anew
//!   (comments inside the section are lost, the rest of the file is still kept).
//!
//! New text is written in block style with two-space steps; strings are plain where that is
//! unambiguous and double-quoted otherwise. Every edit is parsed back and compared with the
//! desired section and with the rest of the document before it is returned.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, SpannedEventReceiver};
use serde_json::{Map, Number, Value};

use crate::syntax::{Rewrite, Syntax, SyntaxError, check_edit, internal};
use imprint_engine::json::kind as kind_of;

/// The YAML syntax.
pub(crate) struct Yaml;

pub(crate) static YAML: Yaml = Yaml;

const BOM: char = '\u{feff}';

impl Syntax for Yaml {
    fn read(&self, text: &str, key: &str) -> Result<Option<Value>, SyntaxError> {
        let document = parse(strip_bom(text).1)?;
        match document.root.map(|node| node.value) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(root)) => Ok(root.get(key).filter(|v| !v.is_null()).cloned()),
            Some(other) => Err(SyntaxError::Shape(format!(
                "the top level is {}, not a mapping",
                kind_of(&other)
            ))),
        }
    }

    fn rewrite(&self, text: Option<&str>, change: &Rewrite) -> Result<String, SyntaxError> {
        let (bom, body) = strip_bom(text.unwrap_or(""));
        let document = parse(body)?;
        let before = match &document.root {
            Some(node) => node.value.clone(),
            None => Value::Null,
        };
        let attempt = |reuse: bool| -> Result<String, SyntaxError> {
            let mut editor = Editor::new(body, &document, change)?;
            editor.reuse = reuse;
            let edited = editor.edit()?;
            let after = parse(&edited)
                .map_err(|error| match error {
                    SyntaxError::Parse(message) => {
                        internal(&format!("the edit did not parse ({message})"))
                    }
                    shape => shape,
                })?
                .root
                .map_or(Value::Null, |node| node.value);
            check_edit(&before, &after, change.root_key, change.desired)?;
            Ok(edited)
        };
        // An entry kept as written can lean on another that changes (an alias of an anchor
        // defined there); then every entry is written anew, which still leaves the rest of the
        // file as it was.
        let edited = attempt(true).or_else(|first| attempt(false).map_err(|_| first))?;
        Ok(format!("{bom}{edited}"))
    }
}

fn strip_bom(text: &str) -> (&str, &str) {
    match text.strip_prefix(BOM) {
        Some(body) => (&text[..BOM.len_utf8()], body),
        None => ("", text),
    }
}

// ----- parsing ----------------------------------------------------------------------------

/// A parsed node: its value and where it starts (1-based line, 0-based column in characters).
#[derive(Debug, Clone)]
struct Node {
    value: Value,
    line: usize,
    col: usize,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Scalar,
    Seq(Vec<Node>),
    Map(Vec<(KeyAt, Node)>),
}

/// A mapping key and the (1-based) line it starts on.
#[derive(Debug, Clone)]
struct KeyAt {
    text: String,
    line: usize,
}

struct Document {
    root: Option<Node>,
}

enum Frame {
    Seq {
        line: usize,
        col: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        col: usize,
        anchor: usize,
        entries: Vec<(KeyAt, Node)>,
        key: Option<KeyAt>,
    },
}

/// Builds [`Node`]s from parser events.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    documents: usize,
    anchors: HashMap<usize, Value>,
    error: Option<SyntaxError>,
}

impl Builder {
    fn fail(&mut self, error: SyntaxError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.value.clone());
        }
        let pending = match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                return;
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                return;
            }
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(key) => {
                    entries.push((key, node));
                    return;
                }
                None => node,
            },
        };
        // `pending` is a key: a scalar, taken as written (`1: x` has the key "1")
        let text = match (&pending.kind, &pending.value) {
            (Kind::Scalar, Value::String(text)) => Some(text.clone()),
            (Kind::Scalar, Value::Null) => Some("null".to_string()),
            (Kind::Scalar, other) => Some(other.to_string()),
            _ => None,
        };
        match (text, self.stack.last_mut()) {
            (Some(text), Some(Frame::Map { key, .. })) => {
                *key = Some(KeyAt {
                    text,
                    line: pending.line,
                });
            }
            _ => self.fail(SyntaxError::Shape(format!(
                "a mapping key on line {} is a collection; such keys are not supported",
                pending.line
            ))),
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Builder {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        let (line, col) = (span.start.line(), span.start.col());
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(SyntaxError::Shape(
                        "the file holds several YAML documents; only single-document files are supported".into(),
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = match (style, tag.as_deref()) {
                    (_, Some(tag)) if tag.suffix == "str" => Value::String(text.into_owned()),
                    (ScalarStyle::Plain, _) => resolve_plain(&text),
                    _ => Value::String(text.into_owned()),
                };
                self.push(
                    Node {
                        value,
                        line,
                        col,
                        kind: Kind::Scalar,
                    },
                    anchor,
                );
            }
            Event::Alias(anchor) => {
                let value = self.anchors.get(&anchor).cloned().unwrap_or(Value::Null);
                self.push(
                    Node {
                        value,
                        line,
                        col,
                        kind: Kind::Scalar,
                    },
                    0,
                );
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                line,
                col,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                line,
                col,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    line,
                    col,
                    anchor,
                    items,
                }) = self.stack.pop()
                {
                    let value = Value::Array(items.iter().map(|n| n.value.clone()).collect());
                    self.push(
                        Node {
                            value,
                            line,
                            col,
                            kind: Kind::Seq(items),
                        },
                        anchor,
                    );
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    line,
                    col,
                    anchor,
                    entries,
                    ..
                }) = self.stack.pop()
                {
                    let mut value = Map::new();
                    for (key, node) in &entries {
                        if value.insert(key.text.clone(), node.value.clone()).is_some() {
                            self.fail(SyntaxError::Parse(format!(
                                "duplicate key '{}' on line {}",
                                key.text, key.line
                            )));
                        }
                    }
                    self.push(
                        Node {
                            value: Value::Object(value),
                            line,
                            col,
                            kind: Kind::Map(entries),
                        },
                        anchor,
                    );
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

fn parse(text: &str) -> Result<Document, SyntaxError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, true)
        .map_err(|error: ScanError| {
            SyntaxError::Parse(format!(
                "{} on line {} column {}",
                error.info(),
                error.marker().line(),
                error.marker().col() + 1
            ))
        })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok(Document { root: builder.root })
}

/// A plain scalar under the YAML 1.2 core schema. `.inf` and `.nan` have no JSON form and stay
/// text (they are compared, never written).
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(number) = integer(text) {
        return number;
    }
    if is_float(text)
        && let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(number);
    }
    Value::String(text.to_string())
}

fn integer(text: &str) -> Option<Value> {
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok().map(Value::from);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Value::from);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>()
        .map(Value::from)
        .ok()
        .or_else(|| text.parse::<u64>().map(Value::from).ok())
        .or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
        })
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

// ----- editing ----------------------------------------------------------------------------

/// One entry of the section as written: the comment lines just above it, and its own lines.
struct Chunk<'t> {
    lead: String,
    content: &'t str,
    value: &'t Value,
    /// The entry's name (map key, or the list item's `item_key`), to recognize a changed entry.
    name: Option<String>,
    used: bool,
}

struct Editor<'t> {
    /// Whether entries equal to the desired ones keep their text (else all are written anew).
    reuse: bool,
    source: &'t str,
    lines: Vec<&'t str>,
    eol: &'static str,
    document: &'t Document,
    change: &'t Rewrite<'t>,
}

impl<'t> Editor<'t> {
    fn new(
        source: &'t str,
        document: &'t Document,
        change: &'t Rewrite<'t>,
    ) -> Result<Self, SyntaxError> {
        let lines: Vec<&str> = source.split_inclusive('\n').collect();
        let eol = if lines.first().is_some_and(|l| l.ends_with("\r\n")) {
            "\r\n"
        } else {
            "\n"
        };
        if !matches!(change.desired, Value::Object(_) | Value::Array(_)) {
            return Err(SyntaxError::Shape(format!(
                "'{}' must be a mapping or a list of servers, not {}",
                change.root_key,
                kind_of(change.desired)
            )));
        }
        Ok(Editor {
            reuse: true,
            source,
            lines,
            eol,
            document,
            change,
        })
    }

    fn edit(&self) -> Result<String, SyntaxError> {
        let root_key = self.change.root_key;
        let entries = match &self.document.root {
            None
            | Some(Node {
                value: Value::Null, ..
            }) => return Ok(self.append_section(self.document_end(0))),
            Some(Node {
                kind: Kind::Map(entries),
                line,
                col,
                ..
            }) if !self.is_flow(*line, *col) => entries,
            Some(node) => {
                return Err(SyntaxError::Shape(format!(
                    "the top level is {} written in flow style or not a mapping; only block mappings can be edited",
                    kind_of(&node.value)
                )));
            }
        };
        let Some(index) = entries.iter().position(|(key, _)| key.text == root_key) else {
            let end = self.document_end(entries.last().map_or(0, |(key, _)| key.line));
            return Ok(self.append_section(end));
        };
        let (key, node) = &entries[index];
        let key_index = key.line - 1;
        let region_end = match entries.get(index + 1) {
            Some((next, _)) => next.line - 1,
            None => self.document_end(key.line),
        };
        self.edit_section(key_index, region_end, node)
    }

    /// The index of the first line after the document's content: the end of the file, or a
    /// `...` end marker after line index `after`.
    fn document_end(&self, after: usize) -> usize {
        (after..self.lines.len())
            .find(|&i| {
                let line = self.lines[i].trim_end();
                line == "..." || line.starts_with("... ")
            })
            .unwrap_or(self.lines.len())
    }

    fn is_flow(&self, line: usize, col: usize) -> bool {
        self.char_at(line, col)
            .is_some_and(|c| matches!(c, '{' | '['))
    }

    fn char_at(&self, line: usize, col: usize) -> Option<char> {
        self.lines.get(line.checked_sub(1)?)?.chars().nth(col)
    }

    /// The text with a fresh section inserted before line index `at`.
    fn append_section(&self, at: usize) -> String {
        let mut out = String::new();
        for line in &self.lines[..at] {
            out.push_str(line);
        }
        push_block(&mut out, &self.fresh_section(), self.eol);
        for line in &self.lines[at..] {
            push_block(&mut out, line, self.eol);
        }
        out
    }

    /// `key:` and the desired entries, as a new block.
    fn fresh_section(&self) -> String {
        let mut out = String::new();
        out.push_str(&scalar_text(self.change.root_key));
        out.push(':');
        match self.change.desired {
            Value::Object(map) if !map.is_empty() => {
                out.push_str(self.eol);
                for (name, entry) in map {
                    out.push_str(&self.fresh_map_entry(name, entry, 2));
                }
            }
            Value::Array(items) if !items.is_empty() => {
                out.push_str(self.eol);
                for item in items {
                    out.push_str(&self.fresh_list_item(item, 2));
                }
            }
            Value::Array(_) => {
                out.push_str(" []");
                out.push_str(self.eol);
            }
            _ => {
                out.push_str(" {}");
                out.push_str(self.eol);
            }
        }
        out
    }

    fn fresh_map_entry(&self, name: &str, entry: &Value, indent: usize) -> String {
        let mut out = " ".repeat(indent);
        out.push_str(&scalar_text(name));
        out.push(':');
        Emitter { eol: self.eol }.after_colon(&mut out, entry, indent);
        out
    }

    fn fresh_list_item(&self, item: &Value, indent: usize) -> String {
        let mut out = " ".repeat(indent);
        out.push('-');
        Emitter { eol: self.eol }.list_item(&mut out, item, indent);
        out
    }

    fn fresh_entry(&self, map_key: Option<&str>, value: &Value, indent: usize) -> String {
        match map_key {
            Some(name) => self.fresh_map_entry(name, value, indent),
            None => self.fresh_list_item(value, indent),
        }
    }

    /// Rewrites the section whose key is on line index `key_index` and whose lines end before
    /// index `region_end`.
    fn edit_section(
        &self,
        key_index: usize,
        region_end: usize,
        node: &'t Node,
    ) -> Result<String, SyntaxError> {
        let starts = self.entry_starts(node)?;
        let block = matches!(node.kind, Kind::Map(_) | Kind::Seq(_))
            && !self.is_flow(node.line, node.col)
            && starts.first().is_some_and(|&first| first > key_index);
        let desired_empty = match self.change.desired {
            Value::Object(map) => map.is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => true,
        };
        if !block || desired_empty {
            return Ok(self.replace_whole(key_index, region_end));
        }

        let mut out = String::new();
        for line in &self.lines[..starts[0]] {
            out.push_str(line);
        }
        let (mut chunks, suffix, indent) = self.chunks(node, &starts, region_end);
        let spaced = chunks
            .iter()
            .skip(1)
            .any(|c| c.lead.starts_with(['\n', '\r']));
        let new_lead = if spaced { self.eol } else { "" };

        let desired: Vec<(Option<&str>, &Value)> = match self.change.desired {
            Value::Object(map) => map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
            Value::Array(items) => items.iter().map(|v| (None, v)).collect(),
            _ => Vec::new(),
        };
        for (map_key, wanted) in desired {
            let name = map_key
                .map(str::to_string)
                .or_else(|| self.item_name(wanted));
            let same = chunks.iter().position(|c| {
                self.reuse && !c.used && c.value == wanted && (map_key.is_none() || c.name == name)
            });
            let renamed = chunks
                .iter()
                .position(|c| !c.used && name.is_some() && c.name == name);
            match same.map(|i| (i, true)).or(renamed.map(|i| (i, false))) {
                Some((i, unchanged)) => {
                    let chunk = &mut chunks[i];
                    chunk.used = true;
                    push_block(&mut out, &chunk.lead, self.eol);
                    if unchanged {
                        push_block(&mut out, chunk.content, self.eol);
                    } else {
                        let fresh = self.fresh_entry(map_key, wanted, indent);
                        push_block(&mut out, &fresh, self.eol);
                    }
                }
                None => {
                    push_block(&mut out, new_lead, self.eol);
                    let fresh = self.fresh_entry(map_key, wanted, indent);
                    push_block(&mut out, &fresh, self.eol);
                }
            }
        }
        push_block(&mut out, &suffix, self.eol);
        for line in &self.lines[region_end..] {
            push_block(&mut out, line, self.eol);
        }
        Ok(out)
    }

    fn item_name(&self, item: &Value) -> Option<String> {
        let key = self.change.item_key?;
        item.get(key).and_then(Value::as_str).map(str::to_string)
    }

    /// The line index where each entry of the section starts (its key line, or its `-` line).
    fn entry_starts(&self, node: &Node) -> Result<Vec<usize>, SyntaxError> {
        match &node.kind {
            Kind::Map(entries) => Ok(entries.iter().map(|(key, _)| key.line - 1).collect()),
            Kind::Seq(items) => items
                .iter()
                .map(|item| self.dash_line(item))
                .collect::<Option<Vec<usize>>>()
                .ok_or_else(|| internal("a list entry's '-' could not be found")),
            Kind::Scalar => Ok(Vec::new()),
        }
    }

    /// The line index of the `-` that introduces `item`.
    fn dash_line(&self, item: &Node) -> Option<usize> {
        let index = item.line.checked_sub(1)?;
        let line = self.lines.get(index)?;
        let before: String = line.chars().take(item.col).collect();
        if self.char_at(item.line, item.col) == Some('-') || before.trim_end().ends_with('-') {
            return Some(index);
        }
        // `-` alone on a line, the item below it
        (0..index).rev().find(|&i| {
            let text = self.lines[i].trim();
            !(text.is_empty() || text.starts_with('#'))
        })
    }

    /// The section's entries as chunks, the lines after the last entry, and the entries'
    /// indentation.
    fn chunks(
        &self,
        node: &'t Node,
        starts: &[usize],
        region_end: usize,
    ) -> (Vec<Chunk<'t>>, String, usize) {
        let values: Vec<(Option<String>, &Value)> = match &node.kind {
            Kind::Map(entries) => entries
                .iter()
                .map(|(key, n)| (Some(key.text.clone()), &n.value))
                .collect(),
            Kind::Seq(items) => items
                .iter()
                .map(|n| (self.item_name(&n.value), &n.value))
                .collect(),
            Kind::Scalar => Vec::new(),
        };
        let indent = indentation(self.lines[starts[0]]);
        let mut chunks = Vec::with_capacity(starts.len());
        let mut lead = String::new();
        let mut suffix = String::new();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts
                .get(i + 1)
                .copied()
                .unwrap_or(region_end)
                .max(start + 1)
                .min(self.lines.len());
            let lines = &self.lines[start..end];
            // trailing blank lines, and comments no deeper than the entry, describe what follows
            let mut split = lines.len();
            while split > 1 {
                let line = lines[split - 1];
                let text = line.trim();
                if text.is_empty() || (text.starts_with('#') && indentation(line) <= indent) {
                    split -= 1;
                } else {
                    break;
                }
            }
            let content = self.span(start, start + split);
            let tail: String = lines[split..].concat();
            let (name, value) = values[i].clone();
            chunks.push(Chunk {
                lead: std::mem::take(&mut lead),
                content,
                value,
                name,
                used: false,
            });
            if i + 1 < starts.len() {
                lead = tail;
            } else {
                suffix = tail;
            }
        }
        (chunks, suffix, indent)
    }

    /// The text of lines `[from, to)` as one slice of the original.
    fn span(&self, from: usize, to: usize) -> &'t str {
        let start: usize = self.lines[..from].iter().map(|l| l.len()).sum();
        let len: usize = self.lines[from..to].iter().map(|l| l.len()).sum();
        &self.source[start..start + len]
    }

    /// Replaces the section (a flow collection, a scalar, or no entries) with a fresh block;
    /// trailing comment and blank lines of the region are kept.
    fn replace_whole(&self, key_index: usize, region_end: usize) -> String {
        let mut keep_from = region_end;
        while keep_from > key_index + 1 {
            let text = self.lines[keep_from - 1].trim();
            if text.is_empty() || text.starts_with('#') {
                keep_from -= 1;
            } else {
                break;
            }
        }
        let mut out = String::new();
        for line in &self.lines[..key_index] {
            out.push_str(line);
        }
        let indent = indentation(self.lines[key_index]);
        let block = self.fresh_section();
        let block: String = if indent == 0 {
            block
        } else {
            block
                .split_inclusive('\n')
                .map(|l| format!("{}{l}", " ".repeat(indent)))
                .collect()
        };
        push_block(&mut out, &block, self.eol);
        for line in &self.lines[keep_from..] {
            push_block(&mut out, line, self.eol);
        }
        out
    }
}

/// Appends `text`, first ending the previous line if it has no line end yet.
fn push_block(out: &mut String, text: &str, eol: &str) {
    if text.is_empty() {
        return;
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    out.push_str(text);
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

// ----- emitting ---------------------------------------------------------------------------

struct Emitter<'e> {
    eol: &'e str,
}

impl Emitter<'_> {
    /// After `key:` at `indent`.
    fn after_colon(&self, out: &mut String, value: &Value, indent: usize) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push_str(self.eol);
                self.mapping(out, map, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push_str(self.eol);
                self.sequence(out, items, indent + 2);
            }
            scalar => {
                out.push(' ');
                out.push_str(&value_text(scalar));
                out.push_str(self.eol);
            }
        }
    }

    fn mapping(&self, out: &mut String, map: &Map<String, Value>, indent: usize) {
        for (key, value) in map {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar_text(key));
            out.push(':');
            self.after_colon(out, value, indent);
        }
    }

    fn sequence(&self, out: &mut String, items: &[Value], indent: usize) {
        for item in items {
            out.push_str(&" ".repeat(indent));
            out.push('-');
            self.list_item(out, item, indent);
        }
    }

    /// After the `-` of an item at `indent`.
    fn list_item(&self, out: &mut String, item: &Value, indent: usize) {
        match item {
            Value::Object(map) if !map.is_empty() => {
                for (i, (key, value)) in map.iter().enumerate() {
                    if i == 0 {
                        out.push(' ');
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&scalar_text(key));
                    out.push(':');
                    self.after_colon(out, value, indent + 2);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                out.push_str(self.eol);
                self.sequence(out, items, indent + 2);
            }
            scalar => {
                out.push(' ');
                out.push_str(&value_text(scalar));
                out.push_str(self.eol);
            }
        }
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_text(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// A string as a plain scalar where that reads back as the same string in any YAML reader
/// (1.1 or 1.2), double-quoted otherwise (JSON string escapes are valid YAML escapes).
fn scalar_text(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.escape_default()))
    }
}

fn is_plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let first_ok = first.is_alphanumeric()
        || matches!(first, '/' | '.' | '_')
        || (first == '-'
            && text
                .chars()
                .nth(1)
                .is_some_and(|c| c.is_alphanumeric() || c == '-'));
    let chars_ok = text.chars().all(|c| {
        c.is_alphanumeric()
            || matches!(
                c,
                ' ' | '-' | '_' | '.' | '/' | ':' | '=' | '+' | '@' | '$' | '(' | ')' | ',' | ';'
            )
    });
    let lowered = text.to_ascii_lowercase();
    // YAML 1.1 readers take these as booleans or null; numbers-with-colons as sexagesimals
    let reserved = matches!(
        lowered.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
    ) || lowered.trim_start_matches(['-', '+']).starts_with(".inf")
        || lowered == ".nan";
    let numeric_looking = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-' | b'+' | b':'));
    first_ok
        && chars_ok
        && !reserved
        && !numeric_looking
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && matches!(resolve_plain(text), Value::String(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("True"), json!(true));
        assert_eq!(resolve_plain("300"), json!(300));
        assert_eq!(resolve_plain("-1.5e3"), json!(-1500.0));
        assert_eq!(resolve_plain("0x1F"), json!(31));
        assert_eq!(resolve_plain("1_000"), json!("1_000"));
        assert_eq!(resolve_plain("yes"), json!("yes"));
        assert_eq!(resolve_plain(".inf"), json!(".inf"));
    }

    #[test]
    fn strings_are_plain_only_when_unambiguous() {
        for plain in [
            "npx",
            "-y",
            "--port",
            "mcp-server-fetch",
            "/home/a b",
            "https://x.example/mcp",
            "a@1.2",
        ] {
            assert_eq!(scalar_text(plain), plain, "{plain}");
        }
        for quoted in [
            "",
            "yes",
            "1.0",
            "@scope/pkg",
            "a: b",
            "# x",
            " x",
            "12:30",
            "null",
            "-",
            "${secret:X}",
        ] {
            assert!(scalar_text(quoted).starts_with('"'), "{quoted}");
        }
    }
}
