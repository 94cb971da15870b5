//! Secrets in configuration values: which values are secrets, the `${secret:NAME}` references
//! that stand in for them in drafts and artifacts, and swapping one for the other.
//!
//! This module decides and rewrites; it stores nothing. Keeping a value (encrypted at rest) is
//! the caller's: [`protect_entry`] hands each plaintext secret to a callback that stores it and
//! returns the name to refer to it by.
//!
//! What counts as a secret:
//! - an env var declared secret by the catalog (`secret_env`), or whose name contains `TOKEN`,
//!   `KEY`, `SECRET` or `PASSWORD` (any case);
//! - a header carrying a credential (`Authorization`, `Cookie`, `Proxy-Authorization`, or a
//!   name matching the env rule, such as `X-API-Key`); for `Scheme token` values (`Bearer …`)
//!   only the token is the secret;
//! - a catalog parameter declared `secret` (substituted as a reference when the entry is
//!   built, see `ServerDefinition::instantiate_with`).
//!
//! A value that already holds a reference (`${…}` of any kind: Imprint's own, or a client's
//! `${VAR}`, `${env:VAR}`, `${input:ID}`) is not plaintext and is left as it is.
//!
//! # Example
//! ```
//! use imprint_config::secrets;
//!
//! assert!(secrets::is_secret_env_name("GITHUB_PERSONAL_ACCESS_TOKEN"));
//! assert!(!secrets::is_secret_env_name("MEMORY_FILE_PATH"));
//! let text = "Bearer ${secret:SENTRY_TOKEN@0a1b2c3d4e5f}";
//! let names: Vec<&str> = secrets::references(text).iter().map(|r| r.name).collect();
//! assert_eq!(names, ["SENTRY_TOKEN@0a1b2c3d4e5f"]);
//! assert_eq!(secrets::variable_of("SENTRY_TOKEN@0a1b2c3d4e5f"), "SENTRY_TOKEN");
//! ```

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::{ConfigError, invalid};
use crate::model::ServerEntry;

/// How a reference starts; it ends at the next `}`.
pub const REFERENCE_PREFIX: &str = "${secret:";

/// The longest secret name accepted.
pub const MAX_NAME_LEN: usize = 128;

/// `${secret:NAME}`.
pub fn reference(name: &str) -> String {
    format!("{REFERENCE_PREFIX}{name}}}")
}

/// Whether an env var with this name holds a secret by its name alone.
pub fn is_secret_env_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["TOKEN", "KEY", "SECRET", "PASSWORD"]
        .iter()
        .any(|word| upper.contains(word))
}

/// Whether a header with this name carries a credential.
pub fn is_secret_header_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "authorization" | "proxy-authorization" | "cookie"
    ) || is_secret_env_name(name)
}

/// Whether a value has the shape of a well-known credential, whatever its variable is
/// called: GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), OpenAI and
/// Anthropic (`sk-`, `sk-ant-`), Slack (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`), GitLab (`glpat-`),
/// AWS access key ids (`AKIA`/`ASIA` + 16) and JWTs. Short or spaced text never matches, so
/// `sk-learn` or a sentence stays plain.
pub fn looks_like_secret(value: &str) -> bool {
    let value = value.trim();
    if value.len() < 16 || value.chars().any(char::is_whitespace) {
        return false;
    }
    let token_chars = |rest: &str| {
        rest.len() >= 10
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    const PREFIXES: &[&str] = &[
        "github_pat_",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "sk-ant-",
        "sk-",
        "xoxb-",
        "xoxp-",
        "xoxa-",
        "xoxr-",
        "glpat-",
    ];
    if let Some(prefix) = PREFIXES.iter().find(|p| value.starts_with(**p)) {
        return token_chars(&value[prefix.len()..]);
    }
    if (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value.len() == 20
        && value[4..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return true;
    }
    // a JWT: three base64url parts, the header a JSON object (`eyJ` = `{"`)
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '='))
        })
}

/// Whether a value is a plaintext worth protecting: not empty, and holding no reference.
pub fn is_plaintext(value: &str) -> bool {
    !value.is_empty() && !value.contains("${")
}

/// Checks a secret name: 1 to [`MAX_NAME_LEN`] of ASCII letters, digits, `_`, `-`, `.` and
/// `@`, starting with a letter, a digit or `_`.
pub fn check_name(name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "secret name {:?} is not valid: use 1-{MAX_NAME_LEN} letters, digits, '_', '-', '.' or '@', starting with a letter, a digit or '_' (e.g. GITHUB_TOKEN)",
            shorten(name)
        )))
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}

/// A `${secret:NAME}` found in a text, by byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'t> {
    pub start: usize,
    pub end: usize,
    pub name: &'t str,
}

/// Every `${secret:NAME}` in `text`, in order.
pub fn references(text: &str) -> Vec<Reference<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find(REFERENCE_PREFIX) {
        let start = from + offset;
        let name_start = start + REFERENCE_PREFIX.len();
        let Some(close) = text[name_start..].find('}') else {
            break;
        };
        let end = name_start + close + 1;
        found.push(Reference {
            start,
            end,
            name: &text[name_start..name_start + close],
        });
        from = end;
    }
    found
}

/// `text` with each `${secret:NAME}` replaced by `replace(NAME)`.
pub fn replace_references<E>(
    text: &str,
    replace: &mut dyn FnMut(&str) -> Result<String, E>,
) -> Result<String, E> {
    let found = references(text);
    if found.is_empty() {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for reference in found {
        out.push_str(&text[last..reference.start]);
        out.push_str(&replace(reference.name)?);
        last = reference.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// Applies [`replace_references`] to every string in `value` (keys are left alone).
pub fn replace_in_value<E>(
    value: &mut Value,
    replace: &mut dyn FnMut(&str) -> Result<String, E>,
) -> Result<(), E> {
    match value {
        Value::String(text) if text.contains(REFERENCE_PREFIX) => {
            *text = replace_references(text, replace)?;
        }
        Value::Array(items) => {
            for item in items {
                replace_in_value(item, replace)?;
            }
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                replace_in_value(item, replace)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The names referenced anywhere in `value`, sorted.
pub fn names_in_value(value: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    collect_names(value, &mut names);
    names
}

fn collect_names(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::String(text) => {
            names.extend(references(text).into_iter().map(|r| r.name.to_string()));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_names(v, names)),
        Value::Object(map) => map.values().for_each(|v| collect_names(v, names)),
        _ => {}
    }
}

/// The environment variable a secret is known by when a client resolves it itself: the name
/// before any `@`, with characters outside `[A-Za-z0-9_]` written as `_`.
pub fn variable_of(name: &str) -> String {
    let base = name.split('@').next().unwrap_or(name);
    let mut variable: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if variable.is_empty() || variable.starts_with(|c: char| c.is_ascii_digit()) {
        variable.insert(0, '_');
    }
    variable
}

/// The variable a token that is exactly one reference names: `${secret:NAME}` gives
/// [`variable_of`]`(NAME)`, `${VAR}` and `${env:VAR}` give `VAR`; anything else `None`.
pub fn variable_of_reference(token: &str) -> Option<String> {
    let inner = token.strip_prefix("${")?.strip_suffix('}')?;
    if inner.contains(['{', '}', '$']) {
        return None;
    }
    if let Some(name) = inner.strip_prefix("secret:") {
        return Some(variable_of(name));
    }
    let variable = inner.strip_prefix("env:").unwrap_or(inner);
    let valid = !variable.is_empty()
        && !variable.starts_with(|c: char| c.is_ascii_digit())
        && variable
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| variable.to_string())
}

/// What the catalog declares secret for an entry's server.
#[derive(Debug, Clone, Copy, Default)]
pub struct Declared<'a> {
    /// Env vars holding credentials (`secret_env`).
    pub env: &'a [String],
}

/// Replaces every plaintext secret in `entry`'s env vars and headers (see the module docs) by
/// a reference. `keep` receives a suggested base name (the env var, or `SERVER_HEADER`) and
/// the value, stores it, and returns the name to reference. Returns the names kept, in order.
///
/// Secret catalog parameters are not handled here: they are substituted as references when
/// the entry is built (`ServerDefinition::instantiate_with`), because searching a finished
/// entry for a short secret's text would also hit unrelated text.
pub fn protect_entry<E>(
    server_name: &str,
    entry: &mut ServerEntry,
    declared: Declared,
    keep: &mut dyn FnMut(&str, &str) -> Result<String, E>,
) -> Result<Vec<String>, E> {
    let mut kept = Vec::new();
    if let Some(Value::Object(env)) = &mut entry.env {
        for (var, value) in env.iter_mut() {
            // a number where a string belongs is still a secret; it comes back as a string,
            // which is what the client needed anyway
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let secret = declared.env.iter().any(|d| d == var)
                || is_secret_env_name(var)
                || looks_like_secret(&text);
            if secret && is_plaintext(&text) {
                let name = keep(&base_name(&[var]), &text)?;
                *value = Value::String(reference(&name));
                kept.push(name);
            }
        }
    }

    if let Some(Value::Object(headers)) = &mut entry.headers {
        for (header, value) in headers.iter_mut() {
            let Value::String(text) = value else { continue };
            let credential =
                is_secret_header_name(header) || text.split(' ').any(looks_like_secret);
            if !credential || !is_plaintext(text) {
                continue;
            }
            let base = base_name(&[server_name, header]);
            // `Bearer <token>`: the scheme stays readable, the token is the secret
            let (scheme, token) = match text.split_once(' ') {
                Some((scheme, token))
                    if !scheme.is_empty()
                        && scheme.chars().all(|c| c.is_ascii_alphabetic())
                        && !token.trim().is_empty()
                        && !token.trim().contains(' ') =>
                {
                    (Some(scheme.to_string()), token.trim().to_string())
                }
                _ => (None, text.clone()),
            };
            let name = keep(&base, &token)?;
            *text = match scheme {
                Some(scheme) => format!("{scheme} {}", reference(&name)),
                None => reference(&name),
            };
            kept.push(name);
        }
    }
    Ok(kept)
}

/// `GITHUB_AUTHORIZATION` from `["github", "Authorization"]`: upper case, joined by `_`, and
/// only characters a secret name and an environment variable both accept.
pub fn base_name(parts: &[&str]) -> String {
    let joined = parts.join("_").to_ascii_uppercase();
    let mut base: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base.insert(0, '_');
    }
    base.truncate(MAX_NAME_LEN - 20);
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keep_all(
        stored: &mut Vec<(String, String)>,
    ) -> impl FnMut(&str, &str) -> Result<String, ()> + '_ {
        |base, value| {
            stored.push((base.to_string(), value.to_string()));
            Ok(format!("{base}@fp"))
        }
    }

    #[test]
    fn names_decide_which_env_vars_and_headers_are_secret() {
        for secret in [
            "GITHUB_TOKEN",
            "api_key",
            "DB_PASSWORD",
            "CLIENT_SECRET",
            "BRAVE_API_KEY",
        ] {
            assert!(is_secret_env_name(secret), "{secret}");
        }
        for plain in ["DEBUG", "MEMORY_FILE_PATH", "HOME", "PORT"] {
            assert!(!is_secret_env_name(plain), "{plain}");
        }
        for header in ["Authorization", "cookie", "X-API-Key", "X-Auth-Token"] {
            assert!(is_secret_header_name(header), "{header}");
        }
        assert!(!is_secret_header_name("X-Team"));
        assert!(is_plaintext("ghp_x"));
        for not_plain in [
            "",
            "${GITHUB_TOKEN}",
            "${env:X}",
            "${input:x}",
            "${secret:X}",
            "Bearer ${X}",
        ] {
            assert!(!is_plaintext(not_plain), "{not_plain}");
        }
    }

    #[test]
    fn an_entry_keeps_references_and_no_plaintext() {
        let mut entry = ServerEntry {
            env: Some(
                json!({"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_1", "DEBUG": "1", "API_KEY": "", "X": "declared", "PIN_TOKEN": 918273}),
            ),
            headers: Some(
                json!({"Authorization": "Bearer tok_2", "X-Team": "core", "Cookie": "a=b; c=d", "X-Api-Key": "${secret:K}"}),
            ),
            args: Some(json!(["--verbose", "1"])),
            ..ServerEntry::default()
        };
        let mut stored = Vec::new();
        let declared_env = vec!["X".to_string()];
        let kept = protect_entry(
            "my-server",
            &mut entry,
            Declared { env: &declared_env },
            &mut keep_all(&mut stored),
        )
        .unwrap();
        assert_eq!(
            kept,
            [
                "GITHUB_PERSONAL_ACCESS_TOKEN@fp",
                "X@fp",
                "PIN_TOKEN@fp",
                "MY_SERVER_AUTHORIZATION@fp",
                "MY_SERVER_COOKIE@fp"
            ]
        );
        let text = serde_json::to_string(&entry).unwrap();
        for plain in ["ghp_1", "tok_2", "declared", "a=b", "918273"] {
            assert!(!text.contains(plain), "{plain} leaked: {text}");
        }
        assert_eq!(entry.env.as_ref().unwrap()["DEBUG"], "1");
        assert_eq!(
            entry.env.as_ref().unwrap()["API_KEY"],
            "",
            "empty stays empty"
        );
        assert_eq!(
            entry.headers.as_ref().unwrap()["Authorization"],
            "Bearer ${secret:MY_SERVER_AUTHORIZATION@fp}"
        );
        assert_eq!(entry.headers.as_ref().unwrap()["X-Team"], "core");
        assert_eq!(entry.headers.as_ref().unwrap()["X-Api-Key"], "${secret:K}");
        assert_eq!(
            entry.args,
            Some(json!(["--verbose", "1"])),
            "args are not searched"
        );
        assert!(stored.contains(&("MY_SERVER_AUTHORIZATION".into(), "tok_2".into())));
        assert_eq!(base_name(&["my-server", "token"]), "MY_SERVER_TOKEN");
    }

    #[test]
    fn references_are_found_replaced_and_named() {
        let text = "a ${secret:ONE} b ${secret:TWO@x} ${secret:unterminated";
        let names: Vec<&str> = references(text).iter().map(|r| r.name).collect();
        assert_eq!(names, ["ONE", "TWO@x"]);
        let out = replace_references::<()>(text, &mut |n| Ok(format!("<{n}>"))).unwrap();
        assert_eq!(out, "a <ONE> b <TWO@x> ${secret:unterminated");
        assert_eq!(variable_of("my.token@abc"), "my_token");
        assert_eq!(variable_of("9LIVES"), "_9LIVES");
        assert_eq!(
            variable_of_reference("${secret:SENTRY@1}").as_deref(),
            Some("SENTRY")
        );
        assert_eq!(
            variable_of_reference("${HF_TOKEN}").as_deref(),
            Some("HF_TOKEN")
        );
        assert_eq!(
            variable_of_reference("${env:HF_TOKEN}").as_deref(),
            Some("HF_TOKEN")
        );
        assert_eq!(variable_of_reference("x${HF_TOKEN}"), None);
        assert_eq!(variable_of_reference("${input:a-b}"), None);
        assert!(check_name("GITHUB_TOKEN@0a1b").is_ok());
        for bad in ["", "-x", "a b", "a}b", "${x}", &"a".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        let value = json!({"env": {"A": "${secret:ONE}"}, "args": ["${secret:TWO}", "x"]});
        assert_eq!(
            names_in_value(&value).into_iter().collect::<Vec<_>>(),
            ["ONE", "TWO"]
        );
    }

    #[test]
    fn credentials_are_recognized_by_their_shape() {
        for token in [
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
            "xoxb-1234567890-abcdefghijkl",
            "glpat-abcdefghij0123456789",
            "AKIAIOSFODNN7EXAMPLE",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        ] {
            assert!(looks_like_secret(token), "{token}");
        }
        for plain in [
            "sk-learn",
            "/home/me/notes.json",
            "ghp_ is the GitHub token prefix",
            "https://example.com/mcp",
            "AKIA",
            "a.b.c",
            "production",
        ] {
            assert!(!looks_like_secret(plain), "{plain}");
        }
    }
}
