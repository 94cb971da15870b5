//! Faults through the real binary, for the TOML and YAML clients as for JSON: a crash between
//! writing the temp file and renaming it leaves the old file intact (and the next deploy
//! succeeds and cleans up); a directory that refuses new files gives a clear error and leaves
//! nothing behind.

mod support;

use std::path::{Path, PathBuf};

use support::TestEnv;

const CODEX: &str = "# mine\nmodel = \"o3\"\n\n[mcp_servers.docs]\ncommand = \"docs\" # local\n";
const CONTINUE: &str = "name: mine\n# servers\nmcpServers:\n  - name: docs\n    command: docs\n";
const GOOSE: &str = "GOOSE_MODE: auto\nextensions:\n  docs:\n    cmd: docs\n    type: stdio\n";

/// (client, file under $HOME, its text)
const FILES: [(&str, &str, &str); 3] = [
    ("codex", ".codex/config.toml", CODEX),
    ("continue", ".continue/config.yaml", CONTINUE),
    ("goose", ".config/goose/config.yaml", GOOSE),
];

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn prepare(env: &TestEnv, client: &str) {
    env.cli_ok(&["config", "import", "--client", client]);
    env.cli_ok(&["draft", "add", "fetch", "--client", client]);
    env.cli_ok(&["publish", "--client", client]);
}

#[test]
fn a_crash_before_the_rename_leaves_toml_and_yaml_files_intact() {
    for (client, relative, text) in FILES {
        let env = TestEnv::new();
        let path = env.write(relative, text);
        prepare(&env, client);

        let crashed = env
            .command()
            .current_dir(env.dir.path())
            .env("IMPRINT_FAULT_INJECT", "deploy-before-rename")
            .args(["--json", "deploy", "--client", client])
            .output()
            .unwrap();
        assert!(!crashed.status.success(), "{client}: the deploy must crash");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                crashed.status.signal(),
                Some(6),
                "{client}: aborted, not a panic"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{client}: old file intact"
        );
        // the crash happened after the new text was fully written to the temp file
        let dir = path.parent().unwrap();
        let temps: Vec<String> = names_in(dir)
            .into_iter()
            .filter(|n| n.contains(".imprint-tmp-"))
            .collect();
        assert_eq!(temps.len(), 1, "{client}: {temps:?}");
        let temp_text = std::fs::read_to_string(dir.join(&temps[0])).unwrap();
        assert!(
            temp_text.contains("mcp-server-fetch"),
            "{client}: {temp_text}"
        );

        // the next deploy succeeds and cleans up
        let deployed = env.cli_ok(&["deploy", "--client", client]);
        assert_eq!(deployed["added"], serde_json::json!(["fetch"]), "{client}");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("mcp-server-fetch"),
            "{client}"
        );
        assert!(
            !names_in(dir).iter().any(|n| n.contains(".imprint-tmp-")),
            "{client}: {:?}",
            names_in(dir)
        );
    }
}

/// A directory that refuses new files: a 0555 directory holding the client file, or (root
/// ignores modes) a link to /sys, where nobody can create a file; then the file cannot exist
/// beforehand and only the create path is exercised.
enum Refusing {
    ReadOnly { dir: PathBuf },
    Sysfs,
}

#[cfg(unix)]
fn refusing_dir(env: &TestEnv, relative_dir: &str) -> Refusing {
    use std::os::unix::fs::PermissionsExt;
    let dir = env.file(relative_dir);
    let probe = dir.join(".probe");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(&probe, "x").is_err() {
        return Refusing::ReadOnly { dir };
    }
    let _ = std::fs::remove_file(&probe);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink("/sys", &dir).unwrap();
    assert!(
        std::fs::write(dir.join(".imprint-probe"), "x").is_err(),
        "neither a 0555 directory nor /sys refuses new files here"
    );
    Refusing::Sysfs
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_gives_a_clear_error_and_leaves_nothing_behind() {
    for (client, relative, text) in FILES {
        let env = TestEnv::new();
        let path = env.write(relative, text);
        prepare(&env, client);
        let relative_dir = Path::new(relative)
            .parent()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let refusing = refusing_dir(&env, &relative_dir);
        let dir = env.file(&relative_dir);
        let before = names_in(&dir);

        let (code, _, stderr) = env.cli(&["deploy", "--client", client, "--force"]);

        assert_eq!(code, 1, "{client}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "permission denied writing {}: check the file and its directory are writable by this user",
                path.display()
            )),
            "{client}: {stderr}"
        );
        assert_eq!(
            names_in(&dir),
            before,
            "{client}: nothing left in the directory"
        );
        assert!(
            names_in(&env.data().join("backups").join(client)).is_empty(),
            "{client}: the backup of a failed write is discarded"
        );
        if let Refusing::ReadOnly { dir } = refusing {
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        // no deploy was recorded
        let status = env.cli_ok(&["status"]);
        let row = status["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["client_id"] == client)
            .unwrap()
            .clone();
        assert_eq!(row["deployed"], serde_json::Value::Null, "{client}: {row}");
    }
}
