//! The service error: one enum, classified by [`ErrorKind`] so every surface maps it in
//! exactly one place (MCP `isError`, HTTP status, CLI exit code).

use serde_json::Value;

/// What kind of failure this is, for the surfaces' mapping tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    Conflict,
    Unauthorized,
    Forbidden,
    /// A stored artifact failed verification: tampering or a lost key.
    Integrity,
    /// A file outside the store could not be read or written (permissions, disk);
    /// the message names the path and is safe to show.
    Io,
    /// A bug or a broken store; details go to the log, not to the caller.
    Internal,
    /// The database cannot be reached right now; the same request can succeed later.
    Unavailable,
}

impl ErrorKind {
    /// A stable machine-readable code (`{"error":{"code":…}}`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Integrity => "integrity",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

/// A failed operation. `Display` is for people and never holds secrets; `details`
/// carries structured context (validation issues, conflicting fields, drift).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    kind: ErrorKind,
    message: String,
    /// Boxed, as the hint: errors travel in every `Result` (clippy keeps them under 128 bytes).
    details: Option<Box<Value>>,
    /// What to do about it, as steps each surface words; `message` ends with it in tool words.
    /// Boxed: errors travel in every `Result`, and most have no hint.
    hint: Option<Box<crate::next::Hint>>,
    /// Hints inside `details`' strings (a validation report's issues), in tool words there;
    /// [`Self::worded_details`] words them per surface.
    detail_hints: Option<Box<[crate::next::Hint]>>,
    /// What failed underneath (a database error, say): for logs, never shown to a caller.
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ServiceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: None,
            hint: None,
            detail_hints: None,
            source: None,
        }
    }

    /// `hint` appended to the message (in the operations' own words, as MCP shows it); other
    /// surfaces word it their way with [`Self::worded`].
    pub fn with_hint(mut self, hint: crate::next::Hint) -> Self {
        self.message.push_str(&hint.word(&crate::next::ToolWords));
        self.hint = Some(Box::new(hint));
        self
    }

    /// `hint`, which the message already holds in the operations' own words somewhere (a
    /// lower crate's text such as "expects a field id (get_fields lists them), got 0"): the
    /// message stays as it is for MCP, other surfaces word the hint their way.
    pub fn with_hint_inside(mut self, hint: crate::next::Hint) -> Self {
        debug_assert!(
            self.message.contains(&hint.word(&crate::next::ToolWords)),
            "{:?} does not hold its hint",
            self.message
        );
        self.hint = Some(Box::new(hint));
        self
    }

    /// `details` whose strings hold `hints` in tool words (each issue's fix in a validation
    /// report): MCP shows them as they are, other surfaces through [`Self::worded_details`].
    pub fn with_worded_details(mut self, details: Value, hints: Vec<crate::next::Hint>) -> Self {
        self.details = Some(Box::new(details));
        self.detail_hints = (!hints.is_empty()).then(|| hints.into_boxed_slice());
        self
    }

    /// The details with their hints in `words` (unchanged when they hold none).
    pub fn worded_details(&self, words: &dyn crate::next::Words) -> Option<Value> {
        fn walk(value: &mut Value, hints: &[crate::next::Hint], words: &dyn crate::next::Words) {
            match value {
                Value::String(text) => {
                    for hint in hints {
                        *text = hint.reword(text, words);
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|v| walk(v, hints, words)),
                Value::Object(map) => map.values_mut().for_each(|v| walk(v, hints, words)),
                _ => {}
            }
        }
        let mut details = self.details.as_deref()?.clone();
        if let Some(hints) = &self.detail_hints {
            walk(&mut details, hints, words);
        }
        Some(details)
    }

    /// The steps that fix this, if the operation named any.
    pub fn hint(&self) -> Option<&crate::next::Hint> {
        self.hint.as_deref()
    }

    /// The message with its hint in `words` (a surface's commands, routes or buttons).
    pub fn worded(&self, words: &dyn crate::next::Words) -> String {
        match &self.hint {
            Some(hint) => hint.reword(&self.message, words),
            None => self.message.clone(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    pub fn with_source(mut self, source: Box<dyn std::error::Error + Send + Sync>) -> Self {
        self.source = Some(source);
        self
    }

    /// This error told after `prefix` as a `kind` refusal (a missing secret refusing a
    /// publish, say): its hint and details kept, so each surface still words the steps.
    pub(crate) fn told_after(mut self, kind: ErrorKind, prefix: &str) -> Self {
        self.kind = kind;
        self.message = format!("{prefix}{}", self.message);
        self
    }

    /// The same error with `text` added to its message (what to do next, say).
    pub fn with_suffix(mut self, text: &str) -> Self {
        self.message = format!("{}{text}", self.message);
        self
    }

    /// The message followed by every source's, for a log line.
    pub fn chain(&self) -> String {
        self.chain_worded(&crate::next::ToolWords)
    }

    /// [`Self::chain`] with the hint in `words`.
    pub fn chain_worded(&self, words: &dyn crate::next::Words) -> String {
        let mut text = self.worded(words);
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            next = cause.source();
        }
        text
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn details(&self) -> Option<&Value> {
        self.details.as_deref()
    }
}

impl From<imprint_store::StoreError> for ServiceError {
    fn from(error: imprint_store::StoreError) -> Self {
        use imprint_store::StoreError;
        match error {
            StoreError::NotFound => ServiceError::not_found("not found"),
            StoreError::Conflict(message) => {
                ServiceError::conflict(format!("concurrent change: {message}; retry"))
            }
            StoreError::Other(message) if names_a_full_disk(&message) => disk_full(None),
            StoreError::Other(message) => {
                ServiceError::internal(format!("storage failure: {message}"))
            }
            StoreError::Corrupt(message) => ServiceError::new(ErrorKind::Integrity, message),
            StoreError::TimedOut(message) => ServiceError::new(ErrorKind::Unavailable, message),
            StoreError::Backend(source) if is_disk_full(source.as_ref()) => disk_full(Some(source)),
            StoreError::Unavailable(message) => ServiceError::new(
                ErrorKind::Unavailable,
                format!("{message}; nothing was changed, retry when the database is back"),
            ),
            StoreError::Backend(source) => {
                ServiceError::internal("storage failure").with_source(source)
            }
            StoreError::Aborted(source) => match source.downcast::<ServiceError>() {
                Ok(error) => *error,
                Err(source) => ServiceError::internal(source.to_string()).with_source(source),
            },
        }
    }
}

impl From<imprint_config::ConfigError> for ServiceError {
    fn from(error: imprint_config::ConfigError) -> Self {
        use imprint_config::ConfigError;
        if let ConfigError::UnknownServer { server_id } = &error {
            // the config crate's text, with its step as data so each surface words it
            return ServiceError::not_found(format!("unknown server '{server_id}'")).with_hint(
                crate::next::Hint::text(": ")
                    .verb()
                    .then(" ")
                    .step(crate::next::NextStep::ListCatalog)
                    .then(" to see the catalog ids"),
            );
        }
        if let ConfigError::Fixable { message, fix } = &error {
            // the steps need no draft but the ones of a validation issue, which come with theirs
            let draft = crate::next::Draft::new(
                crate::config::DEFAULT_CLIENT,
                crate::config::DEFAULT_PROFILE,
                crate::config::DEFAULT_DRAFT,
            );
            return ServiceError::invalid(message.clone())
                .with_hint_inside(crate::next::config_fix(fix, &draft));
        }
        let kind = match &error {
            ConfigError::UnknownServer { .. } | ConfigError::UnknownClient { .. } => {
                ErrorKind::NotFound
            }
            _ => ErrorKind::InvalidInput,
        };
        ServiceError::new(kind, error.to_string())
    }
}

impl From<imprint_deploy::DeployError> for ServiceError {
    fn from(error: imprint_deploy::DeployError) -> Self {
        use imprint_deploy::DeployError;
        let (kind, details) = match &error {
            DeployError::Unmanaged { names, .. } => (
                ErrorKind::Conflict,
                Some(serde_json::json!({"unmanaged_servers": names})),
            ),
            DeployError::Drift { changes, .. } => (
                ErrorKind::Conflict,
                Some(serde_json::json!({"drift": changes})),
            ),
            DeployError::KeepsChanging { .. } => (ErrorKind::Conflict, None),
            DeployError::Parse { .. }
            | DeployError::Shape { .. }
            | DeployError::NotRegular { .. }
            | DeployError::Unsupported { .. } => (ErrorKind::InvalidInput, None),
            DeployError::Io { .. } => (ErrorKind::Io, None),
            // the service hands back its own store error instead; this is the fallback
            DeployError::NotRecorded { .. } => (ErrorKind::Internal, None),
        };
        let mut service_error = ServiceError::new(kind, error.to_string());
        service_error.details = details.map(Box::new);
        service_error
    }
}

impl From<imprint_engine::EngineError> for ServiceError {
    fn from(error: imprint_engine::EngineError) -> Self {
        use imprint_engine::EngineError;
        let kind = match error {
            EngineError::IdMismatch { .. } | EngineError::BadSignature { .. } => {
                ErrorKind::Integrity
            }
            _ => ErrorKind::Internal,
        };
        ServiceError::new(kind, error.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// A deploy's error for the client/profile it wrote to (and the project under whose
/// directory, for a project-scope file): a refusal over servers added by hand or over drift
/// gets what fixes it as steps (deploy with force, or import the file first), worded per
/// surface; MCP's text is the one it has always been.
pub(crate) fn deploy_failed(
    error: imprint_deploy::DeployError,
    client_id: &str,
    profile_id: &str,
    project_dir: Option<&std::path::Path>,
) -> ServiceError {
    use crate::next::{Draft, Hint, NextStep};
    use imprint_deploy::DeployError;
    let in_project = |step: NextStep| match project_dir {
        Some(dir) => NextStep::InProject {
            project_dir: dir.to_string_lossy().to_string(),
            inner: Box::new(step),
        },
        None => step,
    };
    let force = in_project(NextStep::Deploy {
        client_id: client_id.to_string(),
        profile_id: profile_id.to_string(),
        force: true,
    });
    let import = in_project(NextStep::ImportConfig(Draft::new(
        client_id,
        profile_id,
        crate::config::DEFAULT_DRAFT,
    )));
    let hint = match &error {
        DeployError::Unmanaged { .. } => Hint::text("; ")
            .either(
                "pass force: true",
                Hint::default().verb().then(" ").step(force),
            )
            .then(" to replace them, or ")
            .step(import)
            .then(" to adopt them first"),
        DeployError::Drift { .. } => Hint::text("; ")
            .either("run", Hint::default().verb())
            .then(" ")
            .step(import)
            .then(" to adopt the changes, or ")
            .either("pass force: true", Hint::default().step(force))
            .then(" to overwrite them"),
        _ => return error.into(),
    };
    ServiceError::from(error).with_hint(hint)
}

/// A refusal over a draft's validation `report` (with errors): `prefix`, then each error as
/// "CODE: message", the issues' fixes as steps for `draft` (in the summary and in the
/// report, given as the details), so each surface words them; MCP's text is the old one.
pub(crate) fn does_not_validate(
    prefix: &str,
    report: &imprint_config::validate::ValidationReport,
    draft: &crate::next::Draft,
) -> ServiceError {
    use crate::next::{Hint, config_fix};
    let mut summary = Hint::default();
    let mut fixes = Vec::new();
    for (at, issue) in report.errors.iter().enumerate() {
        if at > 0 {
            summary = summary.then("; ");
        }
        summary = summary.then(&format!("{}: ", issue.code));
        let fix = issue.fix.as_ref().and_then(|fix| {
            let fact = issue.message.strip_suffix(&fix.as_tools())?;
            Some((fact, config_fix(fix, draft)))
        });
        match fix {
            Some((fact, fix)) => {
                summary = summary.then(fact).and(fix.clone());
                fixes.push(fix);
            }
            None => summary = summary.then(&issue.message),
        }
    }
    let details = serde_json::to_value(report).unwrap_or(Value::Null);
    ServiceError::invalid(prefix)
        .with_hint(summary)
        .with_worded_details(details, fixes)
}

/// A full disk is not a bug: the caller (or the person running Imprint) can fix it, so it
/// is an `io` error saying so, never an opaque internal error.
fn disk_full(source: Option<Box<dyn std::error::Error + Send + Sync>>) -> ServiceError {
    let error = ServiceError::new(
        ErrorKind::Io,
        "the disk is full: the database could not be written and nothing was changed; free space on the disk that holds the data directory, then retry",
    );
    match source {
        Some(source) => error.with_source(source),
        None => error,
    }
}

/// Whether `error` or anything under it says the disk is full: `ENOSPC` as an I/O error, or
/// the backend's own words (SQLite's `SQLITE_FULL`, PostgreSQL's `disk_full`), which the
/// service only sees as text because it does not link either driver.
fn is_disk_full(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && (io.kind() == std::io::ErrorKind::StorageFull || io.raw_os_error() == Some(28))
        {
            return true;
        }
        if names_a_full_disk(&error.to_string()) {
            return true;
        }
        next = error.source();
    }
    false
}

fn names_a_full_disk(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    text.contains("database or disk is full")
        || text.contains("no space left on device")
        || text.contains("could not extend file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_publish_words_its_summary_and_details_per_surface() {
        use crate::next::{Draft, Words, tool_name};
        struct Shout;
        impl Words for Shout {
            fn step(&self, step: &crate::next::NextStep) -> String {
                tool_name(step).to_uppercase()
            }
            fn verb(&self) -> &'static str {
                "do"
            }
        }
        let report = imprint_config::validate::validate_payload(
            "cursor",
            &serde_json::json!({"mcpServers": {}}),
        );
        let error = does_not_validate(
            "refused: ",
            &report,
            &Draft::new("cursor", "default", "default"),
        );
        let as_tools = "the configuration has no servers; add one with add_server_to_config (see list_available_servers)";
        assert_eq!(
            error.message(),
            format!("refused: EMPTY_CONFIG: {as_tools}")
        );
        assert_eq!(error.details().unwrap()["errors"][0]["message"], as_tools);
        let shouted = "the configuration has no servers; add one with ADD_SERVER_TO_CONFIG (see LIST_AVAILABLE_SERVERS)";
        assert_eq!(
            error.worded(&Shout),
            format!("refused: EMPTY_CONFIG: {shouted}")
        );
        assert_eq!(
            error.worded_details(&Shout).unwrap()["errors"][0]["message"],
            shouted
        );
    }
    use imprint_store::StoreError;

    #[test]
    fn a_full_disk_is_an_io_error_that_says_so() {
        let enospc = StoreError::backend(std::io::Error::from_raw_os_error(28));
        let error = ServiceError::from(enospc);
        assert_eq!(error.kind(), ErrorKind::Io);
        assert!(error.message().starts_with("the disk is full"), "{error}");

        #[derive(Debug, thiserror::Error)]
        #[error("database or disk is full")]
        struct SqliteFull;
        let error = ServiceError::from(StoreError::backend(SqliteFull));
        assert_eq!(error.kind(), ErrorKind::Io);
        assert!(error.message().contains("free space"), "{error}");

        // any other backend failure stays internal
        let error = ServiceError::from(StoreError::backend(std::io::Error::from_raw_os_error(5)));
        assert_eq!(error.kind(), ErrorKind::Internal);
    }

    #[test]
    fn a_callers_error_comes_back_out_of_a_store_transaction_unchanged() {
        let original = ServiceError::invalid("uriFormat has an unclosed {")
            .with_details(serde_json::json!({"field": "uriFormat"}));
        let back = ServiceError::from(StoreError::aborted(original));
        assert_eq!(back.kind(), ErrorKind::InvalidInput);
        assert_eq!(back.message(), "uriFormat has an unclosed {");
        assert_eq!(back.details().unwrap()["field"], "uriFormat");
    }

    #[test]
    fn a_backend_failure_shows_a_generic_message_and_keeps_the_cause_for_logs() {
        let cause = std::io::Error::other("disk I/O error");
        let error = ServiceError::from(StoreError::backend(cause));
        assert_eq!(error.kind(), ErrorKind::Internal);
        assert_eq!(error.message(), "storage failure");
        assert_eq!(error.chain(), "storage failure: disk I/O error");
    }

    #[test]
    fn deploy_refusals_keep_their_old_text_and_carry_the_steps() {
        use crate::next::{Draft, NextStep};
        use imprint_deploy::DeployError;
        let unmanaged = DeployError::Unmanaged {
            path: "/h/.cursor/mcp.json".into(),
            names: vec!["notes".into(), "x".into()],
        };
        let error = deploy_failed(unmanaged, "cursor", "default", None);
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert_eq!(
            error.message(),
            "/h/.cursor/mcp.json has servers imprint did not put there: 'notes', 'x'; this deploy would change or remove them; pass force: true to replace them, or import_config to adopt them first"
        );
        assert_eq!(error.details().unwrap()["unmanaged_servers"][1], "x");
        let force = NextStep::Deploy {
            client_id: "cursor".into(),
            profile_id: "default".into(),
            force: true,
        };
        let import = NextStep::ImportConfig(Draft::new("cursor", "default", "default"));
        assert_eq!(
            error.hint().unwrap().steps(),
            vec![force.clone(), import.clone()]
        );
        let drift = DeployError::Drift {
            path: "/h/.cursor/mcp.json".into(),
            changes: vec!["server 'x' added by hand".into()],
        };
        let error = deploy_failed(drift, "cursor", "default", None);
        assert_eq!(
            error.message(),
            "the MCP section of /h/.cursor/mcp.json changed since the last deploy (server 'x' added by hand); run import_config to adopt the changes, or pass force: true to overwrite them"
        );
        assert_eq!(error.hint().unwrap().steps(), vec![import, force]);
        // a project-scope file: the same text, the steps name the project
        let drift = DeployError::Drift {
            path: "/p/.mcp.json".into(),
            changes: vec![],
        };
        let error = deploy_failed(drift, "claude-code", "default", Some("/p".as_ref()));
        assert!(error.message().ends_with(
            "; run import_config to adopt the changes, or pass force: true to overwrite them"
        ));
        assert!(matches!(
            &error.hint().unwrap().steps()[0],
            NextStep::InProject { project_dir, .. } if project_dir == "/p"
        ));
        // any other deploy error is converted as it always was
        let other = DeployError::KeepsChanging {
            path: "/p/.mcp.json".into(),
            attempts: 3,
        };
        assert!(
            deploy_failed(other, "cursor", "default", None)
                .hint()
                .is_none()
        );
    }

    #[test]
    fn an_unknown_server_keeps_the_config_crates_text_with_its_step() {
        let unknown = || imprint_config::ConfigError::UnknownServer {
            server_id: "githb".into(),
        };
        let error = ServiceError::from(unknown());
        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert_eq!(error.message(), unknown().to_string());
        assert_eq!(
            error.hint().unwrap().steps(),
            vec![crate::next::NextStep::ListCatalog]
        );
    }
}
