//! A client's file changing under a deploy: the client rewriting it between Imprint's read
//! and rename (Claude Code rewrites `~/.claude.json` whole while it runs), and two deploys of
//! one file at once.

mod common;

use std::cell::Cell;
use std::fs;
use std::rc::Rc;

use common::{CLAUDE_CODE, Fixture};
use imprint_deploy::{DeployError, FileFormat, MAX_ATTEMPTS, deploy, set_before_rename_hook};
use serde_json::{Value, json};

/// What the client writes: its whole file, re-serialized, with one of its own keys changed.
fn client_rewrite(path: &std::path::Path, startups: u64) {
    let mut file: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    file["numStartups"] = json!(startups);
    fs::write(path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
}

fn with_fetch() -> Value {
    json!({
        "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {}},
        "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}
    })
}

/// Removes the hook even when an assertion fails, so later tests on this thread are clean.
struct HookGuard;

impl Drop for HookGuard {
    fn drop(&mut self) {
        set_before_rename_hook(None);
    }
}

#[test]
fn a_change_made_between_read_and_rename_survives_the_deploy() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let calls = Rc::new(Cell::new(0u32));
    let seen = calls.clone();
    let _guard = HookGuard;
    set_before_rename_hook(Some(Box::new(move |path| {
        seen.set(seen.get() + 1);
        if seen.get() == 1 {
            client_rewrite(path, 43);
        }
    })));
    let desired = with_fetch();
    let outcome = deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired))
        .expect("deploy redoes its edit on the new bytes");

    assert_eq!(calls.get(), 2, "the edit was redone once");
    let file: Value = serde_json::from_str(&fixture.text()).unwrap();
    assert_eq!(file["numStartups"], 43, "the client's change was erased");
    assert_eq!(file["mcpServers"]["fetch"]["command"], "uvx");
    assert_eq!(file["mcpServers"]["memory"]["command"], "npx");
    assert_eq!(outcome.added, ["fetch"]);
    assert_eq!(
        outcome.file_sha256,
        imprint_deploy::sha256_hex(fixture.text().as_bytes())
    );
    // one backup: of the file the successful attempt replaced, the client's version
    let backups = fixture.backup_entries();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let backup = fs::read_to_string(fixture.backups.join(&backups[0])).unwrap();
    assert!(backup.contains("\"numStartups\": 43"), "{backup}");
}

#[test]
fn a_file_that_keeps_changing_is_a_conflict_and_keeps_the_last_change() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let calls = Rc::new(Cell::new(0u64));
    let seen = calls.clone();
    let _guard = HookGuard;
    set_before_rename_hook(Some(Box::new(move |path| {
        seen.set(seen.get() + 1);
        client_rewrite(path, 100 + seen.get());
    })));
    let desired = with_fetch();
    let error = deploy(&fixture.request(FileFormat::Json, "mcpServers", &desired)).unwrap_err();

    assert!(
        matches!(error, DeployError::KeepsChanging { attempts, .. } if attempts == MAX_ATTEMPTS),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(".claude.json"), "{message}");
    assert!(message.contains("kept changing"), "{message}");
    assert_eq!(calls.get(), u64::from(MAX_ATTEMPTS));
    let file: Value = serde_json::from_str(&fixture.text()).unwrap();
    assert_eq!(file["numStartups"], 100 + u64::from(MAX_ATTEMPTS));
    assert!(file["mcpServers"].get("fetch").is_none());
    assert!(
        fixture.backup_entries().is_empty(),
        "backups of unwritten attempts"
    );
    assert_eq!(fixture.client_dir_entries(), [".claude.json"]);
}

#[test]
fn concurrent_deploys_of_one_file_leave_one_of_them_whole() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let sections: Vec<Value> = (0..6)
        .map(|n| json!({format!("server-{n}"): {"command": "node", "args": [format!("s{n}.js")]}}))
        .collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = sections
            .iter()
            .map(|section| {
                let fixture = &fixture;
                scope.spawn(move || {
                    for _ in 0..5 {
                        let mut request = fixture.request(FileFormat::Json, "mcpServers", section);
                        request.force = true;
                        deploy(&request).expect("every deploy succeeds in turn");
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("no deploy panicked");
        }
    });
    let file: Value = serde_json::from_str(&fixture.text()).expect("the file is whole JSON");
    assert!(
        sections.contains(&file["mcpServers"]),
        "the section is no deploy's: {}",
        file["mcpServers"]
    );
    assert_eq!(file["numStartups"], 42);
    assert_eq!(
        file["projects"]["/home/ana/src/blog"]["hasTrustDialogAccepted"],
        true
    );
    // no temp file and no lock file left beside it
    assert_eq!(fixture.client_dir_entries(), [".claude.json"]);
}

#[test]
fn a_second_deploy_waits_for_the_first_to_finish_instead_of_interleaving() {
    let fixture = Fixture::new(".claude.json", CLAUDE_CODE);
    let first_section = json!({"first": {"command": "node", "args": ["first.js"]}});
    let second_section = json!({"second": {"command": "node", "args": ["second.js"]}});
    let (between_tx, between_rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            let calls = Rc::new(Cell::new(0u32));
            let seen = calls.clone();
            let _guard = HookGuard;
            set_before_rename_hook(Some(Box::new(move |_| {
                seen.set(seen.get() + 1);
                if seen.get() == 1 {
                    // the second deploy starts while this one sits between read and rename
                    between_tx.send(()).unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
            })));
            let mut request = fixture.request(FileFormat::Json, "mcpServers", &first_section);
            request.force = true;
            deploy(&request).expect("first deploy");
            calls.get()
        });
        between_rx.recv().unwrap();
        let second = scope.spawn(|| {
            let mut request = fixture.request(FileFormat::Json, "mcpServers", &second_section);
            request.force = true;
            deploy(&request).expect("second deploy")
        });
        assert_eq!(
            first.join().unwrap(),
            1,
            "the second deploy wrote while the first held the file"
        );
        let second = second.join().unwrap();
        // it read the first deploy's file, not the one from before it
        assert_eq!(second.removed, ["first"]);
        assert_eq!(second.added, ["second"]);
    });
    let file: Value = serde_json::from_str(&fixture.text()).unwrap();
    assert_eq!(file["mcpServers"], second_section);
}
