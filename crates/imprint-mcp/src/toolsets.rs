//! Toolsets: named groups of tools a server can be limited to, so a client loads only
//! what it needs (every tool's description and schema costs context in each conversation).
//!
//! Every tool is in exactly one set. The mapping is by router, with one exception list:
//! a tool in `config_tools.rs` is `config` unless named in [`ADMIN_TOOLS`]; a tool in
//! `content_tools.rs` is `content`. Adding a configuration tool needs no line here;
//! making a new tool `admin` is one line in [`ADMIN_TOOLS`].

use std::fmt;
use std::str::FromStr;

/// One named group of tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolset {
    /// MCP client configurations: catalog, drafts, publish, deploy, history.
    Config,
    /// Content: sites, sections, entry types, fields, entries, drafts, revisions.
    Content,
    /// Keys and secrets.
    Admin,
}

/// Tools defined with the configuration tools that belong to `admin`.
pub(crate) const ADMIN_TOOLS: &[&str] = &[
    "initialize_keys",
    "set_secret",
    "list_secrets",
    "remove_secret",
];

impl Toolset {
    pub const ALL: [Toolset; 3] = [Toolset::Config, Toolset::Content, Toolset::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Toolset::Config => "config",
            Toolset::Content => "content",
            Toolset::Admin => "admin",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Toolset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A selection of toolsets; the default is all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toolsets(u8);

impl Default for Toolsets {
    fn default() -> Self {
        Self::all()
    }
}

impl Toolsets {
    pub fn all() -> Self {
        Self(Toolset::ALL.iter().fold(0, |bits, set| bits | set.bit()))
    }

    pub fn only(sets: &[Toolset]) -> Self {
        Self(sets.iter().fold(0, |bits, set| bits | set.bit()))
    }

    pub fn contains(self, set: Toolset) -> bool {
        self.0 & set.bit() != 0
    }

    /// The selected sets, in the canonical order.
    pub fn sets(self) -> Vec<Toolset> {
        Toolset::ALL
            .into_iter()
            .filter(|set| self.contains(*set))
            .collect()
    }
}

impl fmt::Display for Toolsets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.sets().into_iter().map(Toolset::name).collect();
        f.write_str(&names.join(","))
    }
}

/// `config,content`, `admin`, `all`; spaces around names are ignored.
impl FromStr for Toolsets {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut bits = 0;
        for name in text.split(',').map(str::trim) {
            bits |= match name {
                "all" => Toolsets::all().0,
                "config" => Toolset::Config.bit(),
                "content" => Toolset::Content.bit(),
                "admin" => Toolset::Admin.bit(),
                other => {
                    return Err(format!(
                        "unknown toolset '{other}': the toolsets are config, content and admin \
                         (comma-separated), or all"
                    ));
                }
            };
        }
        Ok(Self(bits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_all() {
        assert_eq!(
            "config".parse::<Toolsets>().unwrap().sets(),
            [Toolset::Config]
        );
        assert_eq!(
            "admin, config".parse::<Toolsets>().unwrap().sets(),
            [Toolset::Config, Toolset::Admin]
        );
        assert_eq!("all".parse::<Toolsets>().unwrap(), Toolsets::all());
        assert_eq!(Toolsets::all().to_string(), "config,content,admin");
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones() {
        let error = "config,secrets".parse::<Toolsets>().unwrap_err();
        assert!(error.contains("'secrets'"), "{error}");
        assert!(error.contains("config, content and admin"), "{error}");
        assert!("".parse::<Toolsets>().is_err());
    }
}
