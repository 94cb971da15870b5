//! The dashboard and the MCP configuration pages: per client/profile, the draft (add,
//! remove, clear, import), validation, publish, the latest artifact and its signature,
//! deploy status with drift, history with rollback, and a diff between any two
//! artifacts (or an artifact and the draft).

use crate::words::PanelWords;
use imprint_service::next::Worded as _;
use std::fmt::Write as _;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use imprint_service::api::{Flag, JsonObject};
use imprint_service::config::{
    AddServerToConfig, ClearDraftConfig, DeployConfig, DeployedConfig, GetConfig, GetConfigHistory,
    ImportConfig, ListAvailableServers, ListClients, ListConfigDrafts, ListProfiles, PublishConfig,
    RemoveServerFromConfig, RollbackConfig, Target, ValidateConfig, VerifyConfig, ViewDraftConfig,
};
use imprint_service::config::{
    AvailableServers, ConfigDrafts, ConfigHistory, ConfigValidation, ConfigVerification,
    DeployedState, DraftConfigView, ProfileSummary,
};
use imprint_service::{Service, ServiceError, ServiceResult};
use serde::Deserialize;
use serde_json::{Value, json};

use super::html::{self, attr, esc, pretty, short_id, table, text_of, url_encode};
use super::{Panel, PanelForm};
use crate::extract::{PathParams, QueryParams};
use crate::state::AppState;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/cp", get(dashboard))
        .route("/cp/configs", get(configs))
        .route("/cp/configs/open", get(open_profile))
        .route("/cp/configs/{client_id}/{profile_id}", get(profile_page))
        .route("/cp/configs/{client_id}/{profile_id}/diff", get(diff_page))
        .route(
            "/cp/configs/{client_id}/{profile_id}/artifacts/{artifact_id}",
            get(artifact_page),
        )
        .route(
            "/cp/configs/{client_id}/{profile_id}/draft/add",
            post(add_server),
        )
        .route(
            "/cp/configs/{client_id}/{profile_id}/draft/remove",
            post(remove_server),
        )
        .route(
            "/cp/configs/{client_id}/{profile_id}/draft/clear",
            post(clear_draft),
        )
        .route("/cp/configs/{client_id}/{profile_id}/import", post(import))
        .route(
            "/cp/configs/{client_id}/{profile_id}/publish",
            post(publish),
        )
        .route("/cp/configs/{client_id}/{profile_id}/deploy", post(deploy))
        .route(
            "/cp/configs/{client_id}/{profile_id}/rollback",
            post(rollback),
        )
}

type Doc = PathParams<(String, String)>;

fn profile_url(client: &str, profile: &str, draft: Option<&str>) -> String {
    let mut url = format!("/cp/configs/{}/{}", url_encode(client), url_encode(profile));
    if let Some(draft) = draft.filter(|d| !d.is_empty() && *d != "default") {
        let _ = write!(url, "?draft={}", url_encode(draft));
    }
    url
}

/// Env and header values are shown as `***` unless they are `${env:…}` references:
/// artifacts carry real values, pages must not.
fn redact_payload(payload: &Value) -> Value {
    let mut payload = payload.clone();
    if let Value::Object(root) = &mut payload {
        for section in root.values_mut() {
            let Value::Object(servers) = section else {
                continue;
            };
            for entry in servers.values_mut() {
                for key in ["env", "headers"] {
                    if let Some(Value::Object(map)) = entry.get_mut(key) {
                        for value in map.values_mut() {
                            if value
                                .as_str()
                                .is_some_and(|s| !s.is_empty() && !s.starts_with("${"))
                            {
                                *value = json!("***");
                            }
                        }
                    }
                }
            }
        }
    }
    payload
}

/// Text of an optional answer field: "-" when it is absent, as [`text_of`] shows null.
fn text_or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_string()
}

/// Client/profile pairs that have something (a draft or a published artifact). The client
/// is its description as `list_clients` shows it.
fn profiles_in_use(service: &Service) -> ServiceResult<Vec<(Value, ProfileSummary)>> {
    let clients = service.list_clients(ListClients {});
    let mut rows = Vec::new();
    for client in clients.clients {
        let id = client["client_id"].as_str().unwrap_or_default();
        let profiles = service.list_profiles(ListProfiles {
            client_id: Some(id.to_string()),
        })?;
        for profile in profiles.profiles {
            if !profile.drafts.is_empty() || profile.latest_artifact_id.is_some() {
                rows.push((client.clone(), profile));
            }
        }
    }
    Ok(rows)
}

fn profile_rows(rows: &[(Value, ProfileSummary)]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|(client, profile)| {
            let client_id = client["client_id"].as_str().unwrap_or_default();
            let profile_id = profile.profile_id.as_str();
            let drafts = &profile.drafts;
            vec![
                esc(&text_of(&client["display_name"])),
                format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&profile_url(client_id, profile_id, None)),
                    esc(profile_id)
                ),
                profile
                    .latest_artifact_id
                    .as_deref()
                    .map(short_id)
                    .unwrap_or_else(|| "<span class=\"muted\">unpublished</span>".into()),
                esc(&profile.revision_count.to_string()),
                esc(&drafts.join(", ")),
                esc(&text_or_dash(profile.updated_at.as_deref())),
            ]
        })
        .collect()
}

async fn dashboard(panel: Panel) -> Response {
    let rows = match panel.run(profiles_in_use).await {
        Ok(rows) => rows,
        Err(error) => return panel.error_page(error),
    };
    let mut body = String::new();
    body.push_str("<section><h2>MCP client configurations</h2>");
    body.push_str(&table(
        &[
            "client",
            "profile",
            "latest artifact",
            "revisions",
            "drafts",
            "updated",
        ],
        &profile_rows(&rows),
        "No configurations yet: open a client under MCP configs and add a server to its draft.",
    ));
    body.push_str("<p><a href=\"/cp/configs\">All clients →</a></p></section>");
    body.push_str(
        "<section><h2>Content</h2><p>Entries by section and site, their drafts and revisions: \
<a href=\"/cp/entries\">Content →</a></p></section>",
    );
    panel.page("Dashboard", &body)
}

async fn configs(panel: Panel) -> Response {
    let (clients, rows) = match panel
        .run(|s| Ok((s.list_clients(ListClients {}), profiles_in_use(s)?)))
        .await
    {
        Ok(data) => data,
        Err(error) => return panel.error_page(error),
    };
    let mut body = String::from("<section><h2>Profiles in use</h2>");
    body.push_str(&table(
        &[
            "client",
            "profile",
            "latest artifact",
            "revisions",
            "drafts",
            "updated",
        ],
        &profile_rows(&rows),
        "None yet.",
    ));
    body.push_str("</section><section><h2>Open a client profile</h2><form method=\"get\" action=\"/cp/configs/open\" class=\"row\"><label>Client <select name=\"client\">");
    let mut client_rows = Vec::new();
    for client in &clients.clients {
        let id = text_of(&client["client_id"]);
        let _ = write!(
            body,
            "<option value=\"{}\">{}</option>",
            attr(&id),
            esc(&text_of(&client["display_name"]))
        );
        client_rows.push(vec![
            format!(
                "<a href=\"{}\">{}</a>",
                attr(&profile_url(&id, "default", None)),
                esc(&text_of(&client["display_name"]))
            ),
            format!("<code>{}</code>", esc(&id)),
            format!("<code>{}</code>", esc(&text_of(&client["config_path"]))),
        ]);
    }
    body.push_str("</select></label><label>Profile <input name=\"profile\" value=\"default\" required></label><button>Open</button></form></section>");
    body.push_str("<section><h2>Clients</h2>");
    body.push_str(&table(&["client", "id", "config file"], &client_rows, ""));
    body.push_str("</section>");
    panel.page("MCP configs", &body)
}

#[derive(Debug, Deserialize)]
pub(crate) struct OpenQuery {
    client: String,
    profile: String,
}

async fn open_profile(panel: Panel, QueryParams(q): QueryParams<OpenQuery>) -> Response {
    match Target::new(Some(&q.client), Some(&q.profile), None) {
        Ok(t) => Redirect::to(&profile_url(&t.client_id, &t.profile_id, None)).into_response(),
        Err(error) => panel.error_page(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DraftQuery {
    draft: Option<String>,
}

/// Everything the profile page shows, read in one trip to the blocking pool.
struct ProfileView {
    /// The client's description as `list_clients` shows it.
    client: Value,
    draft: DraftConfigView,
    validation: ConfigValidation,
    drafts: ConfigDrafts,
    history: ConfigHistory,
    deployed: Result<DeployedState, String>,
    verify: Option<ConfigVerification>,
    catalog: AvailableServers,
    /// Client `all`: its linked clients against the latest publish.
    all: Option<imprint_service::config::ProfileStatus>,
}

/// The page's client/profile as the `client_id`/`profile_id` of a request.
fn document(t: &Target) -> (Option<String>, Option<String>) {
    (Some(t.client_id.clone()), Some(t.profile_id.clone()))
}

fn view_draft(t: &Target) -> ViewDraftConfig {
    let (client_id, profile_id) = document(t);
    ViewDraftConfig {
        client_id,
        profile_id,
        draft_name: Some(t.draft_name.clone()),
    }
}

fn get_config(t: &Target, artifact_id: Option<&str>) -> GetConfig {
    let (client_id, profile_id) = document(t);
    GetConfig {
        client_id,
        profile_id,
        artifact_id: artifact_id.map(str::to_string),
    }
}

fn verify_config(t: &Target, artifact_id: Option<&str>) -> VerifyConfig {
    let (client_id, profile_id) = document(t);
    VerifyConfig {
        client_id,
        profile_id,
        artifact_id: artifact_id.map(str::to_string),
    }
}

fn read_profile(s: &Service, t: &Target) -> ServiceResult<ProfileView> {
    let (client, all) = if t.is_all() {
        let (client, status) = super::all::client_description(s, t)?;
        (client, Some(status))
    } else {
        let clients = s.list_clients(ListClients {});
        let client = clients
            .clients
            .into_iter()
            .find(|c| c["client_id"] == t.client_id.as_str())
            .ok_or_else(|| ServiceError::not_found(format!("unknown client '{}'", t.client_id)))?;
        (client, None)
    };
    let (client_id, profile_id) = document(t);
    let history = s.get_config_history(GetConfigHistory {
        client_id: client_id.clone(),
        profile_id: profile_id.clone(),
        limit: Some(50),
    })?;
    let has_history = history.count > 0;
    Ok(ProfileView {
        client,
        draft: s.view_draft_config(view_draft(t))?,
        validation: {
            let mut validation = s.validate_config(ValidateConfig {
                client_id: client_id.clone(),
                profile_id: profile_id.clone(),
                draft_name: Some(t.draft_name.clone()),
            })?;
            validation.reword(&PanelWords);
            validation
        },
        drafts: s.list_config_drafts(ListConfigDrafts {
            client_id: client_id.clone(),
            profile_id: profile_id.clone(),
        })?,
        deployed: match t.is_all() {
            // each linked client's state is in `all`
            true => Err(String::new()),
            false => s
                .deployed_config(DeployedConfig {
                    client_id,
                    profile_id,
                })
                .map_err(|e| e.message().to_string()),
        },
        all,
        verify: if has_history {
            Some(s.verify_config(verify_config(t, None))?)
        } else {
            None
        },
        history,
        catalog: s.list_available_servers(ListAvailableServers::default())?,
    })
}

fn issues_html(validation: &ConfigValidation) -> String {
    let mut html = String::new();
    let valid = validation.report.valid;
    let _ = write!(
        html,
        "<p>{}</p>",
        if valid {
            "<span class=\"badge ok\">valid</span>"
        } else {
            "<span class=\"badge bad\">invalid</span>"
        }
    );
    for (issues, class) in [
        (&validation.report.errors, "bad"),
        (&validation.report.warnings, ""),
    ] {
        if issues.is_empty() {
            continue;
        }
        html.push_str("<ul>");
        for issue in issues {
            let _ = write!(
                html,
                "<li><span class=\"badge {class}\">{}</span> {}</li>",
                esc(issue.code),
                esc(&issue.message)
            );
        }
        html.push_str("</ul>");
    }
    html
}

fn draft_section(panel: &Panel, t: &Target, view: &ProfileView) -> String {
    let csrf = &panel.session.csrf;
    let base = profile_url(&t.client_id, &t.profile_id, None);
    let draft = &view.draft;
    let version = draft
        .draft_version
        .map(|v| v.to_string())
        .unwrap_or_default();
    let mut html = format!(
        "<section id=\"draft\"><h2>Draft “{}”</h2>",
        esc(&t.draft_name)
    );
    let names: Vec<&str> = view
        .drafts
        .drafts
        .iter()
        .map(|d| d.draft_name.as_str())
        .collect();
    if names.len() > 1 {
        html.push_str("<p>Drafts: ");
        for name in &names {
            let _ = write!(
                html,
                "<a href=\"{}\">{}</a> ",
                attr(&profile_url(&t.client_id, &t.profile_id, Some(name))),
                esc(name)
            );
        }
        html.push_str("</p>");
    }
    if draft.exists {
        let _ = write!(
            html,
            "<p class=\"muted\">version {} · updated {}</p>",
            esc(&version),
            esc(&text_or_dash(draft.updated_at.as_deref()))
        );
    } else {
        html.push_str("<p class=\"muted\">No draft yet: adding a server creates it.</p>");
    }
    let fields = [
        ("draft", t.draft_name.as_str()),
        ("version", version.as_str()),
    ];
    let rows: Vec<Vec<String>> = draft
        .entries
        .iter()
        .map(|server| {
            let name = text_of(&server["server_name"]);
            let what = match server["url"].as_str() {
                Some(url) => format!("<code>{}</code>", esc(url)),
                None => {
                    let args: Vec<String> = server["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(text_of)
                        .collect();
                    format!(
                        "<code>{} {}</code>",
                        esc(&text_of(&server["command"])),
                        esc(&args.join(" "))
                    )
                }
            };
            let env: Vec<String> = server["env"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", text_of(v)))
                .collect();
            let mut remove_fields = fields.to_vec();
            remove_fields.push(("server_name", name.as_str()));
            vec![
                format!("<strong>{}</strong>", esc(&name)),
                esc(&text_of(&server["transport"])),
                what,
                format!("<code>{}</code>", esc(&env.join(" "))),
                html::action_button(
                    &format!("{base}/draft/remove"),
                    csrf,
                    &remove_fields,
                    "Remove",
                    "secondary",
                ),
            ]
        })
        .collect();
    html.push_str(&table(
        &["name", "transport", "command / url", "env", ""],
        &rows,
        "The draft has no servers.",
    ));
    // Add a server from the catalog.
    let _ = write!(
        html,
        "<h3>Add a server</h3><form method=\"post\" action=\"{}\" class=\"stack\">{}{}{}\
<label>Catalog server <select name=\"server_id\">",
        attr(&format!("{base}/draft/add")),
        html::csrf_field(csrf),
        html::hidden("draft", &t.draft_name),
        html::hidden("version", &version)
    );
    for server in &view.catalog.servers {
        let id = text_of(&server["server_id"]);
        let _ = write!(
            html,
            "<option value=\"{}\">{} ({})</option>",
            attr(&id),
            esc(&text_of(&server["display_name"])),
            esc(&id)
        );
    }
    html.push_str(
        "</select></label><label>Name in the client's file (optional) <input name=\"server_name\"></label>\
<label>Parameters, JSON (optional) <textarea name=\"params\" placeholder='{\"path\": \"/home/me\"}'></textarea></label>\
<label>Environment, JSON (optional) <textarea name=\"env_vars\" placeholder='{\"TOKEN\": \"${env:TOKEN}\"}'></textarea></label>\
<button>Add to draft</button></form>",
    );
    let _ = write!(
        html,
        "<p>{} {}</p>",
        html::action_button(
            &format!("{base}/import"),
            csrf,
            &fields,
            "Import from the client's file",
            "secondary"
        ),
        html::action_button(
            &format!("{base}/draft/clear"),
            csrf,
            &fields,
            "Clear the draft",
            "danger"
        )
    );
    html.push_str("<h3>Validation</h3>");
    html.push_str(&issues_html(&view.validation));
    // Publish.
    let _ = write!(
        html,
        "<h3>Publish</h3><form method=\"post\" action=\"{}\" class=\"row\">{}{}{}\
<label>Changelog <input name=\"changelog\" size=\"50\" placeholder=\"what changed and why\"></label>\
<button>Publish signed revision</button></form>",
        attr(&format!("{base}/publish")),
        html::csrf_field(csrf),
        html::hidden("draft", &t.draft_name),
        html::hidden("version", &version)
    );
    let _ = write!(
        html,
        "<p><a href=\"{}\">Compare the draft with the latest artifact</a></p></section>",
        attr(&format!("{base}/diff?to=draft"))
    );
    html
}

fn deploy_section(panel: &Panel, t: &Target, view: &ProfileView) -> String {
    let base = profile_url(&t.client_id, &t.profile_id, None);
    let mut html = String::from("<section id=\"deploy\"><h2>Deploy</h2>");
    match &view.deployed {
        Err(message) => match &view.all {
            Some(status) => html.push_str(&super::all::status_rows(status)),
            None => {
                let _ = write!(html, "<p class=\"flash error\">{}</p>", esc(message));
            }
        },
        Ok(DeployedState::Never(never)) => {
            let _ = write!(
                html,
                "<p>Never deployed. The client's file: <code>{}</code></p>",
                esc(&never.path.display().to_string())
            );
        }
        Ok(DeployedState::Deployed(deployed)) => {
            let up_to_date = deployed.up_to_date;
            let drifted = deployed.drift.drifted;
            let _ = write!(
                html,
                "<dl class=\"facts\"><dt>file</dt><dd><code>{}</code></dd>\
<dt>deployed</dt><dd>{} at {}</dd><dt>status</dt><dd>{} {}</dd></dl>",
                esc(&deployed.path),
                short_id(&deployed.artifact_id),
                esc(&deployed.deployed_at),
                if up_to_date {
                    "<span class=\"badge ok\">latest</span>"
                } else {
                    "<span class=\"badge bad\">behind the latest artifact</span>"
                },
                if drifted {
                    "<span class=\"badge bad\">drifted</span>"
                } else {
                    "<span class=\"badge ok\">no drift</span>"
                },
            );
            let changes = &deployed.drift.changes;
            if !changes.is_empty() {
                html.push_str("<p>Changed in the file since the last deploy:</p><ul>");
                for change in changes {
                    let _ = write!(html, "<li>{}</li>", esc(change));
                }
                html.push_str("</ul>");
            }
        }
    }
    if view.history.count > 0 {
        let _ = write!(
            html,
            "<form method=\"post\" action=\"{}\" class=\"row\">{}\
<label class=\"check\"><input type=\"checkbox\" name=\"force\" value=\"on\"> force (replace hand edits; a backup is kept)</label>\
<button>Deploy the latest artifact</button></form>",
            attr(&format!("{base}/deploy")),
            html::csrf_field(&panel.session.csrf)
        );
    }
    html.push_str("</section>");
    html
}

fn history_section(panel: &Panel, t: &Target, view: &ProfileView) -> String {
    let base = profile_url(&t.client_id, &t.profile_id, None);
    let csrf = &panel.session.csrf;
    let revisions = &view.history.revisions;
    let mut html = String::from("<section id=\"history\"><h2>History</h2>");
    if let Some(verify) = &view.verify {
        let _ = write!(
            html,
            "<p>Latest artifact: {} {}</p>",
            if verify.valid {
                "<span class=\"badge ok\">signature verified</span>"
            } else {
                "<span class=\"badge bad\">verification failed</span>"
            },
            esc(&verify.message)
        );
    }
    let rows: Vec<Vec<String>> = revisions
        .iter()
        .enumerate()
        .map(|(index, revision)| {
            let id = revision.artifact_id.clone();
            vec![
                esc(&revision.sequence.to_string()),
                format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&format!("{base}/artifacts/{}", url_encode(&id))),
                    short_id(&id)
                ),
                esc(&text_or_dash(revision.author.as_deref())),
                esc(&text_or_dash(revision.changelog.as_deref())),
                esc(&text_or_dash(revision.created_at.as_deref())),
                if index == 0 {
                    "<span class=\"badge ok\">head</span>".to_string()
                } else {
                    html::action_button(
                        &format!("{base}/rollback"),
                        csrf,
                        &[("artifact_id", id.as_str())],
                        "Roll back to this",
                        "secondary",
                    )
                },
            ]
        })
        .collect();
    html.push_str(&table(
        &["#", "artifact", "author", "changelog", "published", ""],
        &rows,
        "Nothing published yet.",
    ));
    if revisions.len() > 1 {
        let _ = write!(
            html,
            "<form method=\"get\" action=\"{}\" class=\"row\"><label>From <select name=\"from\">",
            attr(&format!("{base}/diff"))
        );
        for (index, revision) in revisions.iter().enumerate() {
            let id = &revision.artifact_id;
            let _ = write!(
                html,
                "<option value=\"{}\"{}>#{} {}</option>",
                attr(id),
                if index == 1 { " selected" } else { "" },
                esc(&revision.sequence.to_string()),
                esc(&id.chars().take(12).collect::<String>())
            );
        }
        html.push_str("</select></label><label>To <select name=\"to\">");
        for (index, revision) in revisions.iter().enumerate() {
            let id = &revision.artifact_id;
            let _ = write!(
                html,
                "<option value=\"{}\"{}>#{} {}</option>",
                attr(id),
                if index == 0 { " selected" } else { "" },
                esc(&revision.sequence.to_string()),
                esc(&id.chars().take(12).collect::<String>())
            );
        }
        html.push_str("<option value=\"draft\">the draft</option></select></label><button>Compare</button></form>");
    }
    html.push_str("</section>");
    html
}

async fn profile_page(
    panel: Panel,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DraftQuery>,
) -> Response {
    let target = match Target::new(Some(&client), Some(&profile), q.draft.as_deref()) {
        Ok(t) => t,
        Err(error) => return panel.error_page(error.into()),
    };
    let t = target.clone();
    let view = match panel.run(move |s| read_profile(s, &t)).await {
        Ok(view) => view,
        Err(error) => return panel.error_page(error),
    };
    let title = format!(
        "{} · {}",
        text_of(&view.client["display_name"]),
        target.profile_id
    );
    let mut body = format!(
        "<p class=\"muted\">{} writes <code>{}</code></p>",
        esc(&target.client_id),
        esc(&text_of(&view.client["config_path"]))
    );
    body.push_str(&draft_section(&panel, &target, &view));
    if target.is_all() {
        body.push_str(&super::all::payloads_section(&view.draft));
    }
    body.push_str(&deploy_section(&panel, &target, &view));
    body.push_str(&history_section(&panel, &target, &view));
    panel.page(&title, &body)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
    draft: Option<String>,
}

/// A side of a comparison: an artifact id, or `draft`.
fn side_payload(s: &Service, t: &Target, which: Option<&str>) -> ServiceResult<(String, Value)> {
    let (label, mut payload) = side_payload_of(s, t, which)?;
    // a neutral artifact names its client artifacts beside the servers: no part of the draft
    if t.is_all()
        && let Value::Object(map) = &mut payload
    {
        map.remove("clients");
    }
    Ok((label, payload))
}

fn side_payload_of(s: &Service, t: &Target, which: Option<&str>) -> ServiceResult<(String, Value)> {
    match which.filter(|w| !w.is_empty()) {
        Some("draft") => {
            let draft = s.view_draft_config(view_draft(t))?;
            Ok((format!("draft “{}”", t.draft_name), draft.payload))
        }
        Some(id) => {
            let artifact = s.get_config(get_config(t, Some(id)))?;
            let envelope = artifact.envelope();
            let seq = envelope["metadata"]["sequence"].clone();
            Ok((
                format!(
                    "#{} {}",
                    text_of(&seq),
                    id.chars().take(12).collect::<String>()
                ),
                redact_payload(&envelope["payload"]),
            ))
        }
        None => {
            let artifact = s.get_config(get_config(t, None))?;
            let envelope = artifact.envelope();
            let id = text_of(&envelope["artifact_id"]);
            Ok((
                format!("latest {}", id.chars().take(12).collect::<String>()),
                redact_payload(&envelope["payload"]),
            ))
        }
    }
}

async fn diff_page(
    panel: Panel,
    PathParams((client, profile)): Doc,
    QueryParams(q): QueryParams<DiffQuery>,
) -> Response {
    let target = match Target::new(Some(&client), Some(&profile), q.draft.as_deref()) {
        Ok(t) => t,
        Err(error) => return panel.error_page(error.into()),
    };
    let t = target.clone();
    let sides = panel
        .run(move |s| {
            Ok((
                side_payload(s, &t, q.from.as_deref())?,
                side_payload(s, &t, q.to.as_deref())?,
            ))
        })
        .await;
    let ((from_label, from), (to_label, to)) = match sides {
        Ok(sides) => sides,
        Err(error) => return panel.error_page(error),
    };
    let mut body = format!(
        "<p><a href=\"{}\">← back to {}/{}</a></p><p>From <strong>{}</strong> to <strong>{}</strong> \
(env and header values shown as ***)</p>",
        attr(&profile_url(&target.client_id, &target.profile_id, None)),
        esc(&target.client_id),
        esc(&target.profile_id),
        esc(&from_label),
        esc(&to_label)
    );
    if from == to {
        body.push_str("<p class=\"flash ok\">No differences.</p>");
    }
    body.push_str(&html::line_diff(&pretty(&from), &pretty(&to)));
    panel.page("Compare", &body)
}

async fn artifact_page(
    panel: Panel,
    PathParams((client, profile, artifact)): PathParams<(String, String, String)>,
) -> Response {
    let target = match Target::new(Some(&client), Some(&profile), None) {
        Ok(t) => t,
        Err(error) => return panel.error_page(error.into()),
    };
    let t = target.clone();
    let id = artifact.clone();
    let result = panel
        .run(move |s| {
            Ok((
                s.get_config(get_config(&t, Some(&id)))?.into_envelope(),
                s.verify_config(verify_config(&t, Some(&id)))?,
            ))
        })
        .await;
    let (mut envelope, verify) = match result {
        Ok(data) => data,
        Err(error) => return panel.error_page(error),
    };
    envelope["payload"] = redact_payload(&envelope["payload"]);
    let body = format!(
        "<p><a href=\"{}\">← back to {}/{}</a></p><p>{} {}</p><pre>{}</pre>",
        attr(&profile_url(&target.client_id, &target.profile_id, None)),
        esc(&target.client_id),
        esc(&target.profile_id),
        if verify.valid {
            "<span class=\"badge ok\">signature verified</span>"
        } else {
            "<span class=\"badge bad\">verification failed</span>"
        },
        esc(&verify.message),
        esc(&pretty(&envelope))
    );
    panel.page(
        &format!("Artifact {}", artifact.chars().take(12).collect::<String>()),
        &body,
    )
}

// ----- forms ------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DraftForm {
    draft: Option<String>,
    version: Option<String>,
    server_id: Option<String>,
    server_name: Option<String>,
    params: Option<String>,
    env_vars: Option<String>,
    changelog: Option<String>,
}

impl DraftForm {
    /// The version the page showed: a change since then is a conflict, not a surprise (the
    /// service checks it atomically with the write).
    fn expected_version(&self) -> Option<i64> {
        self.version.as_deref().and_then(|v| v.trim().parse().ok())
    }
}

/// A JSON object typed into a form field; empty means none.
fn json_object(name: &str, text: Option<String>) -> ServiceResult<Option<JsonObject>> {
    match text.filter(|t| !t.trim().is_empty()) {
        None => Ok(None),
        Some(text) => serde_json::from_value(Value::String(text))
            .map(Some)
            .map_err(|e| ServiceError::invalid(format!("{name} {e}"))),
    }
}

async fn add_server(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<DraftForm>,
) -> Response {
    let back = profile_url(&client, &profile, form.draft.as_deref());
    let result = panel
        .run(move |s| {
            let added = s.add_server_to_config(AddServerToConfig {
                server_id: form.server_id.clone().unwrap_or_default(),
                params: json_object("params", form.params.clone())?,
                env_vars: json_object("env_vars", form.env_vars.clone())?,
                server_name: form.server_name.clone(),
                client_id: Some(client),
                profile_id: Some(profile),
                draft_name: form.draft.clone(),
                expected_version: form.expected_version(),
                // the panel shows the draft itself; no need to render it into the answer
                include_draft: Some(Flag(false)),
                ..AddServerToConfig::default()
            })?;
            Ok(format!("added '{}' to the draft", added.server_name))
        })
        .await;
    panel.done(result, &format!("{back}#draft"))
}

async fn remove_server(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<DraftForm>,
) -> Response {
    let back = profile_url(&client, &profile, form.draft.as_deref());
    let result = panel
        .run(move |s| {
            let name = form.server_name.clone().unwrap_or_default();
            s.remove_server_from_config(RemoveServerFromConfig {
                server_name: name.clone(),
                client_id: Some(client),
                profile_id: Some(profile),
                draft_name: form.draft.clone(),
                expected_version: form.expected_version(),
                include_draft: Some(Flag(false)),
            })?;
            Ok(format!("removed '{name}' from the draft"))
        })
        .await;
    panel.done(result, &format!("{back}#draft"))
}

async fn clear_draft(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<DraftForm>,
) -> Response {
    let back = profile_url(&client, &profile, form.draft.as_deref());
    let result = panel
        .run(move |s| {
            let cleared = s.clear_draft_config(ClearDraftConfig {
                client_id: Some(client),
                profile_id: Some(profile),
                draft_name: form.draft.clone(),
                expected_version: form.expected_version(),
            })?;
            Ok(format!(
                "cleared the draft ({} server(s) removed)",
                cleared.servers_removed
            ))
        })
        .await;
    panel.done(result, &format!("{back}#draft"))
}

async fn import(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<DraftForm>,
) -> Response {
    let back = profile_url(&client, &profile, form.draft.as_deref());
    let result = panel
        .run(move |s| {
            let imported = s.import_config(ImportConfig {
                client_id: Some(client),
                profile_id: Some(profile),
                draft_name: form.draft.clone(),
                project_dir: None,
                expected_version: form.expected_version(),
            })?;
            let mut imported = imported;
            imported.reword(&PanelWords);
            Ok(imported.message)
        })
        .await;
    panel.done(result, &format!("{back}#draft"))
}

async fn publish(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<DraftForm>,
) -> Response {
    let back = profile_url(&client, &profile, form.draft.as_deref());
    let result = panel
        .run(move |s| {
            let published = s.publish_config(PublishConfig {
                changelog: form.changelog.clone(),
                client_id: Some(client),
                profile_id: Some(profile),
                draft_name: form.draft.clone(),
                expected_version: form.expected_version(),
            })?;
            Ok(format!(
                "published revision {} ({})",
                published.sequence, published.artifact_id
            ))
        })
        .await;
    panel.done(result, &format!("{back}#history"))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ArtifactForm {
    artifact_id: Option<String>,
    force: Option<String>,
}

async fn deploy(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<ArtifactForm>,
) -> Response {
    let back = profile_url(&client, &profile, None);
    let result = panel
        .run(move |s| {
            let request = DeployConfig {
                client_id: Some(client),
                profile_id: Some(profile),
                artifact_id: form.artifact_id.clone(),
                force: Some(Flag(form.force.as_deref() == Some("on"))),
                ..DeployConfig::default()
            };
            if imprint_service::config::addresses_all(request.client_id.as_deref()) {
                return super::all::deploy(s, request);
            }
            let deployed = s.deploy_config(request)?;
            let mut message = deployed.message;
            for warning in &deployed.warnings {
                message.push_str(&format!(". Warning: {}", warning.message));
            }
            Ok(message)
        })
        .await;
    panel.done(result, &format!("{back}#deploy"))
}

async fn rollback(
    PathParams((client, profile)): Doc,
    PanelForm { panel, form }: PanelForm<ArtifactForm>,
) -> Response {
    let back = profile_url(&client, &profile, None);
    let result = panel
        .run(move |s| {
            let id = form.artifact_id.clone().unwrap_or_default();
            let rolled = s.rollback_config(RollbackConfig {
                client_id: Some(client),
                profile_id: Some(profile),
                artifact_id: id.clone(),
                changelog: None,
            })?;
            Ok(format!(
                "rolled back: revision {} republishes {}",
                rolled.sequence, id
            ))
        })
        .await;
    panel.done(result, &format!("{back}#history"))
}
