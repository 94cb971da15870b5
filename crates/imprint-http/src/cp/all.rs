//! The profile page of client id `all`: the neutral draft (the ordinary draft section), each
//! linked client's payload and validation, and one Deploy whose flash names each client's
//! outcome. Hooks in `configs.rs` call these when the page's client is `all`.

use std::fmt::Write as _;

use imprint_service::config::{
    AllDeployed, DeployConfig, DraftConfigView, GetProfileStatus, ProfileStatus, Target,
};
use imprint_service::next::Worded as _;
use imprint_service::{Service, ServiceResult};
use serde_json::{Value, json};

use super::html::{esc, pretty, table};
use crate::words::PanelWords;

/// What `list_clients` would say of a client, for the page header of `all`.
pub(crate) fn client_description(s: &Service, t: &Target) -> ServiceResult<(Value, ProfileStatus)> {
    let status = s.profile_status(GetProfileStatus {
        profile_id: Some(t.profile_id.clone()),
    })?;
    let client = json!({
        "client_id": "all",
        "display_name": "All linked clients",
        "config_path": format!("the files of {}", status.linked.clients.join(", ")),
    });
    Ok((client, status))
}

/// Each linked client's payload of the neutral draft, with its validation.
pub(crate) fn payloads_section(draft: &DraftConfigView) -> String {
    let mut html = String::from(
        "<section id=\"clients\"><h2>Per client</h2><p class=\"muted\">What publishing this draft gives each linked client, in its own format.</p>",
    );
    for client in draft.clients.iter().flatten() {
        let valid = client.validation.valid;
        let _ = write!(
            html,
            "<details class=\"client-payload\" data-client=\"{id}\"><summary><strong>{id}</strong> {badge} · {servers}{skipped}</summary>",
            id = esc(&client.client_id),
            badge = if valid {
                "<span class=\"badge ok\">valid</span>"
            } else {
                "<span class=\"badge bad\">invalid</span>"
            },
            servers = esc(&client.servers.join(", ")),
            skipped = if client.skipped.is_empty() {
                String::new()
            } else {
                format!(" (not: {})", esc(&client.skipped.join(", ")))
            },
        );
        html.push_str("<ul>");
        for issue in &client.validation.errors {
            let _ = write!(
                html,
                "<li><span class=\"badge bad\">{}</span> {}</li>",
                esc(issue.code),
                esc(&issue.message)
            );
        }
        html.push_str("</ul>");
        let _ = write!(
            html,
            "<pre>{}</pre></details>",
            esc(&pretty(&client.payload))
        );
    }
    html.push_str("</section>");
    html
}

/// The deploy section of `all`: each linked client against the latest publish.
pub(crate) fn status_rows(status: &ProfileStatus) -> String {
    let rows: Vec<Vec<String>> = status
        .clients
        .iter()
        .map(|c| {
            let class = if c.state == "in_step" { "ok" } else { "bad" };
            vec![
                format!("<strong>{}</strong>", esc(&c.client_id)),
                format!("<code>{}</code>", esc(&c.path)),
                format!(
                    "<span class=\"badge {class}\">{}</span>",
                    esc(&c.state.replace('_', " "))
                ),
            ]
        })
        .collect();
    table(
        &["client", "file", "state"],
        &rows,
        "No client is linked to this profile.",
    )
}

/// The Deploy of `all`: every linked client, each outcome in the flash.
pub(crate) fn deploy(s: &Service, request: DeployConfig) -> ServiceResult<String> {
    let mut deployed: AllDeployed = s.deploy_all(request)?;
    // the refusals' reasons too: each is worded with its own fix
    deployed.reword(&PanelWords);
    Ok(deployed.message)
}
