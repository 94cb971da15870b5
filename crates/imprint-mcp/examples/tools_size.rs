//! The size of `tools/list` per toolset, as a client receives it (compact JSON of the
//! result), in bytes and in tokens estimated as bytes/4. Figures in BENCHMARKS.md:
//! `cargo run -p imprint-mcp --example tools_size`.
//!
//! The `config` set (names, descriptions, input schemas) must stay under 5,000 tokens:
//! the run fails if it does not.

use imprint_mcp::{ImprintMcp, Toolset, Toolsets};

const CONFIG_BUDGET_TOKENS: usize = 5_000;

fn main() {
    let (_dir, service) = imprint_test_support::service();
    let server = ImprintMcp::new(service);
    let mut selections: Vec<(String, Toolsets)> = Toolset::ALL
        .iter()
        .map(|set| (set.name().to_string(), Toolsets::only(&[*set])))
        .collect();
    selections.push(("all".into(), Toolsets::all()));
    println!("| toolsets | tools | bytes | tokens (bytes/4) |");
    println!("|---|---:|---:|---:|");
    let mut config_tokens = 0;
    for (name, toolsets) in selections {
        let tools = server.clone().with_toolsets(toolsets).tools();
        let bytes = serde_json::to_string(&serde_json::json!({ "tools": tools }))
            .expect("tools serialize")
            .len();
        println!("| {name} | {} | {bytes} | {} |", tools.len(), bytes / 4);
        if name == "config" {
            config_tokens = bytes / 4;
        }
    }
    if config_tokens >= CONFIG_BUDGET_TOKENS {
        eprintln!(
            "the config toolset is {config_tokens} tokens, over the {CONFIG_BUDGET_TOKENS} budget"
        );
        std::process::exit(1);
    }
}
