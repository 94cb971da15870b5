//! MCP client configuration operations: the catalog, drafts, validate, publish, read,
//! diff, history, rollback, verify, import and deploy.
//!
//! Tool and parameter names follow the earlier Python system (mcp-orchestration) so
//! prompts written for it keep working; its defects are fixed here: drafts persist,
//! parameter defaults apply, the same payload under two profiles keeps two records, and
//! deploy edits only the MCP section of a client's file.
//!
//! Beyond the old system: deploys into every client's own format (JSON, JSONC, TOML, YAML),
//! project-scope files (`project_dir`), secrets kept out of drafts, artifacts and the database
//! (see [`crate::secrets`]; deploy writes the value or the client's own reference), and a
//! status of every client file on the machine ([`Service::get_deployment_status`]).
//!
//! Every operation takes one request type, defined next to it (`AddServerToConfig` for
//! `add_server_to_config`, …): the MCP tool's input schema, the REST body or query, the CLI's
//! flags and the control panel's forms are all that type. Field doc comments are what a model
//! reads; a field is required exactly when the operation cannot run without it. Each answers
//! one response type, defined next to it too (`ServerAdded` for `add_server_to_config`, …): its
//! field order is the JSON key order every surface shows, and surfaces read its fields, never
//! keys out of untyped JSON. Parts that are free-form by nature (a rendered client payload, a
//! signed envelope) stay `Value` inside them.
//!
//! - [`catalog`]: clients, profiles and the server catalog.
//! - [`drafts`]: the draft of a client/profile, and its validation.
//! - [`publish`]: signed artifacts: publish, read, history, diff, rollback, verify, keys.
//! - [`deploy`]: the client's own file: import, deploy, what was deployed, status.
//! - [`install`]: whether a server's program is on this machine, and installing its package.

use imprint_config::clients::{self, ClientSpec, SectionShape};
use imprint_config::ids;
use imprint_deploy::SectionLayout;
use serde_json::{Map, Value, json};

use crate::error::{ServiceError, ServiceResult};

pub const DEFAULT_CLIENT: &str = "claude-desktop";
pub const DEFAULT_PROFILE: &str = "default";
pub const DEFAULT_DRAFT: &str = "default";

/// Envelope format version, recorded in every artifact's metadata.
pub const ARTIFACT_FORMAT: &str = "imprint.artifact.v1";

/// Which draft of which client/profile an operation is about.
#[derive(Debug, Clone)]
pub struct Target {
    pub client_id: String,
    pub profile_id: String,
    pub draft_name: String,
    /// When set (a request's `expected_version`; HTTP `If-Match`), a draft write happens only
    /// if the draft is still at this version — checked atomically by the store, never retried.
    pub expected_version: Option<i64>,
}

impl Target {
    /// Fills the documented defaults and validates every identifier before it can reach
    /// a path or a query.
    pub fn new(
        client_id: Option<&str>,
        profile_id: Option<&str>,
        draft_name: Option<&str>,
    ) -> ServiceResult<Self> {
        let client_id = client_id
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_CLIENT)
            .to_string();
        // "all" passes the id rules; operations that need one client's record say so
        let profile_id = profile_id
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_PROFILE)
            .to_string();
        let draft_name = draft_name
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_DRAFT)
            .to_string();
        ids::validate_id("client_id", &client_id)?;
        ids::validate_id("profile_id", &profile_id)?;
        ids::validate_id("draft_name", &draft_name)?;
        Ok(Self {
            client_id,
            profile_id,
            draft_name,
            expected_version: None,
        })
    }

    /// The same target, writing only while the draft is at `version`.
    pub fn expecting(mut self, version: Option<i64>) -> Self {
        self.expected_version = version;
        self
    }

    /// The error for a draft that moved past the version the caller expected.
    fn stale(&self, current: Option<i64>) -> ServiceError {
        let now = current.map_or_else(
            || "does not exist".to_string(),
            |v| format!("is at version {v}"),
        );
        ServiceError::conflict(format!(
            "draft '{}' of {}/{} {now}, not version {}: read it again, review, and retry with its current version",
            self.draft_name,
            self.client_id,
            self.profile_id,
            self.expected_version.unwrap_or_default()
        ))
        .with_details(json!({
            "expected_version": self.expected_version,
            "current_version": current,
        }))
    }

    pub fn document(&self) -> String {
        document_key(&self.client_id, &self.profile_id)
    }

    fn client(&self) -> ServiceResult<&'static ClientSpec> {
        known_client(&self.client_id)
    }
}

pub(crate) fn document_key(client_id: &str, profile_id: &str) -> String {
    format!("config/{client_id}/{profile_id}")
}

fn known_client(client_id: &str) -> ServiceResult<&'static ClientSpec> {
    clients::get(client_id).ok_or_else(|| {
        let known: Vec<&str> = clients::all().iter().map(|c| c.id.as_str()).collect();
        ServiceError::not_found(format!(
            "unknown client '{client_id}': use one of {}",
            known.join(", ")
        ))
        .with_hint(
            crate::next::Hint::text(" (")
                .step(crate::next::NextStep::ListClients)
                .then(" shows them)"),
        )
    })
}

/// A parameter that may arrive as an object or as a JSON string holding one (the old
/// system accepted both; models send both). The config requests say this with
/// [`crate::api::JsonObject`]; this stays for the content operations that still take `Value`.
pub fn object_param(name: &str, value: Option<Value>) -> ServiceResult<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(ServiceError::invalid(format!(
                "{name} must be a JSON object like {{\"KEY\": \"value\"}}, got {}",
                imprint_engine::json::kind(&other)
            ))),
            Err(e) => Err(ServiceError::invalid(format!(
                "{name} is not valid JSON ({e}): pass an object like {{\"KEY\": \"value\"}}"
            ))),
        },
        Some(other) => Err(ServiceError::invalid(format!(
            "{name} must be an object (or a JSON string of one), got {}",
            imprint_engine::json::kind(&other)
        ))),
    }
}

/// `target()` for request types that carry the client/profile (and draft) they address:
/// the documented defaults filled in and every identifier checked.
macro_rules! addressed {
    (document: $($request:ty),* $(,)?) => {$(
        impl $request {
            /// The client/profile this request is about, defaults filled in.
            pub fn target(&self) -> ServiceResult<Target> {
                Target::new(self.client_id.as_deref(), self.profile_id.as_deref(), None)
            }
        }
    )*};
    (draft: $($request:ty),* $(,)?) => {$(
        impl $request {
            /// The draft this request is about, defaults filled in.
            pub fn target(&self) -> ServiceResult<Target> {
                Target::new(
                    self.client_id.as_deref(),
                    self.profile_id.as_deref(),
                    self.draft_name.as_deref(),
                )
            }
        }
    )*};
    (write: $($request:ty),* $(,)?) => {$(
        impl $request {
            /// The draft this request writes, defaults filled in, carrying the version the
            /// caller read so the store's write checks it atomically.
            pub fn target(&self) -> ServiceResult<Target> {
                Target::new(
                    self.client_id.as_deref(),
                    self.profile_id.as_deref(),
                    self.draft_name.as_deref(),
                )
                .map(|target| target.expecting(self.expected_version))
            }
        }
    )*};
}
pub(crate) use addressed;

mod aliases;
pub mod all;
pub mod all_views;
pub mod catalog;
pub mod deploy;
pub mod drafts;
pub mod install;
pub mod publish;

pub use all::*;
pub use all_views::*;
pub use catalog::*;
pub use deploy::*;
pub use drafts::*;
pub use install::*;
pub use publish::*;

/// The schema of a request that takes nothing still lists its (empty) `properties`: the
/// plain `type: object` with `properties` shape every client loads.
pub fn no_arguments(schema: &mut schemars::Schema) {
    if schema.get("properties").is_none() {
        schema.insert("properties".into(), json!({}));
    }
}

fn layout_of(client: &ClientSpec) -> SectionLayout<'_> {
    match &client.section {
        SectionShape::Map => SectionLayout::Map,
        SectionShape::List { name_key } => SectionLayout::List { name_key },
    }
}
