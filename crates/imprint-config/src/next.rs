//! What can fix a config-domain refusal or issue, as data.
//!
//! This crate's messages say what to do next in the operations' own names (MCP's tool names,
//! `add_server_to_config`), which is the text MCP has always shown. A [`Fix`] marks where those
//! names sit in a message, as text pieces and [`Step`]s, so the service can map each step to
//! its own next step and every other surface (the CLI, REST, the control panel) can word it
//! in its terms. The crate does not know the surfaces, nor the draft a step applies to: the
//! service fills those in.
//!
//! ```
//! use imprint_config::next::{Fix, Step};
//! let fix = Fix::text("; add one with ").step(Step::AddServer);
//! assert_eq!(fix.as_tools(), "; add one with add_server_to_config");
//! ```

/// An operation that can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Add a server to the draft.
    AddServer,
    /// Remove a server from the draft.
    RemoveServer,
    /// See the catalog's server ids.
    ListCatalog,
    /// Add one's own catalog entry.
    RegisterServer,
    /// Store a secret for a `${secret:NAME}` reference.
    SetSecret,
}

impl Step {
    /// The operation's own name (MCP's tool name): how this crate's messages say it.
    pub fn tool_name(self) -> &'static str {
        match self {
            Step::AddServer => "add_server_to_config",
            Step::RemoveServer => "remove_server_from_config",
            Step::ListCatalog => "list_available_servers",
            Step::RegisterServer => "register_server",
            Step::SetSecret => "set_secret",
        }
    }
}

/// One piece of a [`Fix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Step(Step),
}

/// The part of a message that names what can follow: text pieces and steps, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fix {
    pieces: Vec<Piece>,
}

impl Fix {
    /// A fix that starts with `text`.
    pub fn text(text: &str) -> Fix {
        Fix::default().then(text)
    }

    /// `text` appended.
    pub fn then(mut self, text: &str) -> Fix {
        self.pieces.push(Piece::Text(text.to_string()));
        self
    }

    /// `step` appended.
    pub fn step(mut self, step: Step) -> Fix {
        self.pieces.push(Piece::Step(step));
        self
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The fix in the operations' own names, as the message holds it.
    pub fn as_tools(&self) -> String {
        self.pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.as_str(),
                Piece::Step(step) => step.tool_name(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_is_worded_in_tool_names_and_keeps_its_steps() {
        let fix = Fix::text("; add one with ")
            .step(Step::AddServer)
            .then(" (see ")
            .step(Step::ListCatalog)
            .then(")");
        assert_eq!(
            fix.as_tools(),
            "; add one with add_server_to_config (see list_available_servers)"
        );
        let steps: Vec<Step> = fix
            .pieces()
            .iter()
            .filter_map(|p| match p {
                Piece::Step(s) => Some(*s),
                Piece::Text(_) => None,
            })
            .collect();
        assert_eq!(steps, vec![Step::AddServer, Step::ListCatalog]);
    }
}
