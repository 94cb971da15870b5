//! The built-in catalog and instantiation: defaults applied, every placeholder substituted,
//! parameter types checked with errors that name the parameter and the fix.

use imprint_config::catalog::{self, ParamSpec, ParamType, ServerDefinition, search};
use imprint_config::{ConfigError, Transport};
use serde_json::{Map, Value, json};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

fn def(id: &str) -> &'static ServerDefinition {
    catalog::get_builtin(id).unwrap_or_else(|| panic!("{id} is built in"))
}

fn err_text(r: Result<impl std::fmt::Debug, ConfigError>) -> String {
    r.expect_err("should fail").to_string()
}

#[test]
fn the_old_systems_fifteen_ids_are_built_in() {
    for id in [
        "filesystem",
        "brave-search",
        "github",
        "memory",
        "fetch",
        "postgres",
        "sqlite",
        "slack",
        "puppeteer",
        "google-maps",
        "n8n",
        "custom-api",
        "everything",
        "sequential-thinking",
        "sentry",
    ] {
        let d = def(id);
        assert_eq!(d.source, "builtin");
        assert!(!d.display_name.is_empty(), "{id}");
    }
}

#[test]
fn corrected_facts() {
    let github = def("github");
    assert_eq!(github.required_env, vec!["GITHUB_PERSONAL_ACCESS_TOKEN"]);
    assert!(
        github
            .secret_env
            .contains(&"GITHUB_PERSONAL_ACCESS_TOKEN".to_string())
    );
    let fetch = def("fetch");
    assert_eq!(fetch.command.as_deref(), Some("uvx"));
    assert_eq!(fetch.args, vec!["mcp-server-fetch"]);
    assert_eq!(def("custom-api").transport, Transport::Http);
    assert_eq!(def("sentry").transport, Transport::Http);
    for d in catalog::builtin() {
        for secret in &d.secret_env {
            assert!(
                d.required_env.contains(secret) || d.optional_env.contains(secret),
                "{}: {secret}",
                d.server_id
            );
        }
    }
}

#[test]
fn n8n_without_port_uses_the_default_5679() {
    let entry = def("n8n").instantiate(&Map::new(), &Map::new()).unwrap();
    assert_eq!(entry.transport, Transport::Http);
    assert_eq!(
        entry.url.as_deref(),
        Some("http://localhost:5679/mcp-server/http")
    );
    assert_eq!(entry.params.get("port"), Some(&json!(5679)));
    assert_eq!(entry.params.get("host"), Some(&json!("localhost")));
    assert_eq!(entry.server_id.as_deref(), Some("n8n"));
    assert!(entry.command.is_none() && entry.args.is_none() && entry.env.is_none());
}

#[test]
fn integer_params_accept_numeric_strings_and_store_numbers() {
    let entry = def("n8n")
        .instantiate(
            &obj(json!({"port": "8080", "host": "n8n.lan"})),
            &Map::new(),
        )
        .unwrap();
    assert_eq!(
        entry.url.as_deref(),
        Some("http://n8n.lan:8080/mcp-server/http")
    );
    assert_eq!(entry.params.get("port"), Some(&json!(8080)));
    let entry = def("n8n")
        .instantiate(&obj(json!({"port": 1234})), &Map::new())
        .unwrap();
    assert!(entry.url.unwrap().contains(":1234/"));
    // null means "not given": the default applies.
    let entry = def("n8n")
        .instantiate(&obj(json!({"port": null})), &Map::new())
        .unwrap();
    assert!(entry.url.unwrap().contains(":5679/"));
}

#[test]
fn type_errors_name_the_parameter_and_the_expected_type() {
    let msg = err_text(def("n8n").instantiate(&obj(json!({"port": "abc"})), &Map::new()));
    assert!(
        msg.contains("parameter 'port' of server 'n8n' must be an integer"),
        "{msg}"
    );
    assert!(msg.contains("\"abc\""), "{msg}");
    let msg = err_text(def("n8n").instantiate(&obj(json!({"port": 1.5})), &Map::new()));
    assert!(msg.contains("must be an integer"), "{msg}");
    let msg = err_text(def("filesystem").instantiate(&obj(json!({"path": ""})), &Map::new()));
    assert!(
        msg.contains("parameter 'path'") && msg.contains("path"),
        "{msg}"
    );
    let msg = err_text(def("custom-api").instantiate(&obj(json!({"url": "ftp://x"})), &Map::new()));
    assert!(
        msg.contains("parameter 'url'") && msg.contains("http"),
        "{msg}"
    );
    let msg =
        err_text(def("postgres").instantiate(&obj(json!({"access_mode": "yolo"})), &Map::new()));
    assert!(
        msg.contains("must be one of restricted, unrestricted"),
        "{msg}"
    );
}

#[test]
fn unknown_params_are_refused_naming_the_valid_ones() {
    let msg = err_text(def("n8n").instantiate(&obj(json!({"prot": 1})), &Map::new()));
    assert_eq!(
        msg,
        "unknown parameter 'prot' for server 'n8n'; valid parameters: host, port"
    );
    let msg = err_text(def("memory").instantiate(&obj(json!({"x": 1})), &Map::new()));
    assert_eq!(
        msg,
        "server 'memory' takes no parameters; remove 'x' from params"
    );
}

#[test]
fn missing_required_params_are_refused_with_their_description() {
    let msg = err_text(def("filesystem").instantiate(&Map::new(), &Map::new()));
    assert!(
        msg.starts_with("missing required parameter 'path' (path: directory"),
        "{msg}"
    );
    assert!(msg.contains("pass params={\"path\": …}"), "{msg}");
}

#[test]
fn every_placeholder_of_every_builtin_is_substituted() {
    for d in catalog::builtin() {
        let mut params = Map::new();
        for p in &d.parameters {
            let v = match p.kind {
                ParamType::Integer => json!(4242),
                ParamType::Number => json!(1.5),
                ParamType::Boolean => json!(true),
                ParamType::Url => json!("https://sub.example.com/mcp"),
                ParamType::Path => json!("/data/dir"),
                ParamType::String => match p.choices.first() {
                    Some(choice) => json!(choice),
                    None => json!("value-x"),
                },
            };
            params.insert(p.name.clone(), v);
        }
        // required env vars must be given (a missing one is an error naming it)
        let env: Map<String, Value> = d
            .required_env
            .iter()
            .map(|name| (name.clone(), json!("value-y")))
            .collect();
        let entry = d
            .instantiate(&params, &env)
            .unwrap_or_else(|e| panic!("{}: {e}", d.server_id));
        let rendered = serde_json::to_string(&(&entry.args, &entry.url, &entry.headers)).unwrap();
        for p in &d.parameters {
            assert!(
                !rendered.contains(&format!("{{{}}}", p.name)),
                "{}: {{{}}} left in {rendered}",
                d.server_id,
                p.name
            );
        }
        if d.transport == Transport::Stdio {
            assert!(
                entry.args.as_ref().is_some_and(Value::is_array),
                "{}",
                d.server_id
            );
            assert_eq!(entry.command, d.command.clone().map(Value::String));
        }
    }
}

#[test]
fn repeated_placeholders_are_all_substituted() {
    let d: ServerDefinition = serde_json::from_value(json!({
        "server_id": "multi",
        "transport": "stdio",
        "command": "tool",
        "args": ["--a={port}", "{port}:{port}", "--host", "{host}", "{{literal}}", "{\"json\":1}"],
        "parameters": [
            {"name": "port", "type": "integer", "default": 5679},
            {"name": "host", "type": "string", "required": true}
        ]
    }))
    .unwrap();
    let entry = d
        .instantiate(&obj(json!({"host": "h"})), &Map::new())
        .unwrap();
    assert_eq!(
        entry.args,
        Some(json!([
            "--a=5679",
            "5679:5679",
            "--host",
            "h",
            "{literal}",
            "{\"json\":1}"
        ]))
    );
}

#[test]
fn env_holds_required_given_optional_and_extra_vars() {
    // a required var not given is an error naming it, as the old system had it
    let msg = err_text(def("slack").instantiate(
        &Map::new(),
        &obj(json!({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_TEAM_ID": " "})),
    ));
    assert!(
        msg.contains("missing required environment variable SLACK_TEAM_ID")
            && msg.contains("env_vars="),
        "{msg}"
    );
    // a reference counts as given
    def("github")
        .instantiate(
            &Map::new(),
            &obj(json!({"GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GH_TOKEN}"})),
        )
        .unwrap();
    let entry = def("slack")
        .instantiate(
            &Map::new(),
            &obj(json!({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_TEAM_ID": "T1", "SLACK_CHANNEL_IDS": "C1,C2", "EXTRA": 7, "FLAG": true})),
        )
        .unwrap();
    assert_eq!(
        entry.env,
        Some(json!({
            "EXTRA": "7",
            "FLAG": "true",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_CHANNEL_IDS": "C1,C2",
            "SLACK_TEAM_ID": "T1"
        }))
    );
    // Optional vars not given are left out; no env at all is None.
    let entry = def("memory").instantiate(&Map::new(), &Map::new()).unwrap();
    assert_eq!(entry.env, None);
    assert_eq!(
        entry.args,
        Some(json!(["-y", "@modelcontextprotocol/server-memory"]))
    );
    assert!(entry.params.is_empty());
}

#[test]
fn env_values_must_be_scalars() {
    let msg = err_text(def("memory").instantiate(&Map::new(), &obj(json!({"A": [1]}))));
    assert!(
        msg.contains("env var A for server 'memory' must be a string"),
        "{msg}"
    );
    let msg = err_text(def("memory").instantiate(&Map::new(), &obj(json!({"A=B": "x"}))));
    assert!(msg.contains("env var name"), "{msg}");
}

#[test]
fn remote_servers_take_no_env_vars() {
    let msg = err_text(def("sentry").instantiate(&Map::new(), &obj(json!({"TOKEN": "x"}))));
    assert!(
        msg.contains("remote (http) server and takes no env vars"),
        "{msg}"
    );
}

#[test]
fn a_bad_host_gives_a_url_error() {
    let msg = err_text(def("n8n").instantiate(&obj(json!({"host": "a b"})), &Map::new()));
    assert!(msg.contains("is not a valid http(s) URL"), "{msg}");
}

#[test]
fn check_refuses_malformed_definitions() {
    let base = json!({"server_id": "x", "transport": "stdio", "command": "run"});
    let with = |patch: Value| -> ServerDefinition {
        let mut v = base.clone();
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        serde_json::from_value(v).unwrap()
    };
    assert!(with(json!({})).check().is_ok());
    let cases = [
        (json!({"server_id": "Bad/Id"}), "server_id"),
        (json!({"command": null}), "needs a command"),
        (json!({"args": ["{nope}"]}), "{nope}"),
        (
            json!({"args": ["{p}"], "parameters": [{"name": "p", "type": "string"}]}),
            "optional without a default",
        ),
        (
            json!({"parameters": [{"name": "p", "type": "integer", "default": "5679"}]}),
            "is not an integer",
        ),
        (
            json!({"parameters": [{"name": "p-1", "type": "string"}]}),
            "not usable as a placeholder",
        ),
        (json!({"transport": "http", "command": null}), "needs a url"),
        (
            json!({"transport": "http", "command": null, "url": "ftp://x"}),
            "not an http(s) URL",
        ),
        (json!({"secret_env": ["X"]}), "secret env var X"),
        (
            json!({"required_env": ["A"], "optional_env": ["A"]}),
            "listed twice",
        ),
    ];
    for (patch, needle) in cases {
        let msg = err_text(with(patch.clone()).check());
        assert!(msg.contains(needle), "{patch}: {msg}");
    }
}

#[test]
fn summary_has_the_listing_fields() {
    let row = def("n8n").summary();
    for key in [
        "server_id",
        "display_name",
        "description",
        "transport",
        "required_env",
        "optional_env",
        "parameters",
        "tags",
        "source",
    ] {
        assert!(row.get(key).is_some(), "{key}");
    }
    assert_eq!(row["transport"], "http");
    assert_eq!(
        row["parameters"],
        json!([{"name": "host", "required": false}, {"name": "port", "required": false}])
    );
    assert_eq!(
        def("filesystem").summary()["parameters"][0]["required"],
        true
    );
}

#[test]
fn search_filters_by_transport_and_query_sorted_by_id() {
    let all = catalog::builtin();
    let ids = |v: Vec<&ServerDefinition>| v.iter().map(|d| d.server_id.clone()).collect::<Vec<_>>();
    let remote = ids(search(all, Some("remote"), None).unwrap());
    assert_eq!(remote, vec!["custom-api", "n8n", "sentry"]);
    assert_eq!(ids(search(all, Some("HTTP"), None).unwrap()), remote);
    assert!(search(all, Some("sse"), None).unwrap().is_empty());
    let stdio = ids(search(all, Some("stdio"), None).unwrap());
    assert!(stdio.contains(&"github".to_string()) && !stdio.contains(&"n8n".to_string()));
    let mut sorted = stdio.clone();
    sorted.sort();
    assert_eq!(stdio, sorted);
    assert_eq!(
        ids(search(all, None, Some("POSTGRES")).unwrap()),
        vec!["postgres"]
    );
    // Tags and descriptions match too.
    assert!(
        ids(search(all, None, Some("knowledge-graph")).unwrap()).contains(&"memory".to_string())
    );
    assert!(
        ids(search(all, Some("stdio"), Some("database")).unwrap()).contains(&"sqlite".to_string())
    );
    assert_eq!(search(all, None, None).unwrap().len(), all.len());
    assert_eq!(search(all, Some(""), Some("")).unwrap().len(), all.len());
    let msg = err_text(search(all, Some("websocket"), None));
    assert!(msg.contains("use stdio, http, sse or remote"), "{msg}");
}

#[test]
fn param_spec_serializes_type_as_type() {
    let p = ParamSpec {
        name: "port".into(),
        description: "d".into(),
        kind: ParamType::Integer,
        required: false,
        default: Some(json!(1)),
        choices: vec![],
        secret: false,
    };
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"name": "port", "description": "d", "type": "integer", "required": false, "default": 1})
    );
}
