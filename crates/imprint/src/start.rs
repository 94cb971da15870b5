//! `imprint` with no command: what is set up here and what to do first, instead of a
//! usage error.

use imprint_service::Service;
use imprint_service::config::{GetDeploymentStatus, ListConfigDrafts};

/// The getting-started text for this data directory and home.
pub fn getting_started(service: &Service) -> String {
    let mut out = String::from(
        "imprint: draft, validate, publish (signed) and deploy MCP client configurations.\n\n",
    );
    out.push_str(&format!(
        "data directory: {}\n",
        service.data_dir().display()
    ));
    let keys = service.data_dir().join("keys").join("signing.key").exists();
    out.push_str(&format!(
        "signing key:    {}\n",
        if keys {
            "ready"
        } else {
            "none yet (`imprint keys init`, or the first publish makes one)"
        }
    ));
    // What is on this machine: the client files found and the servers in them.
    if let Ok(status) = service.get_deployment_status(GetDeploymentStatus::default()) {
        let found: Vec<String> = status
            .files
            .iter()
            .filter(|f| f.file_found)
            .map(|f| {
                format!(
                    "{} ({} servers)",
                    f.client_id,
                    f.servers.as_ref().map_or(0, Vec::len)
                )
            })
            .collect();
        out.push_str(&format!(
            "client files:   {}\n",
            if found.is_empty() {
                "none found".to_string()
            } else {
                found.join(", ")
            }
        ));
    }
    let drafts = service
        .list_config_drafts(ListConfigDrafts::default())
        .map(|d| d.count)
        .unwrap_or(0);
    out.push_str(&format!(
        "drafts:         {drafts} for claude-desktop/default\n\nFirst steps:\n"
    ));
    for (command, why) in [
        (
            "imprint clients",
            "the clients Imprint configures, and their files",
        ),
        ("imprint status", "what each client's file holds now"),
        (
            "imprint config import",
            "start the draft from the servers already there",
        ),
        ("imprint servers list", "the catalog"),
        ("imprint draft add memory", "add a server to the draft"),
        (
            "imprint config diff",
            "what publishing the draft would change",
        ),
        ("imprint publish -m \"…\"", "sign it"),
        ("imprint deploy", "write it into the client's file"),
    ] {
        out.push_str(&format!("  {command:<26} {why}\n"));
    }
    out.push_str(
        "\nEvery command: `imprint --help`; shell completions: `imprint completions bash`.\n",
    );
    out
}
