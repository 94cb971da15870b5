//! The OpenAPI 3.1 document served at `/openapi.json`, built from one table of
//! operations ([`OPERATIONS`]). A test sends a request to every entry and checks the
//! router knows it, so the document and the routes cannot drift apart.

use axum::Json;
use axum::extract::State;
use imprint_service::config::{
    AddServerToConfig, DeployConfig, DiffConfig, InitializeKeys, PublishConfig, RegisterServer,
    RemoveServerFromConfig, RollbackConfig,
};
// rmcp's re-export: the version the service's request types derive with
use rmcp::schemars::{JsonSchema, schema_for};
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// A documented operation.
pub(crate) struct Operation {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) id: &'static str,
    pub(crate) tag: &'static str,
    pub(crate) summary: &'static str,
    /// Query parameters: name, JSON type, description.
    pub(crate) query: &'static [(&'static str, &'static str, &'static str)],
    /// The request body's schema, if the operation takes one.
    pub(crate) body: Option<fn() -> Value>,
    /// Honours `If-Match` with the draft version.
    pub(crate) if_match: bool,
    /// The success status.
    pub(crate) status: u16,
}

const DRAFT_NAME: (&str, &str, &str) =
    ("draft_name", "string", "named draft (default \"default\")");
const ARTIFACT_ID: (&str, &str, &str) = (
    "artifact_id",
    "string",
    "a published artifact id (default: the latest)",
);

const fn op(
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
        query: &[],
        body: None,
        if_match: false,
        status: 200,
    }
}

impl Operation {
    const fn query(mut self, query: &'static [(&'static str, &'static str, &'static str)]) -> Self {
        self.query = query;
        self
    }

    const fn body(mut self, body: fn() -> Value) -> Self {
        self.body = Some(body);
        self
    }

    const fn if_match(mut self) -> Self {
        self.if_match = true;
        self
    }
}

/// A request type's schema as a body: the operation's own type, less what the URL carries
/// (client and profile in the path, the draft in the query, the version in `If-Match`).
fn request_body<T: JsonSchema>() -> Value {
    const FROM_URL: [&str; 4] = ["client_id", "profile_id", "draft_name", "expected_version"];
    let mut schema = serde_json::to_value(schema_for!(T)).unwrap_or_default();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("title");
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            properties.retain(|name, _| !FROM_URL.contains(&name.as_str()));
        }
    }
    schema
}

fn add_body() -> Value {
    request_body::<AddServerToConfig>()
}

fn remove_body() -> Value {
    request_body::<RemoveServerFromConfig>()
}

fn publish_body() -> Value {
    request_body::<PublishConfig>()
}

fn deploy_body() -> Value {
    request_body::<DeployConfig>()
}

fn rollback_body() -> Value {
    request_body::<RollbackConfig>()
}

fn register_body() -> Value {
    request_body::<RegisterServer>()
}

/// `/v1/config/diff` names its client and profile in the body.
fn diff_body() -> Value {
    let mut schema = serde_json::to_value(schema_for!(DiffConfig)).unwrap_or_default();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("title");
    }
    schema
}

fn keys_body() -> Value {
    request_body::<InitializeKeys>()
}

fn any_object() -> Value {
    json!({"type": "object"})
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
    ),
    op(
        "get",
        "/v1/servers",
        "listServers",
        "catalog",
        "the server catalog",
    )
    .query(&[
        ("transport", "string", "stdio, http, sse or remote"),
        ("search", "string", "text in ids, names, descriptions, tags"),
    ]),
    op(
        "post",
        "/v1/servers",
        "registerServer",
        "catalog",
        "register or replace a user catalog entry",
    )
    .body(register_body),
    op(
        "get",
        "/v1/servers/{server_id}",
        "describeServer",
        "catalog",
        "one catalog entry",
    ),
    op(
        "post",
        "/v1/servers/import-registry",
        "importRegistryServer",
        "catalog",
        "register a server from an official MCP Registry server.json",
    )
    .body(any_object),
    op(
        "post",
        "/v1/keys/initialize",
        "initializeKeys",
        "keys",
        "create (or rotate) the signing key pair",
    )
    .body(keys_body),
    op(
        "post",
        "/v1/config/diff",
        "diffConfig",
        "configs",
        "compare a config you hold with the latest published artifact",
    )
    .body(diff_body),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}",
        "getConfig",
        "configs",
        "a published, signed artifact (latest by default)",
    )
    .query(&[ARTIFACT_ID]),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/draft",
        "viewDraft",
        "drafts",
        "the draft (ETag: its version)",
    )
    .query(&[DRAFT_NAME]),
    op(
        "delete",
        "/v1/config/{client_id}/{profile_id}/draft",
        "clearDraft",
        "drafts",
        "remove every server from the draft",
    )
    .query(&[DRAFT_NAME])
    .if_match(),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/draft/add",
        "addServer",
        "drafts",
        "add a catalog server to the draft",
    )
    .query(&[DRAFT_NAME])
    .body(add_body)
    .if_match(),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/draft/remove",
        "removeServer",
        "drafts",
        "remove a server from the draft",
    )
    .query(&[DRAFT_NAME])
    .body(remove_body)
    .if_match(),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/drafts",
        "listDrafts",
        "drafts",
        "the named drafts of a client/profile",
    ),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/validate",
        "validateConfig",
        "drafts",
        "validate the draft against the client's rules",
    )
    .query(&[DRAFT_NAME]),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/publish",
        "publishConfig",
        "configs",
        "publish the draft as a signed artifact",
    )
    .query(&[DRAFT_NAME])
    .body(publish_body)
    .if_match(),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/deploy",
        "deployConfig",
        "deploy",
        "write an artifact into the client's own file",
    )
    .body(deploy_body),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/deployed",
        "deployedConfig",
        "deploy",
        "what was deployed, and drift since",
    ),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/history",
        "configHistory",
        "configs",
        "published revisions, newest first",
    )
    .query(&[("limit", "integer", "at most this many (default 20)")]),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/rollback",
        "rollbackConfig",
        "configs",
        "publish an earlier artifact again as the head",
    )
    .body(rollback_body),
    op(
        "get",
        "/v1/config/{client_id}/{profile_id}/verify",
        "verifyConfig",
        "configs",
        "recompute an artifact's id and check its signature",
    )
    .query(&[ARTIFACT_ID]),
    op(
        "post",
        "/v1/config/{client_id}/{profile_id}/import",
        "importConfig",
        "drafts",
        "read the servers in the client's file into the draft",
    )
    .query(&[
        DRAFT_NAME,
        (
            "project_dir",
            "string",
            "absolute path of a project: read the client's project-scope file there",
        ),
    ])
    .if_match(),
];

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn operation(op: &Operation) -> Value {
    let mut parameters: Vec<Value> = op
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    for (name, kind, description) in op.query {
        parameters.push(json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": kind}}));
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
    if let Some(body) = op.body {
        value["requestBody"] =
            json!({"required": false, "content": {"application/json": {"schema": body()}}});
    }
    value
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
