//! The old catalog's parameter names, accepted where the catalog was corrected and mapped
//! onto the current entry, each mapping said in the answer (`aliases_applied`), so prompts
//! written for mcp-orchestration keep working:
//!
//! - `custom-api`: params `host` / `port` → `url` = `http://{host}:{port}/mcp` (defaults
//!   `localhost` / `8080`, as before).
//! - `postgres`: param `connection_string` → env `DATABASE_URI` of the new server.
//! - `n8n`: env `N8N_API_KEY` → an `Authorization: Bearer …` header (the remote server takes
//!   no env vars); the token is kept as a secret like any other header credential.
//! - `github`: env `GITHUB_TOKEN` → `GITHUB_PERSONAL_ACCESS_TOKEN`.
//!
//! An alias applies only while the definition does not itself declare the old name, so a
//! user entry registered under one of these ids is taken as it is.

use imprint_config::ServerEntry;
use imprint_config::catalog::ServerDefinition;
use serde_json::{Map, Value, json};

use crate::error::{ServiceError, ServiceResult};

/// What [`apply`] mapped, and what it still has to put into the built entry.
#[derive(Debug, Default)]
pub(super) struct Aliases {
    /// One line per mapping, e.g. "connection_string -> env DATABASE_URI".
    pub applied: Vec<String>,
    /// A bearer token to send as the `Authorization` header.
    bearer: Option<String>,
}

impl Aliases {
    /// Adds what could only be added to the built entry (the bearer header).
    pub(super) fn finish(&self, entry: &mut ServerEntry) {
        if let Some(token) = &self.bearer {
            let mut headers = match entry.headers.take() {
                Some(Value::Object(map)) => map,
                _ => Map::new(),
            };
            headers.insert("Authorization".into(), json!(format!("Bearer {token}")));
            entry.headers = Some(Value::Object(headers));
        }
    }
}

fn declares(definition: &ServerDefinition, param: &str) -> bool {
    definition.parameters.iter().any(|p| p.name == param)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Rewrites the old names in `params` / `env_vars` into the current ones.
pub(super) fn apply(
    definition: &ServerDefinition,
    params: &mut Map<String, Value>,
    env_vars: &mut Map<String, Value>,
) -> ServiceResult<Aliases> {
    let mut out = Aliases::default();
    let id = definition.server_id.as_str();
    match id {
        "custom-api" if declares(definition, "url") && !declares(definition, "host") => {
            let host = params.remove("host").filter(|v| !v.is_null());
            let port = params.remove("port").filter(|v| !v.is_null());
            if host.is_none() && port.is_none() {
                return Ok(out);
            }
            if params.get("url").is_some_and(|v| !v.is_null()) {
                return Err(ServiceError::invalid(
                    "custom-api takes url, or the older host and port, not both: pass params={\"url\": \"http://host:port/mcp\"}",
                ));
            }
            let host = match host {
                None => "localhost".to_string(),
                Some(v) => text(&v).ok_or_else(|| {
                    ServiceError::invalid(format!(
                        "parameter 'host' of server 'custom-api' must be a host name such as \"localhost\", got {v}"
                    ))
                })?,
            };
            let port = match port {
                None => 8080,
                Some(v) => text(&v)
                    .and_then(|t| t.trim().parse::<u16>().ok())
                    .filter(|p| *p > 0)
                    .ok_or_else(|| {
                        ServiceError::invalid(format!(
                            "parameter 'port' of server 'custom-api' must be a port number such as 8080, got {v}"
                        ))
                    })?,
            };
            let url = format!("http://{host}:{port}/mcp");
            out.applied.push(format!(
                "host/port -> url {url} (old custom-api parameters)"
            ));
            params.insert("url".into(), json!(url));
        }
        "postgres"
            if !declares(definition, "connection_string")
                && definition.required_env.iter().any(|e| e == "DATABASE_URI") =>
        {
            let Some(value) = params.remove("connection_string").filter(|v| !v.is_null()) else {
                return Ok(out);
            };
            if env_vars.get("DATABASE_URI").is_some_and(|v| !v.is_null()) {
                return Err(ServiceError::invalid(
                    "postgres takes env_vars DATABASE_URI, or the older connection_string parameter, not both",
                ));
            }
            env_vars.insert("DATABASE_URI".into(), value);
            out.applied
                .push("connection_string -> env DATABASE_URI (old postgres parameter)".into());
        }
        "n8n" if definition.transport.is_remote() => {
            let Some(value) = env_vars.remove("N8N_API_KEY").filter(|v| !v.is_null()) else {
                return Ok(out);
            };
            let token = text(&value).ok_or_else(|| {
                ServiceError::invalid(
                    "env var N8N_API_KEY for server 'n8n' must be a non-empty string (the API key)",
                )
            })?;
            out.bearer = Some(token);
            out.applied.push(
                "N8N_API_KEY -> header Authorization: Bearer … (kept as a secret; old n8n env var)"
                    .into(),
            );
        }
        "github"
            if definition
                .required_env
                .iter()
                .any(|e| e == "GITHUB_PERSONAL_ACCESS_TOKEN") =>
        {
            let Some(value) = env_vars.remove("GITHUB_TOKEN") else {
                return Ok(out);
            };
            let new_given = env_vars
                .get("GITHUB_PERSONAL_ACCESS_TOKEN")
                .and_then(text)
                .is_some();
            if new_given {
                out.applied.push(
                    "GITHUB_TOKEN dropped: GITHUB_PERSONAL_ACCESS_TOKEN was given too (old github env var)"
                        .into(),
                );
            } else {
                env_vars.insert("GITHUB_PERSONAL_ACCESS_TOKEN".into(), value);
                out.applied.push(
                    "GITHUB_TOKEN -> env GITHUB_PERSONAL_ACCESS_TOKEN (old github env var)".into(),
                );
            }
        }
        _ => {}
    }
    Ok(out)
}
