//! Client id `all` over REST and in the control panel, through the real binary: link, add,
//! publish and deploy by route; the panel's page of `all` shows each client's payload and one
//! Deploy that names each client's outcome.

mod http_support;
mod support;

use http_support::{Server, token};
use serde_json::json;
use support::TestEnv;

#[test]
fn rest_and_panel_address_every_linked_client() {
    let env = TestEnv::new();
    env.write(".cursor/mcp.json", "{\n  \"mcpServers\": {}\n}\n");
    env.write(".codex/config.toml", "# codex\nmodel = \"gpt-5-codex\"\n");
    let token = token(&env, "ci");
    let server = Server::start(&env, &[]);

    let linked = server.post(
        "/v1/profiles/default/link",
        &token,
        json!({"clients": ["cursor", "codex"]}),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(linked.json()["linked_clients"], json!(["codex", "cursor"]));
    let unknown = server.post(
        "/v1/profiles/default/link",
        &token,
        json!({"clients": ["notepad"]}),
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    let added = server.post(
        "/v1/config/all/default/draft/add",
        &token,
        json!({"server_id": "memory"}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let published = server.post("/v1/config/all/default/publish", &token, json!({}));
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(published.json()["clients"].as_array().unwrap().len(), 2);

    // the panel: the neutral draft, each client's payload, one Deploy
    let path = server.login_url.strip_prefix(&server.url()).unwrap();
    let login = server.send("GET", path, &[], None);
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = server.send(
        "GET",
        "/cp/configs/all/default",
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("data-client=\"cursor\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-client=\"codex\""));
    assert!(page.body.contains("[mcp_servers.memory]") || page.body.contains("mcp_servers"));
    let csrf = page
        .body
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let deploy = server.send(
        "POST",
        "/cp/configs/all/default/deploy",
        &[
            ("cookie", &cookie),
            ("content-type", "application/x-www-form-urlencoded"),
            ("origin", &server.url()),
        ],
        Some(&format!("_csrf={csrf}")),
    );
    assert_eq!(deploy.status, 303, "{}", deploy.body);
    let after = server.send(
        "GET",
        "/cp/configs/all/default",
        &[("cookie", &cookie)],
        None,
    );
    assert!(
        after.body.contains("2 deployed, 0 up to date, 0 refused"),
        "{}",
        after.body
    );
    assert!(after.body.contains("in step"), "{}", after.body);
    assert!(
        std::fs::read_to_string(env.file(".codex/config.toml"))
            .unwrap()
            .starts_with("# codex\nmodel = \"gpt-5-codex\"\n")
    );

    // the panel's Compare of the draft with the latest: the same servers, no differences
    let compare = server.send(
        "GET",
        "/cp/configs/all/default/diff?to=draft",
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(compare.status, 200, "{}", compare.body);
    assert!(compare.body.contains("No differences."), "{}", compare.body);

    // REST deploy again: every client up to date, answered per client
    let again = server.post("/v1/config/all/default/deploy", &token, json!({}));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["up_to_date"], 2, "{}", again.body);
    let status = server.get("/v1/profiles/default/status", &token);
    assert_eq!(status.json()["in_step"], 2, "{}", status.body);
    let unlinked = server.post(
        "/v1/profiles/default/unlink",
        &token,
        json!({"clients": ["codex"]}),
    );
    assert_eq!(unlinked.json()["linked_clients"], json!(["cursor"]));

    // deployed and diff of all over REST: per linked client
    let deployed = server.get("/v1/config/all/default/deployed", &token);
    assert_eq!(deployed.status, 200, "{}", deployed.body);
    let clients = deployed.json()["clients"].as_array().unwrap().clone();
    assert_eq!(clients.len(), 1, "{}", deployed.body);
    assert_eq!(clients[0]["client_id"], "cursor");
    assert_eq!(clients[0]["deployed"], true, "{}", deployed.body);
    assert_eq!(clients[0]["up_to_date"], true, "{}", deployed.body);
    let diff = server.post("/v1/config/diff", &token, json!({"client_id": "all"}));
    assert_eq!(diff.status, 200, "{}", diff.body);
    assert_eq!(diff.json()["status"], "up-to-date", "{}", diff.body);
    assert_eq!(
        diff.json()["clients"][0]["status"],
        "up-to-date",
        "{}",
        diff.body
    );
}
