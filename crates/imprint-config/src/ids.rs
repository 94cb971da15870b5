//! Identifier rules, checked before an id reaches a path, a query or a client's file.
//!
//! Client, profile, draft and catalog ids become parts of storage keys and file names, so they
//! are kept to a small lowercase alphabet that can never spell a path (`..`, `a/b`, `C:\`).
//! Server *names* (the keys of a client's section) are the user's and may use capitals; their
//! generic rule is here, and each client's stricter rule lives in its record
//! ([`crate::clients::NameRule`]).

use crate::error::{ConfigError, invalid};

/// The longest id or server name accepted.
pub const MAX_ID_LEN: usize = 64;

/// Checks a client, profile, draft-name or catalog server id: `[a-z0-9][a-z0-9._-]*`, at most
/// 64 characters. `what` names the field in the error ("profile_id").
pub fn validate_id(what: &str, value: &str) -> Result<(), ConfigError> {
    const RULE: &str =
        "use 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";
    if value.is_empty() {
        return Err(invalid(format!("{what} is empty: {RULE}")));
    }
    if value.len() > MAX_ID_LEN {
        return Err(invalid(format!(
            "{what} '{}…' is {} characters long: {RULE}",
            truncate(value, 16),
            value.len()
        )));
    }
    let first_ok = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !first_ok || !rest_ok {
        return Err(invalid(format!("invalid {what} {value:?}: {RULE}")));
    }
    Ok(())
}

/// Checks a server name given when adding a server: 1-64 characters of `[A-Za-z0-9_.-]`, not
/// starting with '.'. A client may be stricter; see [`crate::validate`].
pub fn validate_server_name(value: &str) -> Result<(), ConfigError> {
    const RULE: &str =
        "use 1-64 characters of letters, digits, '.', '_' or '-', not starting with '.'";
    if value.is_empty() {
        return Err(invalid(format!("server_name is empty: {RULE}")));
    }
    if value.len() > MAX_ID_LEN {
        return Err(invalid(format!(
            "server_name '{}…' is {} characters long: {RULE}",
            truncate(value, 16),
            value.len()
        )));
    }
    let ok = !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(invalid(format!("invalid server_name {value:?}: {RULE}")));
    }
    Ok(())
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        for id in ["default", "claude-desktop", "dev.2", "a", "0", "x_y-z.w"] {
            assert!(validate_id("profile_id", id).is_ok(), "{id}");
        }
        assert!(validate_id("profile_id", &"a".repeat(64)).is_ok());
    }

    #[test]
    fn rejects_path_like_and_malformed_ids() {
        for id in [
            "",
            "..",
            ".",
            "../../etc",
            "a/b",
            "a\\b",
            "Default",
            "-x",
            "_x",
            ".hidden",
            "a b",
            "é",
            "C:",
        ] {
            let err = validate_id("profile_id", id).expect_err(id).to_string();
            assert!(err.contains("profile_id"), "{err}");
        }
        let long = "a".repeat(65);
        let err = validate_id("draft_name", &long).unwrap_err().to_string();
        assert!(err.contains("65 characters"), "{err}");
    }

    #[test]
    fn error_states_the_rule() {
        let err = validate_id("client_id", "a/b").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid client_id \"a/b\": use 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        );
        let err = validate_id("client_id", "").unwrap_err().to_string();
        assert!(err.starts_with("client_id is empty"), "{err}");
    }

    #[test]
    fn server_names_allow_capitals_but_not_paths() {
        for ok in ["GitHub", "my_server", "fs.home", "a-1"] {
            assert!(validate_server_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".x", "a/b", "a b", "..", "a\\b", "x:y"] {
            let err = validate_server_name(bad).expect_err(bad).to_string();
            assert!(err.contains("server_name"), "{err}");
        }
        assert!(validate_server_name(&"s".repeat(65)).is_err());
    }
}
