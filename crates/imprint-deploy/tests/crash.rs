//! A crash between writing the temp file and renaming it over the client's file leaves the old
//! file intact, and the next deploy succeeds and cleans up.
//!
//! The crash is real: the test re-runs this test binary as a child process, selecting this one
//! test, with `IMPRINT_FAULT_INJECT=deploy-before-rename` (which makes deploy abort the process
//! at that point) and an environment variable telling the test to play the crashing child.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use imprint_deploy::{FAULT_INJECT_ENV, FileFormat, deploy};
use serde_json::{Value, json};

const TEST_NAME: &str = "a_crash_between_temp_write_and_rename_leaves_the_old_file_intact";
/// Set (to the fixture's directory) only in the child process.
const CHILD_ENV: &str = "IMPRINT_DEPLOY_TEST_CRASH_CHILD_DIR";

fn desired() -> Value {
    json!({"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory@2"]}})
}

fn client_file(dir: &Path) -> std::path::PathBuf {
    dir.join("client").join(".claude.json")
}

#[test]
fn a_crash_between_temp_write_and_rename_leaves_the_old_file_intact() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        let path = client_file(Path::new(&dir));
        let section = desired();
        let backups = Path::new(&dir).join("data").join("backups");
        let result = deploy(&imprint_deploy::DeployRequest {
            path: &path,
            format: FileFormat::Json,
            root_key: "mcpServers",
            layout: imprint_deploy::SectionLayout::Map,
            section: &section,
            previous: None,
            force: true,
            backup_dir: &backups,
            masking: None,
            companion: None,
            before_replace: None,
        });
        panic!("the fault hook should have aborted the process, deploy returned {result:?}");
    }

    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    assert_eq!(fixture.path, client_file(fixture.dir.path()));
    let exe = std::env::current_exe().expect("test binary");
    let child = Command::new(exe)
        .args([TEST_NAME, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD_ENV, fixture.dir.path())
        // where a core dump, if the machine writes them, lands and is cleaned up
        .current_dir(fixture.dir.path())
        .env(FAULT_INJECT_ENV, "deploy-before-rename")
        .output()
        .expect("run the crashing child");

    assert!(!child.status.success(), "the child must crash: {child:?}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            child.status.signal(),
            Some(6),
            "killed by SIGABRT, not a panic: {}",
            String::from_utf8_lossy(&child.stderr)
        );
    }
    assert_eq!(
        fixture.text(),
        CLAUDE_CODE,
        "the old file is intact byte for byte"
    );
    let leftovers: Vec<String> = fixture
        .client_dir_entries()
        .into_iter()
        // `.<file>.imprint-tmp-<pid>-<n>`, and this file's name starts with a dot already
        .filter(|name| name.starts_with("..claude.json.imprint-tmp-"))
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "the crash left its temp file: {leftovers:?}"
    );
    let temp = fixture.path.with_file_name(&leftovers[0]);
    assert_eq!(
        parsed_section(&std::fs::read_to_string(temp).expect("temp"), "mcpServers"),
        desired(),
        "the crash came after the temp file was fully written"
    );

    let section = desired();
    let mut request = fixture.request(FileFormat::Json, "mcpServers", &section);
    request.force = true;
    let outcome = deploy(&request).expect("the next deploy succeeds");

    assert_eq!(parsed_section(&fixture.text(), "mcpServers"), desired());
    assert_eq!(outcome.updated, ["memory"]);
    assert_eq!(
        fixture.client_dir_entries(),
        [".claude.json"],
        "no temp files left"
    );
}
