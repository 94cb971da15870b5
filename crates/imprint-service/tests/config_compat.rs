//! The old mcp-orchestration contract at the service: its catalog parameter names as
//! aliases, its installation tools (against a temporary PATH of real executables), and the
//! answers' old fields.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use imprint_service::api::parse;
use imprint_service::config::{
    AddServerToConfig, CheckServerInstallation, DiffConfig, InstallServer, ListInstalledServers,
    PublishConfig, RemoveServerFromConfig, ViewDraftConfig,
};
use imprint_service::{ErrorKind, Service, ServiceOptions};
use imprint_store_sqlite::SqliteStore;
use serde_json::{Value, json};

fn service() -> (tempfile::TempDir, Service) {
    imprint_test_support::service()
}

/// A service whose programs are looked up only in `<dir>/bin`.
fn service_with_bin() -> (tempfile::TempDir, Service, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let data = dir.path().join("data");
    let store = SqliteStore::open_in_data_dir(&data).unwrap();
    let mut options = ServiceOptions::new(data, dir.path().to_path_buf());
    options.search_path = Some(bin.clone().into_os_string());
    let service = Service::new(options, Arc::new(store));
    (dir, service, bin)
}

#[cfg(unix)]
fn executable(bin: &Path, name: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = bin.join(name);
    fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn add(service: &Service, request: Value) -> imprint_service::ServiceResult<Value> {
    let request: AddServerToConfig = parse(request)?;
    service
        .add_server_to_config(request)
        .map(|added| serde_json::to_value(added).unwrap())
}

#[test]
fn custom_api_host_and_port_become_the_url_with_the_old_defaults() {
    let (_dir, service) = service();
    let added = add(
        &service,
        json!({"server_id": "custom-api", "params": {"host": "api.internal", "port": "9000"}}),
    )
    .unwrap();
    assert_eq!(added["entry"]["url"], "http://api.internal:9000/mcp");
    let said = added["aliases_applied"][0].as_str().unwrap();
    assert!(said.contains("host/port -> url"), "{said}");

    let added = add(
        &service,
        json!({"server_id": "custom-api", "server_name": "local", "params": {"port": 7000}}),
    )
    .unwrap();
    assert_eq!(added["entry"]["url"], "http://localhost:7000/mcp");
    let added = add(
        &service,
        json!({"server_id": "custom-api", "server_name": "dflt", "params": {"host": "h"}}),
    )
    .unwrap();
    assert_eq!(added["entry"]["url"], "http://h:8080/mcp");

    // the new name alone maps nothing
    let added = add(
        &service,
        json!({"server_id": "custom-api", "server_name": "new", "params": {"url": "https://x.example/mcp"}}),
    )
    .unwrap();
    assert_eq!(added["aliases_applied"], json!([]));

    let both = add(
        &service,
        json!({"server_id": "custom-api", "server_name": "both", "params": {"url": "https://x.example/mcp", "host": "h"}}),
    )
    .unwrap_err();
    assert_eq!(both.kind(), ErrorKind::InvalidInput);
    assert!(both.message().contains("not both"), "{}", both.message());
}

#[test]
fn postgres_connection_string_becomes_database_uri_kept_as_a_secret() {
    let (_dir, service) = service();
    let added = add(
        &service,
        json!({"server_id": "postgres", "params": {"connection_string": "postgresql://u:pw@db/app"}}),
    )
    .unwrap();
    let uri = added["entry"]["env"]["DATABASE_URI"].as_str().unwrap();
    assert!(uri.starts_with("${secret:DATABASE_URI"), "{uri}");
    assert!(
        added["aliases_applied"][0]
            .as_str()
            .unwrap()
            .contains("connection_string -> env DATABASE_URI")
    );
    assert!(!added.to_string().contains("u:pw"), "{added}");
}

#[test]
fn n8n_api_key_becomes_a_bearer_header_kept_as_a_secret() {
    let (_dir, service) = service();
    // natively: an Authorization header
    let added = add(
        &service,
        json!({"server_id": "n8n", "client_id": "claude-code", "env_vars": {"N8N_API_KEY": "n8n-key-123"}}),
    )
    .unwrap();
    let header = added["entry"]["headers"]["Authorization"].as_str().unwrap();
    // views redact the header; the token went to the secret store
    assert!(!header.contains("n8n-key-123"), "{header}");
    assert_eq!(added["secrets"].as_array().unwrap().len(), 1);
    assert!(
        added["secrets"][0]
            .as_str()
            .unwrap()
            .starts_with("${secret:"),
        "{added}"
    );
    let stored: RemoveServerFromConfig =
        parse(json!({"server_name": "n8n", "client_id": "claude-code"})).unwrap();
    let removed = serde_json::to_value(service.remove_server_from_config(stored).unwrap()).unwrap();
    assert_eq!(removed["server_count"], 0);
    assert!(!added.to_string().contains("n8n-key-123"), "{added}");
    // bridged for a client without remote support: mcp-remote gets `--header` naming an
    // environment variable, and the variable holds the bearer credential (a secret reference)
    let added = add(
        &service,
        json!({"server_id": "n8n", "env_vars": {"N8N_API_KEY": "n8n-key-123"}}),
    )
    .unwrap();
    let bridged = &added["draft"]["mcpServers"]["n8n"];
    let args = &bridged["args"];
    assert_eq!(args[1], "mcp-remote", "{args}");
    assert!(
        args.as_array().unwrap().iter().any(|a| a
            .as_str()
            .is_some_and(|a| a == "Authorization:${MCP_REMOTE_HEADER_AUTHORIZATION}")),
        "{args}"
    );
    assert!(!args.to_string().contains("Bearer"), "{args}");
    let credential = bridged["env"]["MCP_REMOTE_HEADER_AUTHORIZATION"]
        .as_str()
        .unwrap_or_default();
    // present, and shown redacted like every env value in a view
    assert_eq!(credential, "***", "{bridged}");
    assert!(!added.to_string().contains("n8n-key-123"), "{added}");
}

#[test]
fn github_token_is_mapped_not_left_beside_an_empty_one() {
    let (_dir, service) = service();
    let added = add(
        &service,
        json!({"server_id": "github", "env_vars": {"GITHUB_TOKEN": "ghp_abc"}}),
    )
    .unwrap();
    let env = added["entry"]["env"].as_object().unwrap();
    assert_eq!(
        env.keys().collect::<Vec<_>>(),
        ["GITHUB_PERSONAL_ACCESS_TOKEN"]
    );
    assert!(
        env["GITHUB_PERSONAL_ACCESS_TOKEN"]
            .as_str()
            .unwrap()
            .starts_with("${secret:")
    );
    assert!(
        added["aliases_applied"][0]
            .as_str()
            .unwrap()
            .contains("GITHUB_TOKEN -> env GITHUB_PERSONAL_ACCESS_TOKEN")
    );
}

#[test]
fn a_missing_required_env_var_is_an_error_naming_it_and_a_reference_counts() {
    let (_dir, service) = service();
    let error = add(&service, json!({"server_id": "brave-search"})).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(
        error.message().contains("BRAVE_API_KEY"),
        "{}",
        error.message()
    );
    assert!(
        service
            .view_draft_config(ViewDraftConfig::default())
            .unwrap()
            .servers
            .is_empty()
    );
    add(
        &service,
        json!({"server_id": "brave-search", "env_vars": {"BRAVE_API_KEY": "${env:BRAVE_API_KEY}"}}),
    )
    .unwrap();
}

#[test]
fn empty_strings_mean_the_defaults() {
    let (_dir, service) = service();
    let added = add(
        &service,
        json!({"server_id": "memory", "client_id": "", "profile_id": "", "draft_name": ""}),
    )
    .unwrap();
    assert_eq!(added["client_id"], "claude-desktop");
    assert_eq!(added["profile_id"], "default");
    assert_eq!(added["draft_name"], "default");
}

#[test]
fn add_and_remove_answer_the_draft_unless_told_not_to() {
    let (_dir, service) = service();
    let added = add(&service, json!({"server_id": "memory"})).unwrap();
    assert_eq!(
        added["draft"]["mcpServers"]["memory"]["command"], "npx",
        "{added}"
    );
    let added = add(
        &service,
        json!({"server_id": "time", "include_draft": false}),
    )
    .unwrap();
    assert!(added.get("draft").is_none(), "{added}");
    let removed: RemoveServerFromConfig = parse(json!({"server_name": "memory"})).unwrap();
    let removed =
        serde_json::to_value(service.remove_server_from_config(removed).unwrap()).unwrap();
    assert_eq!(
        removed["draft"]["mcpServers"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["time"]
    );
    let view = serde_json::to_value(
        service
            .view_draft_config(ViewDraftConfig::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(view["servers"], json!(["time"]));
    assert_eq!(view["entries"][0]["server_name"], "time");
    assert_eq!(view["draft"], view["payload"]);
}

#[test]
fn diff_says_outdated_for_a_copy_lacking_changes_and_diverged_for_one_with_its_own() {
    let (_dir, service) = service();
    add(&service, json!({"server_id": "memory"})).unwrap();
    service.publish_config(PublishConfig::default()).unwrap();
    let first = service
        .view_draft_config(ViewDraftConfig::default())
        .unwrap()
        .draft;
    add(&service, json!({"server_id": "time"})).unwrap();
    service.publish_config(PublishConfig::default()).unwrap();

    // the older copy lacks "time" and has nothing of its own
    let diff = |payload: &Value| {
        let request: DiffConfig = parse(json!({"local_payload": payload})).unwrap();
        serde_json::to_value(service.diff_config(request).unwrap()).unwrap()
    };
    let old = diff(&first);
    assert_eq!(old["status"], "outdated", "{old}");
    assert_eq!(old["recommendation"], "update");
    assert_eq!(old["summary"]["servers_added"], 1);
    assert_eq!(old["summary"]["local_changes"], json!([]));

    // an edited older copy: lacks "time" and has a changed memory
    let mut edited = first.clone();
    edited["mcpServers"]["memory"]["args"] = json!(["-y", "my-memory"]);
    let edited = diff(&edited);
    assert_eq!(edited["status"], "diverged", "{edited}");
    assert_eq!(edited["recommendation"], "review");
    assert_eq!(edited["summary"]["local_changes"], json!(["memory"]));

    let latest = service
        .view_draft_config(ViewDraftConfig::default())
        .unwrap()
        .draft;
    let same = diff(&latest);
    assert_eq!(same["status"], "up-to-date");
    assert_eq!(same["recommendation"], "safe");
}

#[cfg(unix)]
#[test]
fn check_looks_only_on_the_path_and_says_how_to_get_what_is_missing() {
    let (_dir, service, bin) = service_with_bin();
    let check = |id: &str| {
        let request: CheckServerInstallation = parse(json!({"server_id": id})).unwrap();
        service.check_server_installation(request).unwrap()
    };
    let memory = check("memory");
    assert!(!memory.installed);
    assert!(memory.message.contains("Node.js"), "{}", memory.message);
    assert_eq!(
        memory.install_command.as_deref(),
        Some("npm install -g @modelcontextprotocol/server-memory")
    );
    assert!(!memory.can_install);

    // a script that would leave a mark if a check ever ran it
    let marker = bin.join("ran");
    let script = format!("touch {}", marker.display());
    executable(&bin, "npx", &script);
    executable(&bin, "npm", &script);
    executable(&bin, "mcp-server-memory", &script);
    let memory = check("memory");
    assert!(memory.installed);
    assert_eq!(memory.command_path, Some(bin.join("npx")));
    assert_eq!(
        memory.package_executable,
        Some(bin.join("mcp-server-memory"))
    );
    assert!(memory.can_install);
    assert!(!marker.exists(), "checking ran a program");

    let sentry = check("sentry");
    assert!(sentry.installed, "a remote server needs nothing");
    assert_eq!(sentry.command, None);
    assert_eq!(sentry.install_command, None);

    let listed = service
        .list_installed_servers(ListInstalledServers {})
        .unwrap();
    let ids: Vec<&str> = listed
        .servers
        .iter()
        .map(|s| s.server_id.as_str())
        .collect();
    assert!(
        ids.contains(&"memory") && ids.contains(&"sentry"),
        "{ids:?}"
    );
    assert!(listed.not_installed.contains(&"fetch".to_string()));
    assert_eq!(listed.count, listed.servers.len());
    assert!(!marker.exists(), "listing ran a program");
}

#[cfg(unix)]
#[test]
fn install_runs_the_package_manager_with_its_output_and_refuses_where_none_applies() {
    let (_dir, service, bin) = service_with_bin();
    let install = |id: &str| {
        let request: InstallServer = parse(json!({"server_id": id})).unwrap();
        service.install_server(request)
    };
    // no installer for a remote server: refused, nothing run
    let error = install("sentry").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(
        error.message().contains("no installer applies"),
        "{}",
        error.message()
    );
    // npm not on PATH: refused with how to get it
    let error = install("memory").unwrap_err();
    assert!(
        error.message().contains("npm is not on PATH"),
        "{}",
        error.message()
    );

    // a real npm stand-in that records its arguments
    let record = bin.join("npm-args");
    executable(
        &bin,
        "npm",
        &format!(
            "echo \"$@\" > {}\necho installed-ok\necho a-warning >&2",
            record.display()
        ),
    );
    let installed = install("memory").unwrap();
    assert!(installed.success);
    assert_eq!(installed.status, "installed");
    assert_eq!(installed.exit_code, Some(0));
    assert_eq!(installed.stdout.trim(), "installed-ok");
    assert_eq!(installed.stderr.trim(), "a-warning");
    assert_eq!(
        fs::read_to_string(&record).unwrap().trim(),
        "install -g @modelcontextprotocol/server-memory"
    );

    // a failing installer is reported as failed with its output
    executable(&bin, "uv", "echo no network >&2\nexit 3");
    let failed = install("fetch").unwrap();
    assert!(!failed.success);
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.exit_code, Some(3));
    assert_eq!(failed.stderr.trim(), "no network");
    assert!(failed.message.contains("exit code 3"), "{}", failed.message);
}
