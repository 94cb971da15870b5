//! What can follow an operation, or fix a failed one, as data: each surface words it.
//!
//! An operation says *which* operation comes next ([`NextStep::Publish`] for this
//! client/profile/draft), never how a surface spells it. A [`Hint`] is the sentence around
//! those steps ("view the draft to review, publish when ready"), kept as text pieces and steps
//! so that MCP can name tools (`publish_config`), the CLI commands (`imprint publish`), REST its
//! routes (`POST /v1/config/cursor/default/publish`) and the control panel its buttons
//! ("Publish"), each through its own [`Words`].
//!
//! The service's `message` fields and error messages are worded with [`ToolWords`] (the
//! operations' own names, which MCP uses as tool names): that is the text the old systems'
//! prompts know, so MCP passes it through unchanged. Other surfaces call [`Hint::reword`] (or
//! [`crate::ServiceError::worded`]) to put their words in place of the tool names.
//!
//! ```
//! use imprint_service::next::{Hint, NextStep, ToolWords};
//! let hint = Hint::text("; ").step(NextStep::ListCatalog).then(" lists them");
//! assert_eq!(hint.word(&ToolWords), "; list_available_servers lists them");
//! ```

use serde::{Deserialize, Serialize, Serializer};

/// An operation that can follow, with what it needs to be named precisely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum NextStep {
    /// See the catalog's server ids.
    ListCatalog,
    /// Add one's own catalog entry.
    RegisterServer,
    /// Add a server to a draft.
    AddServer(Draft),
    /// Remove a server from a draft.
    RemoveServer(Draft),
    /// Look at a draft.
    ViewDraft(Draft),
    /// Validate a draft.
    Validate(Draft),
    /// Publish a draft as a signed artifact.
    Publish(Draft),
    /// Write the latest artifact into the client's file (`force`: over drift).
    Deploy {
        client_id: String,
        profile_id: String,
        force: bool,
    },
    /// Take the client's file into the draft.
    ImportConfig(Draft),
    /// The published revisions.
    ConfigHistory {
        client_id: String,
        profile_id: String,
    },
    /// Find entries.
    SearchContent,
    /// Read one entry.
    GetEntry { entry_id: i64 },
    /// Change a live entry at once.
    UpdateEntry { entry_id: i64 },
    /// Start a draft of an entry (or, without one, of a new entry).
    CreateDraft { canonical_id: Option<i64> },
    /// Change a draft.
    UpdateDraft { draft_id: i64 },
    /// Make a draft live.
    ApplyDraft { draft_id: i64 },
    /// The drafts there are.
    ListDrafts,
    /// Remove a draft.
    DeleteDraft { draft_id: i64 },
    /// The clients Imprint knows.
    ListClients,
    /// One catalog entry in full (its parameters, the shape of an entry).
    DescribeServer,
    /// The sites.
    ListSites,
    /// The sections.
    ListSections,
    /// The entry types (each with its field layout id).
    ListEntryTypes,
    /// The fields.
    ListFields,
    /// The field types and their settings.
    ListFieldTypes,
    /// Change a section (its entry types, site settings, propagation).
    UpdateSection,
    /// Change a field layout's tabs (place fields).
    UpdateFieldLayout,
    /// Create an entry type.
    CreateEntryType,
    /// Create a live entry.
    CreateEntry,
    /// Create a field (of one of the field types).
    CreateField,
    /// Store a secret, for `${secret:NAME}` references in env vars.
    SetSecret,
    /// An entry's revisions.
    ListRevisions { entry_id: i64 },
    /// One revision of an entry, verified.
    GetRevision { entry_id: i64 },
    /// Make an old revision of an entry current again.
    RevertEntry { entry_id: i64 },
    /// Bring an entry back from the trash.
    RestoreEntry { entry_id: i64 },
    /// Move an entry to the trash.
    DeleteEntry { entry_id: i64 },
    /// Change an entry type (its field layout, say).
    UpdateEntryType,
    /// Delete an entry for good (not to the trash).
    DeleteEntryPermanently { entry_id: i64 },
    /// Make another site the primary one (on that site, not the one refused).
    MakeSitePrimary,
    /// One field layout, its elements with their uids.
    GetFieldLayout { field_layout_id: i64 },
    /// Delete a section (`force`: with the entries, drafts and revisions it holds).
    DeleteSection { section_id: i64, force: bool },
    /// Delete an entry type (`force`: with its entries, drafts and revisions).
    DeleteEntryType { entry_type_id: i64, force: bool },
    /// Delete a field (`force`: although entries hold values of it).
    DeleteField { field_id: i64, force: bool },
    /// Ask a publisher to publish a config draft as it is now.
    RequestPublish,
    /// Ask a publisher to apply a content draft as it is now.
    RequestApply,
    /// The review requests.
    ListRequests,
    /// Approve a review request (publish or apply exactly what it froze).
    ApproveRequest { request_id: String },
    /// `inner` (a deploy or an import) on the client's project-scope file under `project_dir`.
    InProject {
        project_dir: String,
        inner: Box<NextStep>,
    },
}

/// A config draft: client, profile and draft name, as every config step names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
}

impl Draft {
    pub fn new(client_id: &str, profile_id: &str, draft_name: &str) -> Draft {
        Draft {
            client_id: client_id.to_string(),
            profile_id: profile_id.to_string(),
            draft_name: draft_name.to_string(),
        }
    }
}

/// How a surface names steps.
pub trait Words {
    /// The step in this surface's terms (a tool, a command, a route, a button).
    fn step(&self, step: &NextStep) -> String;
    /// The verb for using a step ("call" a tool, "run" a command, "send" a request, "press" a button).
    fn verb(&self) -> &'static str;
    /// Whether this surface keeps a hint's own tool-words text where it has one
    /// ([`Hint::either`]): only the operations' own words do, so MCP's old texts stay.
    fn keeps_tool_texts(&self) -> bool {
        false
    }
}

/// The operations' own names: what MCP calls its tools, and what the service's messages say.
pub struct ToolWords;

impl Words for ToolWords {
    fn step(&self, step: &NextStep) -> String {
        match step {
            // the words the diff answers have always used
            NextStep::Deploy { force: true, .. } => "deploy_config (force)".to_string(),
            _ => tool_name(step).to_string(),
        }
    }

    fn verb(&self) -> &'static str {
        "call"
    }

    fn keeps_tool_texts(&self) -> bool {
        true
    }
}

/// The operation (and MCP tool) that does `step`.
pub fn tool_name(step: &NextStep) -> &'static str {
    match step {
        NextStep::ListCatalog => "list_available_servers",
        NextStep::RegisterServer => "register_server",
        NextStep::AddServer(_) => "add_server_to_config",
        NextStep::RemoveServer(_) => "remove_server_from_config",
        NextStep::ViewDraft(_) => "view_draft_config",
        NextStep::Validate(_) => "validate_config",
        NextStep::Publish(_) => "publish_config",
        NextStep::Deploy { .. } => "deploy_config",
        NextStep::ImportConfig(_) => "import_config",
        NextStep::ConfigHistory { .. } => "get_config_history",
        NextStep::SearchContent => "search_content",
        NextStep::GetEntry { .. } => "get_entry",
        NextStep::UpdateEntry { .. } => "update_entry",
        NextStep::CreateDraft { .. } => "create_draft",
        NextStep::UpdateDraft { .. } => "update_draft",
        NextStep::ApplyDraft { .. } => "apply_draft",
        NextStep::ListDrafts => "list_drafts",
        NextStep::DeleteDraft { .. } => "delete_draft",
        NextStep::ListClients => "list_clients",
        NextStep::DescribeServer => "describe_server",
        NextStep::ListSites => "get_sites",
        NextStep::ListSections => "get_sections",
        NextStep::ListEntryTypes => "get_entry_types",
        NextStep::ListFields => "get_fields",
        NextStep::ListFieldTypes => "get_field_types",
        NextStep::UpdateSection => "update_section",
        NextStep::UpdateFieldLayout => "update_field_layout",
        NextStep::CreateEntryType => "create_entry_type",
        NextStep::CreateEntry => "create_entry",
        NextStep::CreateField => "create_field",
        NextStep::SetSecret => "set_secret",
        NextStep::ListRevisions { .. } => "list_revisions",
        NextStep::GetRevision { .. } => "get_revision",
        NextStep::RevertEntry { .. } => "revert_entry",
        NextStep::RestoreEntry { .. } => "restore_entry",
        NextStep::DeleteEntry { .. } => "delete_entry",
        NextStep::UpdateEntryType => "update_entry_type",
        NextStep::DeleteEntryPermanently { .. } => "delete_entry",
        NextStep::MakeSitePrimary => "update_site",
        NextStep::GetFieldLayout { .. } => "get_field_layout",
        NextStep::DeleteSection { .. } => "delete_section",
        NextStep::DeleteEntryType { .. } => "delete_entry_type",
        NextStep::DeleteField { .. } => "delete_field",
        NextStep::RequestPublish => "request_publish",
        NextStep::RequestApply => "request_apply",
        NextStep::ListRequests => "list_requests",
        NextStep::ApproveRequest { .. } => "approve_request",
        NextStep::InProject { inner, .. } => tool_name(inner),
    }
}

/// The config crate's fix (the end of one of its messages) as a hint for `draft`.
pub fn config_fix(fix: &imprint_config::next::Fix, draft: &Draft) -> Hint {
    use imprint_config::next::{Piece, Step};
    fix.pieces()
        .iter()
        .fold(Hint::default(), |hint, piece| match piece {
            Piece::Text(text) => hint.then(text),
            Piece::Step(step) => hint.step(match step {
                Step::AddServer => NextStep::AddServer(draft.clone()),
                Step::RemoveServer => NextStep::RemoveServer(draft.clone()),
                Step::ListCatalog => NextStep::ListCatalog,
                Step::RegisterServer => NextStep::RegisterServer,
                Step::SetSecret => NextStep::SetSecret,
            }),
        })
}

/// The step a content-crate error names.
pub fn content_step(step: imprint_content::Step) -> NextStep {
    match step {
        imprint_content::Step::ListFields => NextStep::ListFields,
        imprint_content::Step::ListFieldTypes => NextStep::ListFieldTypes,
        imprint_content::Step::UpdateFieldLayout => NextStep::UpdateFieldLayout,
    }
}

/// A validation report's issues with their fixes in `words` (the report holds them in tool
/// words, as MCP shows them).
pub fn reword_report(
    report: &mut imprint_config::validate::ValidationReport,
    draft: &Draft,
    words: &dyn Words,
) {
    for issue in report.errors.iter_mut().chain(report.warnings.iter_mut()) {
        if let Some(fix) = &issue.fix {
            issue.message = config_fix(fix, draft).reword(&issue.message, words);
        }
    }
}

/// One piece of a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Step(NextStep),
    /// The surface's verb ("call", "run", …).
    Verb,
    /// Text the operations' own words have always used here (`pass force: true`), and what
    /// every other surface says instead.
    Either {
        tools: String,
        other: Vec<Part>,
    },
}

/// A sentence that names steps: text pieces and [`NextStep`]s, worded per surface.
/// Serialized as its steps only (`"next": [{"step": "publish", …}]`): the structured form a
/// program reads; the sentence is already in the answer's `message`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hint {
    parts: Vec<Part>,
}

impl Hint {
    /// A hint that starts with `text` (the separator after the message, usually).
    pub fn text(text: &str) -> Hint {
        Hint::default().then(text)
    }

    /// `text` appended.
    pub fn then(mut self, text: &str) -> Hint {
        self.parts.push(Part::Text(text.to_string()));
        self
    }

    /// `step` appended, named in the surface's words.
    pub fn step(mut self, step: NextStep) -> Hint {
        self.parts.push(Part::Step(step));
        self
    }

    /// The surface's verb appended ("call" / "run" / "send" / "press").
    pub fn verb(mut self) -> Hint {
        self.parts.push(Part::Verb);
        self
    }

    /// `tools` where the surface keeps the operations' own texts (MCP: an old text that does
    /// not follow the step's tool name, such as "pass force: true"), `other` everywhere else.
    pub fn either(mut self, tools: &str, other: Hint) -> Hint {
        self.parts.push(Part::Either {
            tools: tools.to_string(),
            other: other.parts,
        });
        self
    }

    /// `other`'s pieces appended.
    pub fn and(mut self, other: Hint) -> Hint {
        self.parts.extend(other.parts);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The steps named, in order.
    pub fn steps(&self) -> Vec<NextStep> {
        fn collect(parts: &[Part], out: &mut Vec<NextStep>) {
            for part in parts {
                match part {
                    Part::Step(step) => out.push(step.clone()),
                    Part::Either { other, .. } => collect(other, out),
                    Part::Text(_) | Part::Verb => {}
                }
            }
        }
        let mut steps = Vec::new();
        collect(&self.parts, &mut steps);
        steps
    }

    /// The sentence in `words`.
    pub fn word(&self, words: &dyn Words) -> String {
        fn word(parts: &[Part], words: &dyn Words, out: &mut String) {
            for part in parts {
                match part {
                    Part::Text(text) => out.push_str(text),
                    Part::Step(step) => out.push_str(&words.step(step)),
                    Part::Verb => out.push_str(words.verb()),
                    Part::Either { tools, .. } if words.keeps_tool_texts() => out.push_str(tools),
                    Part::Either { other, .. } => word(other, words, out),
                }
            }
        }
        let mut out = String::new();
        word(&self.parts, words, &mut out);
        out
    }

    /// `message` (worded with [`ToolWords`], holding this hint) with the hint in `words`
    /// instead; the last place it appears is the hint (a summary may name a tool too); a
    /// message without it is returned as it is.
    pub fn reword(&self, message: &str, words: &dyn Words) -> String {
        let as_tools = self.word(&ToolWords);
        match message.rfind(&as_tools) {
            Some(at) if !self.is_empty() => format!(
                "{}{}{}",
                &message[..at],
                self.word(words),
                &message[at + as_tools.len()..]
            ),
            _ => message.to_string(),
        }
    }
}

impl Serialize for Hint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.steps().serialize(serializer)
    }
}

/// An answer whose `message` ends with a [`Hint`]: a surface other than MCP rewords it.
pub trait Worded {
    /// The message with the hint in `words`.
    fn reword(&mut self, words: &dyn Words);
}

/// [`Worded`] for answers with `message: String` and `next: Hint`.
macro_rules! worded {
    ($($answer:ty),* $(,)?) => {$(
        impl $crate::next::Worded for $answer {
            fn reword(&mut self, words: &dyn $crate::next::Words) {
                self.message = self.next.reword(&self.message, words);
            }
        }
    )*};
}
pub(crate) use worded;

#[cfg(test)]
mod tests {
    use super::*;

    struct Shout;
    impl Words for Shout {
        fn step(&self, step: &NextStep) -> String {
            tool_name(step).to_uppercase()
        }
        fn verb(&self) -> &'static str {
            "do"
        }
    }

    #[test]
    fn a_hint_is_worded_per_surface_and_serialized_as_its_steps() {
        let draft = Draft::new("cursor", "default", "default");
        let hint = Hint::text("; ")
            .verb()
            .then(" ")
            .step(NextStep::ViewDraft(draft.clone()))
            .then(" to review, ")
            .step(NextStep::Publish(draft));
        assert_eq!(
            hint.word(&ToolWords),
            "; call view_draft_config to review, publish_config"
        );
        let message = format!("added x{}", hint.word(&ToolWords));
        assert_eq!(
            hint.reword(&message, &Shout),
            "added x; do VIEW_DRAFT_CONFIG to review, PUBLISH_CONFIG"
        );
        // a message that does not end with the hint is left alone
        assert_eq!(hint.reword("other", &Shout), "other");
        let json = serde_json::to_value(&hint).unwrap();
        assert_eq!(json[1]["step"], "publish");
        assert_eq!(json[1]["client_id"], "cursor");
        let back: Vec<NextStep> = serde_json::from_value(json).unwrap();
        assert_eq!(back, hint.steps());
    }

    #[test]
    fn the_lower_crates_steps_keep_their_tool_names() {
        use imprint_config::next::{Fix, Step};
        let draft = Draft::new("cursor", "default", "default");
        for step in [
            Step::AddServer,
            Step::RemoveServer,
            Step::ListCatalog,
            Step::RegisterServer,
            Step::SetSecret,
        ] {
            let fix = Fix::text("; with ").step(step).then(")");
            // MCP's text is the crate's own, byte for byte
            assert_eq!(config_fix(&fix, &draft).word(&ToolWords), fix.as_tools());
        }
        for step in [
            imprint_content::Step::ListFields,
            imprint_content::Step::ListFieldTypes,
            imprint_content::Step::UpdateFieldLayout,
        ] {
            assert_eq!(tool_name(&content_step(step)), step.tool_name());
        }
    }

    #[test]
    fn an_old_text_stays_for_tools_and_every_other_surface_words_the_step() {
        let force = NextStep::Deploy {
            client_id: "cursor".into(),
            profile_id: "default".into(),
            force: true,
        };
        let hint = Hint::text("; ")
            .either(
                "pass force: true",
                Hint::default().verb().then(" ").step(force.clone()),
            )
            .then(" to replace them");
        assert_eq!(hint.word(&ToolWords), "; pass force: true to replace them");
        assert_eq!(hint.word(&Shout), "; do DEPLOY_CONFIG to replace them");
        assert_eq!(hint.steps(), vec![force]);
    }
}
