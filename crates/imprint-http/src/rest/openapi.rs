//! The OpenAPI 3.1 document served at `/openapi.json`. The table of operations
//! ([`OPERATIONS`]) names each route and the service's request type behind it; path
//! parameters, query parameters and the body are all derived from that type's schema (the one
//! MCP shows too), so the document cannot disagree with what the handlers accept. A test
//! sends a request to every entry and checks the router knows it.

use axum::Json;
use axum::extract::State;
use imprint_service::api::schema_of;
use imprint_service::config::{
    AddServerToConfig, ClearDraftConfig, DeployConfig, DeployedConfig, DiffConfig, GetConfig,
    GetConfigHistory, ImportConfig, InitializeKeys, ListAvailableServers, ListConfigDrafts,
    ListProfiles, PublishConfig, RegisterServer, RemoveServerFromConfig, RollbackConfig,
    ValidateConfig, VerifyConfig, ViewDraftConfig,
};
use imprint_service::config::{GetProfileStatus, LinkClients, UnlinkClients};
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// A documented operation.
pub(crate) struct Operation {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) id: &'static str,
    pub(crate) tag: &'static str,
    pub(crate) summary: &'static str,
    /// The schema of the service request the route builds (`schema_of::<Request>`).
    pub(crate) request: Option<fn() -> Value>,
    /// Where the request's fields beyond the path travel.
    pub(crate) fields: Fields,
    /// Honours `If-Match` with the draft version (the request's expected version).
    pub(crate) if_match: bool,
    /// The success status.
    pub(crate) status: u16,
}

/// Where a route takes the request's fields that are not in its path.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fields {
    Query,
    Body,
}

/// Request fields that travel in the query even beside a body: which named draft.
const ALWAYS_IN_QUERY: &[&str] = &["draft_name"];

/// Request fields that travel as `If-Match`.
const VERSION_FIELDS: &[&str] = &["expected_version", "expectedVersion"];

pub(crate) const fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> Operation {
    Operation {
        method,
        path,
        id,
        tag,
        summary,
        request: None,
        fields: Fields::Query,
        if_match: false,
        status: 200,
    }
}

impl Operation {
    /// The request's fields (beyond the path) are query parameters.
    pub(crate) const fn query(mut self, request: fn() -> Value) -> Self {
        self.request = Some(request);
        self.fields = Fields::Query;
        self
    }

    /// The request's fields (beyond the path) are the JSON body.
    pub(crate) const fn body(mut self, request: fn() -> Value) -> Self {
        self.request = Some(request);
        self.fields = Fields::Body;
        self
    }

    pub(crate) const fn if_match(mut self) -> Self {
        self.if_match = true;
        self
    }

    pub(crate) const fn created(mut self) -> Self {
        self.status = 201;
        self
    }
}

/// `site_id` in a path names the request field `siteId` (or `site_id`).
fn same_name(path_name: &str, field: &str) -> bool {
    let fold = |name: &str| -> String {
        name.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    fold(path_name) == fold(field)
}

/// `POST /v1/servers/import-registry` takes the server.json itself as its body.
fn registry_server_json() -> Value {
    json!({"type": "object", "additionalProperties": true,
           "description": "an official MCP Registry server.json"})
}

/// Every REST operation. Frozen: paths are a public contract.
pub(crate) static OPERATIONS: &[Operation] = &[
    op(
        "get",
        "/v1/clients",
        "listClients",
        "clients",
        "MCP clients Imprint can configure, with their config paths",
    ),
    op(
        "get",
        "/v1/clients/{client_id}/profiles",
        "listProfiles",
        "clients",
        "a client's profiles, with latest artifact and drafts",
    )
    .query(schema_of::<ListProfiles>),
    op(
        "get",
        "/v1/servers",
        "listServers",
        "catalog",
        "the server catalog",
    )
    .query(schema_of::<ListAvailableServers>),
    op(
        "post",
        "/v1/servers",
        "registerServer",
        "catalog",
        "register or replace a user catalog entry",
    )
    .body(schema_of::<RegisterServer>),
    op(
        "get",
        "/v1/servers/{server_id}",
        "describeServer",
        "catalog",
        "one catalog entry",
    )
    .query(schema_of::<imprint_service::config::DescribeServer>),
    op(
        "get",
        "/v1/servers/installed",
        "listInstalledServers",
        "catalog",
        "the catalog servers whose program is on this machine's PATH (runs nothing)",
    ),
    op(
        "get",
        "/v1/servers/{server_id}/installation",
        "checkServerInstallation",
        "catalog",
        "whether a server's program and package are on this machine (runs nothing)",
    )
    .query(schema_of::<imprint_service::config::CheckServerInstallation>),
    op(
        "post",
        "/v1/servers/{server_id}/install",
        "installServer",
        "catalog",
        "run the server's package manager install and answer with its output",
    )
    .query(schema_of::<imprint_service::config::InstallServer>),
    op(
        "post",
        "/v1/servers/import-registry",
        "importRegistryServer",
        "catalog",
        "register a server from an official MCP Registry server.json",
    )
    .body(registry_server_json),
    op(
        "post",
        "/v1/keys/initialize",
        "initializeKeys",
        "keys",
        "create (or rotate) the signing key pair",
    )
    .body(schema_of::<InitializeKeys>),
    op(
        "get",
        "/v1/keyring",
        "getKeyring",
        "keys",
        "the signing public keys: current and retired (with retirement times), each successor endorsed by the key it replaced",
    ),
    op(
        "post",
        "/v1/config/diff",
        "diffConfig",
        "configs",
        "compare a config you hold with the latest published artifact",
    )
    .body(schema_of::<DiffConfig>),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}",
        "getConfig",
        "configs",
        "a published, signed artifact (latest by default)",
    )
    .query(schema_of::<GetConfig>),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/draft",
        "viewDraft",
        "drafts",
        "the draft (ETag: its version)",
    )
    .query(schema_of::<ViewDraftConfig>),
    op(
        "delete",
        "/v1/config/{client_id}/{profile_id}/draft",
        "clearDraft",
        "drafts",
        "remove every server from the draft",
    )
    .query(schema_of::<ClearDraftConfig>)
    .if_match(),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/draft/add",
        "addServer",
        "drafts",
        "add a catalog server to the draft",
    )
    .body(schema_of::<AddServerToConfig>)
    .if_match(),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/draft/remove",
        "removeServer",
        "drafts",
        "remove a server from the draft",
    )
    .body(schema_of::<RemoveServerFromConfig>)
    .if_match(),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/drafts",
        "listDrafts",
        "drafts",
        "the named drafts of a client/profile",
    )
    .query(schema_of::<ListConfigDrafts>),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/validate",
        "validateConfig",
        "drafts",
        "validate the draft against the client's rules",
    )
    .query(schema_of::<ValidateConfig>),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/publish",
        "publishConfig",
        "configs",
        "publish the draft as a signed artifact",
    )
    .body(schema_of::<PublishConfig>)
    .if_match(),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/deploy",
        "deployConfig",
        "deploy",
        "write an artifact into the client's own file",
    )
    .body(schema_of::<DeployConfig>),
    op(
        "post",
        "/v1/profiles/{profile_id}/link",
        "linkClients",
        "deploy",
        "link clients to a profile: client all publishes and deploys to them",
    )
    .body(schema_of::<LinkClients>),
    op(
        "post",
        "/v1/profiles/{profile_id}/unlink",
        "unlinkClients",
        "deploy",
        "unlink clients from a profile",
    )
    .body(schema_of::<UnlinkClients>),
    op(
        "get",
        "/v1/profiles/{profile_id}/status",
        "profileStatus",
        "deploy",
        "which linked clients hold the latest publish of client all",
    )
    .query(schema_of::<GetProfileStatus>),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/deployed",
        "deployedConfig",
        "deploy",
        "what was deployed, and drift since (client all: each linked client)",
    )
    .query(schema_of::<DeployedConfig>),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/history",
        "configHistory",
        "configs",
        "published revisions, newest first",
    )
    .query(schema_of::<GetConfigHistory>),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/rollback",
        "rollbackConfig",
        "configs",
        "publish an earlier artifact again as the head",
    )
    .body(schema_of::<RollbackConfig>),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/verify",
        "verifyConfig",
        "configs",
        "recompute an artifact's id and check its signature",
    )
    .query(schema_of::<VerifyConfig>),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/import",
        "importConfig",
        "drafts",
        "read the servers in the client's file into the draft",
    )
    .query(schema_of::<ImportConfig>)
    .if_match(),
    op(
        "get",
        "/v1/requests",
        "listRequests",
        "review",
        "publish requests (open by default), each with its diff against the latest",
    )
    .query(schema_of::<imprint_service::requests::ListRequests>),
    op(
        "post",
        "/v1/requests/publish",
        "requestPublish",
        "review",
        "ask a publisher to publish a config draft at its current version",
    )
    .body(schema_of::<imprint_service::requests::RequestPublish>),
    op(
        "post",
        "/v1/requests/apply",
        "requestApply",
        "review",
        "ask a publisher to apply a content draft at its current version",
    )
    .body(schema_of::<imprint_service::requests::RequestApply>),
    op(
        "post",
        "/v1/requests/{request_id}/approve",
        "approveRequest",
        "review",
        "publish exactly the draft version a request froze",
    )
    .query(schema_of::<imprint_service::requests::ApproveRequest>),
    op(
        "post",
        "/v1/requests/{request_id}/reject",
        "rejectRequest",
        "review",
        "reject a request with a reason",
    )
    .body(schema_of::<imprint_service::requests::RejectRequest>),
    op(
        "get",
        "/v1/audit",
        "getAuditLog",
        "audit",
        "the audit log, newest first (admins only)",
    )
    .query(schema_of::<imprint_service::requests::GetAuditLog>),
];

/// The id of the route that serves `method` on the request path `path`, if the table has
/// one; like the router, a literal segment wins over a `{parameter}`
/// (`/v1/servers/installed` is not `/v1/servers/{server_id}`).
pub(crate) fn operation_id(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    OPERATIONS
        .iter()
        .chain(super::content::OPERATIONS.iter())
        .filter(|op| op.method.eq_ignore_ascii_case(method))
        .filter_map(|op| Some((literal_segments(op.path, &segments)?, op.id)))
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, id)| id)
}

/// Whether the path `segments` fit `pattern` (a segment in braces, `{id}` or `{}`, is any
/// one segment), and if so how many of the pattern's segments are literal, so a caller can
/// prefer the most literal of several fitting patterns. The REST routes and the control
/// panel's forms are matched by this one rule.
pub(crate) fn literal_segments(pattern: &str, segments: &[&str]) -> Option<usize> {
    let pattern: Vec<&str> = pattern.split('/').collect();
    if pattern.len() != segments.len() {
        return None;
    }
    let mut literal = 0;
    for (want, got) in pattern.iter().zip(segments) {
        if want.starts_with('{') {
            continue;
        }
        if want != got {
            return None;
        }
        literal += 1;
    }
    Some(literal)
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn operation(op: &Operation) -> Value {
    let path_names: Vec<&str> = op
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect();
    let request = op
        .request
        .map(|schema| schema())
        .unwrap_or_else(|| json!({}));
    let properties = request["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = request["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let in_path = |field: &str| path_names.iter().any(|p| same_name(p, field));
    let mut parameters: Vec<Value> = path_names
        .iter()
        .map(|name| {
            let field = properties.iter().find(|(field, _)| same_name(name, field));
            // a path-only route (no request field names it): content ids are integers
            let fallback = if op.tag == "content" {
                json!({"type": "integer", "minimum": 1})
            } else {
                json!({"type": "string"})
            };
            let schema = field.map_or(fallback, |(_, s)| without_description(s));
            let mut parameter =
                json!({"name": name, "in": "path", "required": true, "schema": schema});
            if let Some(description) = field.and_then(|(_, s)| s.get("description")) {
                parameter["description"] = description.clone();
            }
            parameter
        })
        .collect();
    let mut body = Map::new();
    let mut body_required = Vec::new();
    for (field, schema) in &properties {
        if in_path(field) || (op.if_match && VERSION_FIELDS.contains(&field.as_str())) {
            continue;
        }
        let is_required = required.contains(&field.as_str());
        if op.fields == Fields::Query || ALWAYS_IN_QUERY.contains(&field.as_str()) {
            let mut parameter = json!({"name": field, "in": "query", "required": is_required, "schema": without_description(schema)});
            if let Some(description) = schema.get("description") {
                parameter["description"] = description.clone();
            }
            if schema["type"] == "array" {
                // ids as one comma-separated value: `?sectionIds=1,2`
                parameter["style"] = json!("form");
                parameter["explode"] = json!(false);
            }
            parameters.push(parameter);
        } else {
            body.insert(field.clone(), schema.clone());
            if is_required {
                body_required.push(field.clone());
            }
        }
    }
    if op.if_match {
        parameters.push(
            json!({"name": "If-Match", "in": "header", "required": false,
            "description": "the draft version (ETag of the draft); a stale one gets 409",
            "schema": {"type": "string"}}),
        );
    }
    let mut responses = Map::new();
    responses.insert(
        op.status.to_string(),
        json!({"description": "the operation's result", "content": {"application/json": {"schema": {"type": "object"}}}}),
    );
    for (status, description) in [
        ("400", "malformed request"),
        ("401", "missing or invalid token"),
        ("403", "foreign Origin or Host"),
        ("404", "not found"),
        ("409", "conflict: stale If-Match, drift, duplicate"),
        ("422", "the operation refused the input"),
        (
            "500",
            "internal error (generic message; details in the server log)",
        ),
    ] {
        responses.insert(status.into(), error_response(description));
    }
    let mut value = json!({
        "operationId": op.id,
        "tags": [op.tag],
        "summary": op.summary,
        "parameters": parameters,
        "responses": responses,
    });
    if op.fields == Fields::Body && request.get("properties").is_none() {
        // a body that is a document of its own (a registry server.json), not a request's fields
        value["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": request}}});
    } else if op.fields == Fields::Body {
        let mut schema = json!({"type": "object", "properties": body});
        if !body_required.is_empty() {
            schema["required"] = json!(body_required);
        }
        if request.get("additionalProperties") == Some(&Value::Bool(false)) {
            schema["additionalProperties"] = json!(false);
        }
        value["requestBody"] = json!({"required": !body_required.is_empty(), "content": {"application/json": {"schema": schema}}});
    }
    value
}

/// A parameter's schema without its description (the parameter carries it).
fn without_description(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Some(map) = schema.as_object_mut() {
        map.remove("description");
    }
    schema
}

/// The whole document.
pub(crate) fn document(public_url: &str) -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS.iter().chain(super::content::OPERATIONS.iter()) {
        let entry = paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}));
        entry[op.method] = operation(op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Imprint",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Draft, validate, publish (signed), deploy and roll back MCP client configurations and content. Errors are {\"error\": {\"code\", \"message\", \"details\"}}.",
        },
        "servers": [{"url": public_url}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "a token from `imprint token create`"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string", "description": "bad_request, invalid_input, not_found, conflict, unauthorized, forbidden, integrity, io, internal"},
                            "message": {"type": "string"},
                            "details": {"description": "structured context (validation issues, conflicting fields, drift)"},
                        },
                    }},
                },
            },
        },
    })
}

pub(crate) async fn serve(State(state): State<AppState>) -> Json<Value> {
    Json(document(&state.config.public_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_and_panel_form_has_a_role_in_the_role_table() {
        use imprint_service::roles::{rule, snake_case};
        let missing: Vec<String> = OPERATIONS
            .iter()
            .chain(super::super::content::OPERATIONS.iter())
            .filter(|op| rule(&snake_case(op.id)).is_none())
            .map(|op| format!("{} {} ({})", op.method.to_uppercase(), op.path, op.id))
            .collect();
        assert!(
            missing.is_empty(),
            "these REST routes have no required role: add their operation (or the snake_case of their id as an alias) to RULES in crates/imprint-service/src/roles.rs: {missing:?}"
        );
        for (path, action) in crate::cp::PANEL_ACTIONS {
            if let crate::cp::PanelAction::Runs(operation) = action {
                assert!(
                    rule(operation).is_some(),
                    "the control panel form {path} runs '{operation}', which has no role in RULES"
                );
            }
        }
        // The router's precedence: a literal segment beats a parameter.
        assert_eq!(
            operation_id("GET", "/v1/servers/installed"),
            Some("listInstalledServers")
        );
        assert_eq!(
            operation_id("GET", "/v1/servers/github"),
            Some("describeServer")
        );
        assert_eq!(
            operation_id("POST", "/v1/config/cursor/dev/publish"),
            Some("publishConfig")
        );
        assert_eq!(operation_id("GET", "/v1/nothing"), None);
    }

    fn operation_at(path: &str, method: &str) -> Value {
        document("http://127.0.0.1:7410")["paths"][path][method].clone()
    }

    fn parameter<'a>(operation: &'a Value, name: &str) -> Option<&'a Value> {
        operation["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
    }

    #[test]
    fn a_body_is_the_request_type_less_what_the_url_carries() {
        let add = operation_at("/v1/config/{client_id}/{profile_id}/draft/add", "post");
        let body = &add["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["required"], json!(["server_id"]), "{body}");
        assert!(body["properties"]["params"].is_object(), "{body}");
        for carried in ["client_id", "profile_id", "draft_name", "expected_version"] {
            assert!(
                body["properties"].get(carried).is_none(),
                "{carried} in {body}"
            );
        }
        assert_eq!(parameter(&add, "draft_name").unwrap()["in"], "query");
        assert_eq!(parameter(&add, "If-Match").unwrap()["in"], "header");
        assert_eq!(parameter(&add, "client_id").unwrap()["in"], "path");
    }

    #[test]
    fn query_parameters_are_the_request_types_fields_with_their_schemas() {
        let sections = operation_at("/v1/content/sections", "get");
        let ids = parameter(&sections, "sectionIds").unwrap();
        assert_eq!(ids["schema"]["type"], "array");
        assert_eq!(ids["explode"], false, "ids travel comma-separated");
        let entry = operation_at("/v1/content/entries/{entry_id}", "get");
        assert_eq!(
            parameter(&entry, "entry_id").unwrap()["schema"]["type"],
            "integer"
        );
        assert_eq!(parameter(&entry, "siteId").unwrap()["required"], false);
        assert!(
            parameter(&entry, "entryId").is_none(),
            "the path carries it"
        );
        let history = operation_at("/v1/config/{client_id}/{profile_id}/history", "get");
        assert!(parameter(&history, "limit").is_some());
    }
}
