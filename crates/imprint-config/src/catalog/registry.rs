//! Official MCP Registry `server.json` files into catalog definitions.
//!
//! Reads the schema of 2025-09-29 and later (camelCase) and the older snake_case spelling.
//! Everything the registry lets a user fill in (arguments without a fixed value, `{variables}`,
//! secret headers) becomes a catalog parameter, so the result instantiates like a built-in.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::template::{Piece, escape, parse_template};
use super::{ParamSpec, ParamType, ServerDefinition, coerce};
use crate::error::{ConfigError, invalid};
use crate::ids::validate_id;
use crate::model::Transport;

/// Reads `key` in its current camelCase spelling, or the older snake_case one.
fn field<'v>(v: &'v Value, camel: &str, snake: &str) -> Option<&'v Value> {
    v.get(camel).or_else(|| v.get(snake))
}

fn field_str<'v>(v: &'v Value, camel: &str, snake: &str) -> Option<&'v str> {
    field(v, camel, snake).and_then(Value::as_str)
}

fn field_bool(v: &Value, camel: &str, snake: &str) -> bool {
    field(v, camel, snake)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Builds a catalog definition from an official MCP Registry `server.json` (schema
/// 2025-09-29 and later; the older snake_case field names are read too).
///
/// The first usable package wins, in the order npm (`npx -y id@version`), PyPI
/// (`uvx id==version`), OCI (`docker run -i --rm -e VAR… image`); packages that are not
/// stdio are skipped. Without one, the first remote (Streamable HTTP before SSE) is used.
/// Arguments with a fixed value are written as they are; inputs the user must give become
/// parameters (secret inputs are marked `secret`); optional inputs without a default are
/// left out. `server_id` is the last segment of `name`, lowercased and sanitized.
pub fn from_registry_server_json(v: &Value) -> Result<ServerDefinition, ConfigError> {
    if !v.is_object() {
        return Err(invalid(
            "server.json must be a JSON object with name, description and version",
        ));
    }
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("server.json has no \"name\" (like \"io.github.owner/server\")"))?;
    let last = name.rsplit('/').next().unwrap_or(name);
    let server_id = sanitize_id(last).ok_or_else(|| {
        invalid(format!(
            "server.json name {name:?} does not yield a usable server id; its last segment needs letters or digits"
        ))
    })?;

    let mut def = ServerDefinition {
        server_id,
        display_name: v
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(last)
            .to_string(),
        description: v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        transport: Transport::Stdio,
        command: None,
        args: Vec::new(),
        url: None,
        headers: BTreeMap::new(),
        required_env: Vec::new(),
        optional_env: Vec::new(),
        secret_env: Vec::new(),
        env_defaults: BTreeMap::new(),
        parameters: Vec::new(),
        homepage: field_str(v, "websiteUrl", "website_url")
            .or_else(|| {
                v.get("repository")
                    .and_then(|r| r.get("url"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string),
        package: None,
        tags: vec!["registry".into()],
        source: "registry".into(),
    };

    let packages = v.get("packages").and_then(Value::as_array);
    let chosen = ["npm", "pypi", "oci"].iter().find_map(|kind| {
        packages?.iter().find(|p| {
            field_str(p, "registryType", "registry_type") == Some(kind)
                && field(p, "transport", "transport")
                    .and_then(|t| t.get("type"))
                    .and_then(Value::as_str)
                    .is_none_or(|t| t == "stdio")
        })
    });

    if let Some(pkg) = chosen {
        registry_package(&mut def, pkg)?;
    } else if let Some(remote) = pick_remote(v) {
        registry_remote(&mut def, remote)?;
    } else {
        return Err(crate::error::fixable(
            format!(
                "server.json for {name:?} has no npm, pypi or oci package with stdio transport and no remote; Imprint cannot start it, register it by hand with "
            ),
            crate::next::Fix::default().step(crate::next::Step::RegisterServer),
        ));
    }
    def.check()?;
    Ok(def)
}

fn pick_remote(v: &Value) -> Option<&Value> {
    let remotes = v.get("remotes").and_then(Value::as_array)?;
    let kind = |r: &Value| field_str(r, "type", "transport_type").map(str::to_string);
    remotes
        .iter()
        .find(|r| kind(r).as_deref() == Some("streamable-http"))
        .or_else(|| remotes.iter().find(|r| kind(r).as_deref() == Some("sse")))
}

fn registry_package(def: &mut ServerDefinition, pkg: &Value) -> Result<(), ConfigError> {
    let kind = field_str(pkg, "registryType", "registry_type").unwrap_or_default();
    let identifier = pkg
        .get("identifier")
        .or_else(|| pkg.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("a server.json package has no \"identifier\""))?;
    let version = pkg.get("version").and_then(Value::as_str);
    def.tags.push(kind.to_string());
    def.package = Some(identifier.to_string());

    // Env vars first: OCI needs their names for `-e`.
    let mut env_names = Vec::new();
    if let Some(vars) =
        field(pkg, "environmentVariables", "environment_variables").and_then(Value::as_array)
    {
        for var in vars {
            let Some(name) = var.get("name").and_then(Value::as_str) else {
                continue;
            };
            env_names.push(name.to_string());
            if field_bool(var, "isRequired", "is_required") {
                def.required_env.push(name.to_string());
            } else {
                def.optional_env.push(name.to_string());
            }
            if field_bool(var, "isSecret", "is_secret") {
                def.secret_env.push(name.to_string());
            }
            // Env vars stay env vars: a fixed value or a default becomes the value used when
            // the caller gives none.
            if let Some(value) = var.get("value").and_then(Value::as_str) {
                let value =
                    declare_variables(def, value, var.get("variables"), Undeclared::Literal)?;
                def.env_defaults.insert(name.to_string(), value);
            } else if let Some(default) = var.get("default").and_then(Value::as_str) {
                def.env_defaults.insert(name.to_string(), escape(default));
            }
        }
    }

    let mut runtime = Vec::new();
    registry_args(
        def,
        field(pkg, "runtimeArguments", "runtime_arguments"),
        &mut runtime,
    )?;
    let mut package_args = Vec::new();
    registry_args(
        def,
        field(pkg, "packageArguments", "package_arguments"),
        &mut package_args,
    )?;

    let mut args = Vec::new();
    let command = match kind {
        "npm" => {
            args.push("-y".to_string());
            args.extend(runtime);
            args.push(escape(&match version {
                Some(ver) => format!("{identifier}@{ver}"),
                None => identifier.to_string(),
            }));
            "npx"
        }
        "pypi" => {
            args.extend(runtime);
            args.push(escape(&match version {
                Some(ver) => format!("{identifier}=={ver}"),
                None => identifier.to_string(),
            }));
            "uvx"
        }
        _ => {
            args.extend(["run", "-i", "--rm"].map(String::from));
            args.extend(runtime);
            for name in &env_names {
                args.push("-e".into());
                args.push(escape(name));
            }
            let last_segment = identifier.rsplit('/').next().unwrap_or(identifier);
            let image = match version {
                Some(ver) if !last_segment.contains(':') && !identifier.contains('@') => {
                    format!("{identifier}:{ver}")
                }
                _ => identifier.to_string(),
            };
            args.push(escape(&image));
            "docker"
        }
    };
    args.extend(package_args);
    def.transport = Transport::Stdio;
    def.command = Some(command.to_string());
    def.args = args;
    Ok(())
}

fn registry_remote(def: &mut ServerDefinition, remote: &Value) -> Result<(), ConfigError> {
    let kind = field_str(remote, "type", "transport_type").unwrap_or("streamable-http");
    def.transport = if kind == "sse" {
        Transport::Sse
    } else {
        Transport::Http
    };
    def.tags.push("remote".into());
    let url = remote
        .get("url")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("a server.json remote has no \"url\""))?;
    // URL placeholders not covered by `variables` name values the user must supply.
    let url = declare_variables(def, url, remote.get("variables"), Undeclared::Param)?;
    def.url = Some(url);
    if let Some(headers) = remote.get("headers").and_then(Value::as_array) {
        for h in headers {
            let Some(name) = h.get("name").and_then(Value::as_str) else {
                continue;
            };
            if let Some(value) = input_template(def, h, name)? {
                def.headers.insert(name.to_string(), value);
            }
        }
    }
    Ok(())
}

/// Turns a registry `Input` (argument, env var or header) into a template: its fixed `value`
/// (with its `variables` declared as parameters), or `{param}` for a new parameter when the
/// user must or may give it, or `None` when it is optional with nothing to fill in.
fn input_template(
    def: &mut ServerDefinition,
    input: &Value,
    label: &str,
) -> Result<Option<String>, ConfigError> {
    if let Some(value) = input.get("value").and_then(Value::as_str) {
        return declare_variables(def, value, input.get("variables"), Undeclared::Literal)
            .map(Some);
    }
    let required = field_bool(input, "isRequired", "is_required");
    if !required && input.get("default").is_none() {
        return Ok(None);
    }
    let spec = input_param(def, label, input);
    let name = spec.name.clone();
    def.parameters.push(spec);
    Ok(Some(format!("{{{name}}}")))
}

/// What [`declare_variables`] does with a `{name}` that `variables` does not declare.
#[derive(Clone, Copy, PartialEq)]
enum Undeclared {
    /// Keep it as literal text (argument and header values, per the schema).
    Literal,
    /// Make it a required string parameter (remote URLs, whose placeholders name inputs).
    Param,
}

/// Declares a parameter for each `{var}` of `value` found in `variables` and rewrites it to
/// the parameter's name; other text is escaped so it renders unchanged.
fn declare_variables(
    def: &mut ServerDefinition,
    value: &str,
    variables: Option<&Value>,
    undeclared: Undeclared,
) -> Result<String, ConfigError> {
    let vars = variables.and_then(Value::as_object);
    let mut out = String::new();
    for piece in parse_template(value) {
        match piece {
            Piece::Text(s) => out.push_str(&escape(s)),
            Piece::Brace(c) => out.push_str(if c == '{' { "{{{{" } else { "}}}}" }),
            Piece::Param(var) => {
                let spec = match vars.and_then(|m| m.get(var)) {
                    Some(spec) => spec.clone(),
                    None if undeclared == Undeclared::Param => {
                        json!({"description": format!("value for {{{var}}} in the server URL"), "isRequired": true})
                    }
                    None => {
                        out.push_str(&format!("{{{{{var}}}}}"));
                        continue;
                    }
                };
                let p = input_param(def, var, &spec);
                out.push_str(&format!("{{{}}}", p.name));
                def.parameters.push(p);
            }
        }
    }
    Ok(out)
}

/// A parameter for a registry input, named after `label` (made unique and usable).
///
/// It is required exactly when it has no usable default, since every input turned into a
/// parameter is referenced by a template.
fn input_param(def: &ServerDefinition, label: &str, input: &Value) -> ParamSpec {
    let kind = match input.get("format").and_then(Value::as_str) {
        Some("number") => ParamType::Number,
        Some("boolean") => ParamType::Boolean,
        Some("filepath") => ParamType::Path,
        _ => ParamType::String,
    };
    let mut base: String = label
        .trim_start_matches('-')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        base.insert(0, '_');
    }
    let mut name = base.clone();
    let mut n = 2;
    while def.parameters.iter().any(|p| p.name == name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    let default = input.get("default").and_then(Value::as_str).and_then(|d| {
        let probe = ParamSpec {
            name: name.clone(),
            description: String::new(),
            kind,
            required: false,
            default: None,
            choices: Vec::new(),
            secret: false,
        };
        coerce("registry", &probe, &Value::String(d.to_string())).ok()
    });
    ParamSpec {
        name,
        description: input
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or(label)
            .to_string(),
        kind,
        required: default.is_none(),
        choices: input
            .get("choices")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        default,
        secret: field_bool(input, "isSecret", "is_secret"),
    }
}

/// Converts registry `Argument`s into argument templates.
fn registry_args(
    def: &mut ServerDefinition,
    list: Option<&Value>,
    out: &mut Vec<String>,
) -> Result<(), ConfigError> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Ok(());
    };
    for arg in list {
        let named = arg.get("type").and_then(Value::as_str) == Some("named");
        let flag = arg.get("name").and_then(Value::as_str);
        let label = if named {
            flag.unwrap_or("arg")
        } else {
            field_str(arg, "valueHint", "value_hint").unwrap_or("arg")
        };
        let value = input_template(def, arg, label)?;
        match (named, flag, value) {
            (true, Some(flag), Some(value)) => {
                out.push(escape(flag));
                out.push(value);
            }
            (false, _, Some(value)) => out.push(value),
            _ => {}
        }
    }
    Ok(())
}

/// Lowercases and replaces characters outside the id alphabet, keeping at most 64 characters.
fn sanitize_id(raw: &str) -> Option<String> {
    let mut id = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-') {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_start_matches(['.', '_', '-']);
    let id: String = id.chars().take(crate::ids::MAX_ID_LEN).collect();
    let id = id.trim_end_matches('-').to_string();
    validate_id("server_id", &id).ok().map(|()| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_id_makes_registry_names_usable() {
        assert_eq!(sanitize_id("Weather"), Some("weather".into()));
        assert_eq!(sanitize_id("My Server!"), Some("my-server".into()));
        assert_eq!(sanitize_id("__x"), Some("x".into()));
        assert_eq!(sanitize_id("!!!"), None);
    }
}
