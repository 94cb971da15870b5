//! The one error type of the config domain.
//!
//! Every message is meant to be shown to the person (or model) that made the call: it is
//! lowercase, names what is wrong and says how to fix it. The service layer maps the variants
//! to its own kinds (invalid input vs not found).

/// Why a config-domain call was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The caller passed something malformed: an id, a parameter, a definition, a file section.
    #[error("{message}")]
    InvalidInput { message: String },
    /// As `InvalidInput`, with what fixes it as data: `message` holds `fix` in the operations'
    /// own names (as MCP shows it), the service words it per surface.
    #[error("{message}")]
    Fixable {
        message: String,
        fix: crate::next::Fix,
    },
    /// No catalog entry has this id.
    #[error("unknown server '{server_id}': call list_available_servers to see the catalog ids")]
    UnknownServer { server_id: String },
    /// No client record has this id.
    #[error("unknown client '{client_id}': use one of {}", crate::clients::ids().join(", "))]
    UnknownClient { client_id: String },
}

/// Shorthand for [`ConfigError::InvalidInput`].
pub fn invalid(msg: impl Into<String>) -> ConfigError {
    ConfigError::InvalidInput {
        message: msg.into(),
    }
}

/// An [`ConfigError::Fixable`]: `fact`, then `fix` in the operations' own names.
pub fn fixable(fact: impl Into<String>, fix: crate::next::Fix) -> ConfigError {
    ConfigError::Fixable {
        message: format!("{}{}", fact.into(), fix.as_tools()),
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_server_names_the_fix() {
        let e = ConfigError::UnknownServer {
            server_id: "githb".into(),
        };
        assert_eq!(
            e.to_string(),
            "unknown server 'githb': call list_available_servers to see the catalog ids"
        );
    }

    #[test]
    fn unknown_client_lists_the_known_ids() {
        let e = ConfigError::UnknownClient {
            client_id: "vim".into(),
        };
        let msg = e.to_string();
        assert!(msg.starts_with("unknown client 'vim': use one of "));
        assert!(msg.contains("claude-desktop"));
        assert!(msg.contains("lm-studio"));
    }
}
