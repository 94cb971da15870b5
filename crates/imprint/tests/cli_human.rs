//! The CLI speaks to people: human output of the main commands (snapshots, with paths,
//! ids and times redacted), no MCP tool name in anything the CLI prints, `--json`
//! unchanged, colour only on a terminal, completions, and `imprint` alone.

mod support;

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::{Value, json};
use support::TestEnv;

/// Runs the CLI without `--json`: (exit code, stdout, stderr).
fn human(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let output = env.command().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

/// Hex runs of 12 or more characters (artifact ids, token ids, hashes) become `[ID]`.
fn redact_hex(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 12 {
            out.push_str("[ID]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Timestamps (2026-12-02T23:46:33.112Z) become `[TIME]`.
fn redact_times(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let looks_like_time = rest.len() >= 20
            && rest.as_bytes()[4] == b'-'
            && rest.as_bytes()[10] == b'T'
            && rest[..4].bytes().all(|b| b.is_ascii_digit());
        if looks_like_time {
            let end = rest.find('Z').map(|z| z + 1).unwrap_or(20);
            out.push_str("[TIME]");
            i += end;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn redact(env: &TestEnv, text: &str) -> String {
    let text = text.replace(&env.home().display().to_string(), "[HOME]");
    let text = text.replace(&env.data().display().to_string(), "[DATA]");
    redact_hex(&redact_times(&text))
}

/// A transcript of commands as a person would see it in a terminal.
fn transcript(env: &TestEnv, steps: &[&[&str]]) -> String {
    let mut out = String::new();
    for args in steps {
        let (code, stdout, stderr) = human(env, args);
        out.push_str(&format!("$ imprint {}\n", args.join(" ")));
        out.push_str(&stdout);
        if !stderr.is_empty() {
            out.push_str(&stderr);
        }
        if code != 0 {
            out.push_str(&format!("[exit {code}]\n"));
        }
        out.push('\n');
    }
    redact(env, &out)
}

#[test]
fn the_config_workflow_reads_like_a_person_wrote_it() {
    let env = TestEnv::new();
    let notes = env.home().join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    let path_param = format!("path={}", notes.display());
    let text = transcript(
        &env,
        &[
            &["keys", "init"],
            &["draft", "add", "filesystem", "--param", &path_param],
            &["draft", "add", "memory"],
            &["draft", "show"],
            &["validate"],
            &["publish", "-m", "first"],
            &["config", "diff"],
            &["draft", "remove", "memory"],
            &["config", "diff"],
            &["deploy"],
            &["status"],
            &["config", "history"],
            &["config", "diff", "--deployed"],
        ],
    );
    insta::assert_snapshot!("config_workflow", text);
}

#[test]
fn lists_are_tables() {
    let env = TestEnv::new();
    env.cli_ok(&["token", "create", "--name", "ci"]);
    env.cli_ok(&["secrets", "set", "GITHUB_TOKEN", "--value", "ghp_example"]);
    env.cli_ok(&["content", "create-entry-type", "--name", "Article"]);
    env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "News",
        "--entry-type-ids",
        "1",
    ]);
    for title in ["Hello world", "Hello again"] {
        let data = json!({ "title": title }).to_string();
        env.cli_ok(&["content", "create-entry", "--section", "1", "--data", &data]);
    }
    let text = transcript(
        &env,
        &[
            &["clients"],
            &["servers", "list", "--search", "memory"],
            &["draft", "list"],
            &["token", "list"],
            &["secrets", "list"],
            &["content", "search", "world"],
            &["content", "search", "nothingmatches"],
        ],
    );
    insta::assert_snapshot!("tables", text);
}

#[test]
fn config_diff_without_arguments_shows_what_publishing_would_change() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["draft", "add", "fetch"]);
    env.cli_ok(&["draft", "remove", "memory"]);
    let (code, stdout, stderr) = human(&env, &["config", "diff"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"+ fetch"), "{stdout}");
    assert!(lines.contains(&"- memory"), "{stdout}");
    // The JSON is the service's diff of the draft's payload against the latest.
    let diff = env.cli_ok(&["config", "diff"]);
    assert_eq!(diff["status"], "diverged");
    assert_eq!(diff["diff"]["servers_added"], json!(["memory"]));
    assert_eq!(diff["diff"]["servers_removed"], json!(["fetch"]));
    // Published: nothing left to publish.
    env.cli_ok(&["publish"]);
    assert_eq!(env.cli_ok(&["config", "diff"])["status"], "up-to-date");
    // The explicit forms stay.
    let first = env.cli_ok(&["config", "history"])["revisions"][1]["artifact_id"]
        .as_str()
        .unwrap()
        .to_string();
    let explicit = env.cli_ok(&["config", "diff", "--artifact", &first]);
    assert_eq!(explicit["status"], "outdated");
}

#[test]
fn a_changed_server_shows_its_changed_fields() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "filesystem", "--param", "path=/srv/old"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["draft", "remove", "filesystem"]);
    env.cli_ok(&["draft", "add", "filesystem", "--param", "path=/srv/new"]);
    let (code, stdout, stderr) = human(&env, &["config", "diff"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"~ filesystem"), "{stdout}");
    // Latest → draft: the published value first, the draft's after it.
    assert!(
        stdout.contains("/srv/old → /srv/new"),
        "the changed argument, in publishing order: {stdout}"
    );
}

#[test]
fn diff_deployed_shows_what_the_latest_would_change_and_the_drift() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["deploy"]);
    env.cli_ok(&["draft", "add", "fetch"]);
    env.cli_ok(&["publish"]);
    let (code, stdout, stderr) = human(&env, &["config", "diff", "--deployed"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.lines().any(|l| l == "+ fetch"), "{stdout}");
    assert!(stdout.contains("next: imprint deploy"), "{stdout}");
    let both = env.cli_ok(&["config", "diff", "--deployed"]);
    assert_eq!(both["deployed"]["up_to_date"], false);
    assert_eq!(both["diff"]["diff"]["servers_added"], json!(["fetch"]));
    // A hand edit of the file shows as drift.
    let file = env.file(".config/Claude/claude_desktop_config.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("server-memory", "server-memory-edited")).unwrap();
    let (_, stdout, _) = human(&env, &["config", "diff", "--deployed"]);
    assert!(stdout.contains("drift:"), "{stdout}");
    assert!(stdout.contains("imprint deploy --force"), "{stdout}");
}

#[test]
fn deploy_refusals_name_the_commands_that_fix_them() {
    let env = TestEnv::new();
    let file = env.write(
        ".cursor/mcp.json",
        r#"{"mcpServers": {"hand-made": {"command": "my-tool"}}}"#,
    );
    env.cli_ok(&["draft", "add", "memory", "--client", "cursor"]);
    env.cli_ok(&["publish", "--client", "cursor"]);
    let (code, stdout, stderr) = human(&env, &["deploy", "--client", "cursor"]);
    assert_eq!(code, 5, "a conflict: {stdout}{stderr}");
    let first = stderr.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "error: {} has servers imprint did not put there: 'hand-made'; this deploy would change or remove them; run `imprint deploy --client cursor --force` to replace them, or `imprint config import --client cursor` to adopt them first",
            file.display()
        )
    );
    // Adopted, deployed, then edited by hand: drift, with the same two ways out.
    env.cli_ok(&["config", "import", "--client", "cursor"]);
    env.cli_ok(&["publish", "--client", "cursor"]);
    env.cli_ok(&["deploy", "--client", "cursor"]);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("my-tool", "my-other-tool")).unwrap();
    let (code, _, stderr) = human(&env, &["deploy", "--client", "cursor"]);
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.lines().next().unwrap().ends_with(
            "; run `imprint config import --client cursor` to adopt the changes, or `imprint deploy --client cursor --force` to overwrite them"
        ),
        "{stderr}"
    );
    // A project-scope file: the commands name the project directory too.
    let project = env.dir.path().join("app");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    std::fs::write(
        project.join(".mcp.json"),
        r#"{"mcpServers": {"local": {"command": "local"}}}"#,
    )
    .unwrap();
    env.cli_ok(&["draft", "add", "memory", "--client", "claude-code"]);
    env.cli_ok(&["publish", "--client", "claude-code"]);
    let dir = project.to_str().unwrap();
    let (code, _, stderr) = human(
        &env,
        &["deploy", "--client", "claude-code", "--project-dir", dir],
    );
    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "run `imprint deploy --client claude-code --force --project-dir {dir}` to replace them, or `imprint config import --client claude-code --project-dir {dir}` to adopt them first"
        )),
        "{stderr}"
    );
}

/// Every MCP tool name the server lists.
async fn tool_names(env: &TestEnv) -> Vec<String> {
    let mcp = env.mcp().await;
    let tools = mcp.client.list_all_tools().await.unwrap();
    mcp.close().await;
    tools.into_iter().map(|t| t.name.to_string()).collect()
}

/// Whether `tool` appears in `text` as a word of its own.
fn names(text: &str, tool: &str) -> bool {
    text.match_indices(tool).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + tool.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

#[tokio::test]
async fn no_cli_message_names_an_mcp_tool() {
    let env = TestEnv::new();
    let tools = tool_names(&env).await;
    assert!(tools.len() > 40, "the tools list: {tools:?}");
    let mut said = String::new();
    let steps: &[&[&str]] = &[
        // Common errors first, on an empty data directory.
        &["draft", "add", "nosuch"],
        &["deploy", "--client", "cursor"],
        &["config", "get"],
        &["config", "diff"],
        &["config", "diff", "--deployed"],
        &["config", "verify"],
        &["config", "rollback", "0000"],
        &["validate"],
        &["draft", "remove", "nosuch"],
        &["servers", "describe", "nosuch"],
        &["content", "get-entry", "999"],
        &["secrets", "remove", "NOPE"],
        // The main workflow.
        &[],
        &["keys", "init"],
        &["clients"],
        &["servers", "list"],
        &["draft", "add", "memory"],
        &["draft", "add", "fetch"],
        &["draft", "show"],
        &["draft", "list"],
        &["validate"],
        &["publish", "-m", "first"],
        &["config", "diff"],
        &["draft", "remove", "fetch"],
        &["config", "diff"],
        &["config", "verify"],
        &["config", "history"],
        &["deploy"],
        &["status"],
        &["config", "deployed"],
        &["config", "diff", "--deployed"],
        &["config", "import"],
        &["draft", "clear"],
        &["secrets", "list"],
        &["token", "list"],
        &["content", "sites"],
        &["content", "search", "anything"],
        // Another client, a rollback, an import of the client's file.
        &["draft", "add", "memory", "--client", "cursor"],
        &["publish", "--client", "cursor"],
        &["config", "import"],
        // Content: the entry and draft workflow and its not-found errors.
        &["content", "create-entry-type", "--name", "Post"],
        &[
            "content",
            "create-section",
            "--name",
            "Blog",
            "--entry-type-ids",
            "1",
        ],
        &[
            "content",
            "create-entry",
            "--section",
            "1",
            "--data",
            r#"{"title": "Hi"}"#,
        ],
        &[
            "content",
            "create-draft",
            "--canonical",
            "1",
            "--data",
            r#"{"title": "Hey"}"#,
        ],
        &[
            "content",
            "update-draft",
            "2",
            "--data",
            r#"{"title": "Hello"}"#,
        ],
        &["content", "apply-draft", "2"],
        &["content", "apply-draft", "2"],
        &["content", "get-entry", "998"],
        // Content refusals whose steps are data: ids of the wrong kind, missing ids.
        &[
            "content",
            "create-draft",
            "--canonical",
            "1",
            "--data",
            r#"{"title": "Again"}"#,
        ],
        &[
            "content",
            "update-entry",
            "3",
            "--data",
            r#"{"title": "x"}"#,
        ],
        &["content", "revisions", "3"],
        &["content", "delete-draft", "1"],
        &["content", "sections", "--ids", "999"],
        &["content", "entry-types", "--ids", "999"],
        &["content", "revision", "1", "99"],
        &[
            "content",
            "create-section",
            "--name",
            "Blog",
            "--entry-type-ids",
            "1",
        ],
        &["content", "delete-entry-type", "1"],
        &["content", "delete-entry", "1"],
        &[
            "content",
            "update-entry",
            "1",
            "--data",
            r#"{"title": "x"}"#,
        ],
        &["draft", "add", "memory", "--client", "nosuch"],
        // Errors with something in place.
        &["draft", "add", "memory"],
        &["publish"],
    ];
    for args in steps {
        let (_, stdout, stderr) = human(&env, args);
        said.push_str(&format!("$ imprint {}\n{stdout}{stderr}", args.join(" ")));
    }
    let named: Vec<&String> = tools.iter().filter(|t| names(&said, t)).collect();
    assert!(
        named.is_empty(),
        "the CLI named MCP tools {named:?}:\n{said}"
    );
    // The same errors do name the commands.
    let (code, _, stderr) = human(&env, &["servers", "describe", "nosuch"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("imprint servers list"), "{stderr}");
    for (args, command) in [
        (
            &[
                "content",
                "update-entry",
                "3",
                "--data",
                r#"{"title": "x"}"#,
            ][..],
            "use `imprint content update-draft 3`",
        ),
        (
            &["content", "delete-draft", "1"][..],
            "use `imprint content delete-entry 1`, or `imprint content create-draft --canonical 1` to draft changes",
        ),
        (
            &["content", "sections", "--ids", "999"][..],
            "run `imprint content sections` to list them all",
        ),
        (
            &[
                "content",
                "update-entry",
                "1",
                "--data",
                r#"{"title": "x"}"#,
            ][..],
            "`imprint content restore-entry 1` first",
        ),
        (
            &["draft", "add", "memory", "--client", "nosuch"][..],
            "(`imprint clients` shows them)",
        ),
    ] {
        let (_, _, stderr) = human(&env, args);
        assert!(stderr.contains(command), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn json_output_is_the_typed_answer_unchanged() {
    // The same operation through the CLI (--json) and through MCP (the typed answer's
    // structured content): the same fields, the same values where they are not per-call.
    let cli = TestEnv::new();
    let mcp_env = TestEnv::new();
    let mcp = mcp_env.mcp().await;
    let by_cli = cli.cli_ok(&["draft", "add", "memory"]);
    let by_mcp = mcp
        .ok("add_server_to_config", json!({ "server_id": "memory" }))
        .await;
    let keys = |v: &Value| {
        v.as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(keys(&by_cli), keys(&by_mcp), "{by_cli}\n{by_mcp}");
    for field in ["status", "server_name", "server_count", "entry", "message"] {
        assert_eq!(by_cli[field], by_mcp[field], "{field}");
    }
    let shown_cli = cli.cli_ok(&["draft", "show"]);
    let shown_mcp = mcp.ok("view_draft_config", json!({})).await;
    assert_eq!(keys(&shown_cli), keys(&shown_mcp));
    assert_eq!(shown_cli["payload"], shown_mcp["payload"]);
    let status_cli = cli.cli_ok(&["status"]);
    let status_mcp = mcp.ok("get_deployment_status", json!({})).await;
    assert_eq!(keys(&status_cli), keys(&status_mcp));
    mcp.close().await;
}

#[test]
fn human_output_is_short_and_verbose_shows_every_field() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = human(&env, &["draft", "add", "memory"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("added memory to claude-desktop/default (1 server)\n"),
        "{stdout}"
    );
    assert!(stdout.lines().count() <= 3, "{stdout}");
    let (_, verbose, _) = human(&env, &["draft", "add", "fetch", "-v"]);
    assert!(verbose.contains("draft_version: "), "{verbose}");
    assert!(verbose.contains("server_id: fetch"), "{verbose}");
}

/// Runs `imprint ARGS` under a pseudo-terminal (util-linux `script`): stdout is a tty.
fn on_a_terminal(env: &TestEnv, args: &str, no_color: bool) -> String {
    let command_line = format!("{} {args}", support::BIN);
    let mut command = Command::new("script");
    command.args(["-qec", &command_line, "/dev/null"]);
    env.apply_env(&mut command);
    command.env("TERM", "xterm-256color");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().expect("util-linux `script` is installed");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[test]
fn colour_only_on_a_terminal_without_no_color() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    let coloured = on_a_terminal(&env, "draft show", false);
    assert!(
        coloured.contains("\u{1b}["),
        "no colour on a terminal: {coloured:?}"
    );
    assert!(coloured.contains("memory"), "{coloured:?}");
    let plain = on_a_terminal(&env, "draft show", true);
    assert!(
        !plain.contains("\u{1b}["),
        "colour despite NO_COLOR: {plain:?}"
    );
    assert!(plain.contains("memory"), "{plain:?}");
    let (_, piped, _) = human(&env, &["draft", "show"]);
    assert!(!piped.contains('\u{1b}'), "colour on a pipe: {piped:?}");
    assert!(piped.contains("memory"), "{piped}");
}

#[test]
fn completions_cover_the_subcommands() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script, stderr) = human(&env, &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {stderr}");
        for command in ["draft", "publish", "deploy", "content", "completions"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let (code, _, stderr) = human(&env, &["completions", "tcsh"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn imprint_alone_says_what_is_set_up_and_what_to_do_first() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = human(&env, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("signing key:    none yet"), "{stdout}");
    assert!(stdout.contains("imprint draft add memory"), "{stdout}");
    env.cli_ok(&["keys", "init"]);
    env.cli_ok(&["draft", "add", "memory"]);
    let (_, stdout, _) = human(&env, &[]);
    assert!(stdout.contains("signing key:    ready"), "{stdout}");
    assert!(stdout.contains("drafts:         1"), "{stdout}");
}

#[test]
fn help_shows_examples() {
    let env = TestEnv::new();
    for args in [
        &["draft", "add", "--help"][..],
        &["publish", "--help"],
        &["deploy", "--help"],
        &["config", "diff", "--help"],
    ] {
        let (code, help, _) = human(&env, args);
        assert_eq!(code, 0);
        assert!(help.contains("Examples:\n  imprint "), "{args:?}: {help}");
    }
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let env = TestEnv::new();
    let mut child = env
        .command()
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end at once, as `| head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn status_says_why_a_file_cannot_be_read() {
    let env = TestEnv::new();
    // A directory where Cursor's file should be: not a regular file.
    std::fs::create_dir_all(env.file(".cursor/mcp.json")).unwrap();
    let (code, stdout, stderr) = human(&env, &["status"]);
    assert_eq!(code, 0, "{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("unreadable: cursor (user): "))
        .unwrap_or_else(|| panic!("no reason for cursor's file: {stdout}"));
    assert!(line.contains("not a regular file"), "{line}");
}

#[test]
fn config_diff_before_any_publish_shows_the_whole_draft_as_new() {
    let env = TestEnv::new();
    let text = transcript(
        &env,
        &[
            &["config", "diff"],
            &["config", "diff", "--deployed"],
            &["draft", "add", "memory"],
            &["draft", "add", "fetch"],
            &["config", "diff"],
            &["config", "diff", "--deployed"],
            &["config", "diff", "--client", "cursor"],
        ],
    );
    insta::assert_snapshot!("diff_before_publish", text);
    // No error: exit 0, and the JSON says what it is.
    let (code, _, stderr) = human(&env, &["config", "diff"]);
    assert_eq!(code, 0, "{stderr}");
    let diff = env.cli_ok(&["config", "diff"]);
    assert_eq!(diff["status"], "unpublished");
    assert_eq!(diff["remote_artifact_id"], Value::Null);
    assert_eq!(diff["diff"]["servers_removed"], json!(["fetch", "memory"]));
    let deployed = env.cli_ok(&["config", "diff", "--deployed"]);
    assert_eq!(deployed["published"], false);
    // After a publish, the usual comparison.
    env.cli_ok(&["publish"]);
    assert_eq!(env.cli_ok(&["config", "diff"])["status"], "up-to-date");
}

/// A section for entries to be imported into: entry type 1, section 1.
fn blog(env: &TestEnv) {
    env.cli_ok(&["content", "create-entry-type", "--name", "Post"]);
    env.cli_ok(&[
        "content",
        "create-section",
        "--name",
        "Blog",
        "--entry-type-ids",
        "1",
    ]);
}

fn posts(count: usize) -> String {
    (0..count)
        .map(|i| {
            json!({"sectionId": 1, "attributeAndFieldData": {"title": format!("Post {i}")}})
                .to_string()
                + "\n"
        })
        .collect()
}

#[test]
fn content_import_writes_every_entry_and_says_so_without_a_bar_on_a_pipe() {
    let env = TestEnv::new();
    blog(&env);
    let file = env.write("posts.jsonl", &posts(1200));
    let (code, stdout, stderr) = human(&env, &["content", "import", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("imported 1200 entries into 1 section in "),
        "{stdout}"
    );
    assert_eq!(stderr, "", "no progress bar on a pipe");
    let found = env.cli_ok(&["content", "search", "Post 1199", "--limit", "1"]);
    assert_eq!(found["results"][0]["title"], "Post 1199", "{found}");
    // A JSON array works too, and --json says how many and which ids.
    let file = env.write(
        "more.json",
        &format!("[{}]", posts(3).trim_end().replace('\n', ",")),
    );
    let answer = env.cli_ok(&["content", "import", file.to_str().unwrap()]);
    assert_eq!(answer["imported"], 3);
    assert_eq!(answer["sections"][0]["entries"], 3);
    let last = answer["lastEntryId"].as_i64().unwrap();
    let entry = env.cli_ok(&["content", "get-entry", &last.to_string()]);
    assert_eq!(entry["title"], "Post 2", "{entry}");
}

#[test]
fn content_import_names_the_bad_line_and_what_was_written() {
    let env = TestEnv::new();
    blog(&env);
    // A malformed line: found before anything is written.
    let text = format!("{}{{\"sectionId\": 1, \"bogus\": 2}}\n", posts(2));
    let file = env.write("bad.jsonl", &text);
    let (code, _, stderr) = human(&env, &["content", "import", file.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("line 3: bogus: unknown field"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    let (code, _, stderr) = human(
        &env,
        &[
            "content",
            "import",
            file.to_str().unwrap().replace("bad", "none").as_str(),
        ],
    );
    assert_eq!(code, 3, "a missing file: {stderr}");
    let none = env.cli_ok(&["content", "search", "Post", "--limit", "100"]);
    assert_eq!(none["results"], json!([]), "{none}");
    // A line the service refuses: earlier batches are written, and the error says which.
    let text = format!(
        "{}\n{{\"sectionId\": 99, \"attributeAndFieldData\": {{\"title\": \"x\"}}}}\n",
        posts(2)
    );
    let file = env.write("late.jsonl", &text);
    let (code, _, stderr) = human(
        &env,
        &["content", "import", file.to_str().unwrap(), "--batch", "1"],
    );
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("error: line 4: sectionId 99 does not exist"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 entries were written before it (lines 1–2, entry ids "),
        "{stderr}"
    );
    assert!(stderr.contains("nothing from line 4 on"), "{stderr}");
    let written = env.cli_ok(&["content", "search", "Post", "--limit", "100"]);
    assert_eq!(written["results"].as_array().unwrap().len(), 2, "{written}");
}

#[test]
fn content_import_shows_a_bar_on_a_terminal() {
    let env = TestEnv::new();
    blog(&env);
    let file = env.write("posts.jsonl", &posts(3000));
    let shown = on_a_terminal(
        &env,
        &format!("content import {} --batch 100", file.display()),
        false,
    );
    assert!(shown.contains("importing ["), "no bar: {shown:?}");
    assert!(shown.contains("/3000"), "{shown:?}");
    assert!(shown.contains("imported 3000 entries"), "{shown:?}");
    let quiet = on_a_terminal(
        &env,
        &format!("--json content import {} --batch 100", file.display()),
        false,
    );
    assert!(
        !quiet.contains("importing ["),
        "a bar under --json: {quiet:?}"
    );
}

/// Whether `text` sets a foreground colour (SGR 30–37, 90–97 or 38;…), not merely moves
/// the cursor or clears a line as a bar's redraw does.
fn coloured(text: &str) -> bool {
    text.split("\u{1b}[").skip(1).any(|rest| {
        let Some(end) = rest.find('m') else {
            return false;
        };
        let codes = &rest[..end];
        codes.chars().all(|c| c.is_ascii_digit() || c == ';')
            && codes.split(';').any(|code| {
                code.parse::<u8>()
                    .is_ok_and(|n| (30..=38).contains(&n) || (90..=97).contains(&n))
            })
    })
}

#[test]
fn the_bar_is_coloured_on_a_terminal_and_plain_under_no_color() {
    let env = TestEnv::new();
    blog(&env);
    let file = env.write("posts.jsonl", &posts(3000));
    let import = format!("content import {} --batch 100", file.display());
    let shown = on_a_terminal(&env, &import, false);
    assert!(shown.contains("importing ["), "no bar: {shown:?}");
    assert!(coloured(&shown), "no colour on a terminal: {shown:?}");
    let plain = on_a_terminal(&env, &import, true);
    assert!(
        plain.contains("importing ["),
        "NO_COLOR keeps the bar: {plain:?}"
    );
    assert!(!coloured(&plain), "colour despite NO_COLOR: {plain:?}");
    assert!(
        !coloured("\u{1b}[2K\u{1b}[1A"),
        "cursor moves are not colour"
    );
}

#[test]
fn store_copy_shows_its_progress_on_a_terminal_and_nothing_on_a_pipe() {
    let env = TestEnv::new();
    env.cli_ok(&["draft", "add", "memory"]);
    env.cli_ok(&["publish"]);
    env.cli_ok(&["draft", "add", "fetch"]);
    env.cli_ok(&["publish"]);
    let to_terminal = TestEnv::new();
    let target = format!("sqlite:{}", to_terminal.data().display());
    let shown = on_a_terminal(&env, &format!("store copy --to {target}"), false);
    // each kind's bar leaves its line behind when it is done
    assert!(shown.contains("copy 2 revisions"), "{shown:?}");
    assert!(shown.contains("verify 2 revisions"), "{shown:?}");
    let to_pipe = TestEnv::new();
    let target = format!("sqlite:{}", to_pipe.data().display());
    let (code, stdout, stderr) = human(&env, &["store", "copy", "--to", &target]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "no progress on a pipe");
    assert!(!stdout.contains("verify 2 revisions"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
}

/// The config and content crates' fixes reach the CLI as steps (worded as commands with their
/// arguments), not through the tool-name fallback table (which would drop the `<id>`).
#[test]
fn lower_crate_fixes_are_worded_as_commands() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = human(&env, &["validate", "--client", "cursor"]);
    assert_ne!(code, 0, "{stdout}");
    assert!(
        stdout.contains(
            "the configuration has no servers; add one with `imprint draft add <id> --client cursor` (see `imprint servers list`)"
        ),
        "{stdout}{stderr}"
    );
    let (code, _, stderr) = human(&env, &["publish", "--client", "cursor"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("add one with `imprint draft add <id> --client cursor`"),
        "{stderr}"
    );
    let (code, _, stderr) = human(&env, &["draft", "add", "github"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("a secret stored with `imprint secrets set <name>`)"),
        "{stderr}"
    );
    let (code, stdout, stderr) = human(&env, &["content", "field-types"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("to imprint content create-field, with settings"),
        "{stdout}"
    );
    // --json keeps the service's own words.
    let (_, stdout, _) = human(&env, &["content", "field-types", "--json"]);
    assert!(
        stdout.contains("to create_field, with settings"),
        "{stdout}"
    );
}

/// The refusals and answers whose next step was plain text naming a tool carry it as a step:
/// the CLI names the command with its arguments (which a tool → command table cannot), and
/// nothing it prints names a tool.
#[tokio::test]
async fn converted_refusals_name_commands_with_their_arguments() {
    let env = TestEnv::new();
    let tools = tool_names(&env).await;
    let mut said = String::new();
    let mut run = |args: &[&str], expect: &str| {
        let (_, stdout, stderr) = human(&env, args);
        let out = format!("{stdout}{stderr}");
        assert!(out.contains(expect), "{args:?}: {out}");
        said.push_str(&format!("$ imprint {}\n{out}", args.join(" ")));
    };
    run(
        &["content", "create-entry-type", "--name", "Post"],
        "created",
    );
    run(
        &[
            "content",
            "create-section",
            "--name",
            "Blog",
            "--entry-type-ids",
            "1",
        ],
        "created",
    );
    run(
        &[
            "content",
            "create-entry",
            "--section",
            "1",
            "--data",
            r#"{"title": "Hi"}"#,
        ],
        "created",
    );
    run(
        &["content", "delete-section", "1"],
        ": run `imprint content delete-section 1 --force` to go ahead",
    );
    run(
        &["content", "delete-entry", "1"],
        "imprint content restore-entry 1 brings it back, imprint content delete-entry 1 --permanently removes it for good",
    );
    run(
        &["content", "create-field", "--type", " ", "--name", "Body"],
        "type is required, e.g. \"PlainText\" (`imprint content field-types` lists them)",
    );
    run(
        &["content", "create-field-layout"],
        "; imprint content update-field-layout <id> sets its tabs",
    );
    run(
        &["requests", "approve", "nosuch"],
        "no request 'nosuch': `imprint requests list` lists them",
    );
    run(
        &["requests", "ask-apply", "99999"],
        ": `imprint content drafts` lists the drafts",
    );
    run(
        &["requests", "ask", "--client", "cursor", "--draft", "nosuch"],
        "add servers to it first (`imprint draft add <id> --client cursor --draft nosuch`)",
    );
    run(
        &[
            "draft",
            "add",
            "github",
            "--env",
            "GITHUB_PERSONAL_ACCESS_TOKEN=${secret:NOPE}",
        ],
        "no secret named 'NOPE': set it with `imprint secrets set <name>`, or pass the value itself",
    );
    run(&["draft", "add", "memory", "--client", "cursor"], "added");
    run(
        &["requests", "ask", "--client", "cursor"],
        "a publisher approves it (imprint requests approve ",
    );
    let named: Vec<&String> = tools.iter().filter(|t| names(&said, t)).collect();
    assert!(
        named.is_empty(),
        "the CLI named MCP tools {named:?}:\n{said}"
    );
}
