//! `cargo run --release -p imprint-bench --bin content_bench [-- --entries N --dir PATH
//! --database POSTGRES_URL]`:
//! the content family at scale, in process through the service layer (the same calls
//! the MCP tools make, without the pipe), on a durable SQLite store (WAL, fsync on
//! commit).
//!
//! Seeds N entries (default 1,000,000) with `bulk_create_entries` in batches of 10,000
//! (each entry validated and given a signed revision, as `create_entry` does), then
//! measures `search_content` (p50/p95 by kind of query), `create_entry`, `update_draft`
//! and `apply_draft` (p50/p95) at 10,000 entries and again at N, and the store's bytes
//! per entry. Prints a Markdown table for BENCHMARKS.md. With `--dir`, an already
//! seeded directory is reused (seeding resumes up to N).
//!
//! With `--database`, the store is that PostgreSQL database instead (team mode; give an
//! empty one, or the one a previous run seeded with the same `--dir`, which keeps the marker).
//!
//! Durable writes wait for fsync, so their latency is the disk's: the table starts each
//! size with the raw fsync latency of the same disk, measured the same way.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use imprint_service::api::{Id, IdList, JsonObject};
use imprint_service::content::{
    ApplyDraft, CreateDraft, CreateEntry, CreateEntryType, CreateField, CreateSection,
    EntryOrDraft, GetEntry, GetSections, ObjectList, SearchContent, UpdateDraft, UpdateEntry,
    UpdateFieldLayout,
};
use imprint_service::{Service, ServiceOptions};
use serde_json::{Map, Value, json};

const BATCH: usize = 10_000;
const VOCABULARY: usize = 20_000;

fn main() {
    let mut entries = 1_000_000usize;
    let mut dir: Option<PathBuf> = None;
    let mut database: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--entries" => {
                entries = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--entries N")
            }
            "--dir" => dir = args.next().map(PathBuf::from),
            "--database" => database = args.next(),
            other => {
                panic!("unknown argument {other}: use --entries N, --dir PATH and --database URL")
            }
        }
    }
    let temporary = dir.is_none();
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("imprint-content-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).unwrap();
    let mut options = ServiceOptions::new(dir.clone(), dir.clone());
    options.actor = "bench".into();
    let store: std::sync::Arc<dyn imprint_store::Store> = match &database {
        Some(url) => {
            std::sync::Arc::new(imprint_store_postgres::PostgresStore::connect(url).unwrap())
        }
        None => {
            std::sync::Arc::new(imprint_store_sqlite::SqliteStore::open_in_data_dir(&dir).unwrap())
        }
    };
    let service = Service::new(options, store);
    println!(
        "store: {}",
        if database.is_some() {
            "PostgreSQL (loopback)"
        } else {
            "SQLite (WAL, synchronous=FULL)"
        }
    );
    let mut bench = Bench::new(service, &dir);
    println!("data directory: {}\n", dir.display());
    println!("| measurement | entries | p50 | p95 | samples |");
    println!("|---|---|---|---|---|");

    // A store seeded by an earlier run past 10,000 entries is measured only at its new
    // size (so 10k, 100k and 1M can be measured in steps on one database); one already at
    // `--entries` is measured as it is.
    let mut measured = false;
    if bench.entry_count() <= 10_000 {
        bench.seed_to(10_000.min(entries));
        bench.measure_all();
        measured = true;
    }
    if entries > bench.entry_count() {
        bench.seed_to(entries);
        bench.measure_all();
        measured = true;
    }
    if !measured {
        bench.measure_all();
    }
    let db = std::fs::metadata(dir.join("imprint.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    let wal = std::fs::metadata(dir.join("imprint.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    let count = bench.entry_count();
    if database.is_none() {
        println!(
            "\nstore: {} entries, imprint.db {:.1} MiB ({:.0} bytes per entry; each with one signed revision and its search row), WAL {:.1} MiB",
            count,
            db as f64 / 1_048_576.0,
            db as f64 / count.max(1) as f64,
            wal as f64 / 1_048_576.0
        );
    }
    println!(
        "seeding: {} entries in {:.1} s ({:.0} entries/s)",
        bench.seeded,
        bench.seed_time.as_secs_f64(),
        bench.seeded as f64 / bench.seed_time.as_secs_f64().max(1e-9)
    );
    if temporary {
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// xorshift64*: deterministic, fast, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words drawn with a Zipf distribution (s = 1) over a made-up vocabulary, like text.
struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new() -> Self {
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fu", "go", "ha", "ji",
            "ku", "le", "ma", "no", "pi", "qua", "re", "so", "tu", "ze",
        ];
        let mut words = Vec::with_capacity(VOCABULARY);
        let mut n = 0usize;
        while words.len() < VOCABULARY {
            let (a, b, c) = (n % 24, (n / 24) % 24, (n / 576) % 24);
            words.push(format!("{}{}{}", SYLLABLES[a], SYLLABLES[b], SYLLABLES[c]));
            n += 1;
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { words, cumulative }
    }

    fn zipf(&self, rng: &mut Rng) -> &str {
        let target = rng.unit() * self.cumulative[VOCABULARY - 1];
        let index = self
            .cumulative
            .partition_point(|c| *c < target)
            .min(VOCABULARY - 1);
        &self.words[index]
    }

    fn text(&self, rng: &mut Rng, count: usize) -> String {
        (0..count)
            .map(|_| self.zipf(rng))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

struct Bench {
    service: Service,
    dir: PathBuf,
    words: Words,
    rng: Rng,
    section_id: i64,
    entry_type_id: i64,
    seeded: usize,
    seed_time: Duration,
    max_entry: i64,
}

impl Bench {
    fn new(service: Service, dir: &Path) -> Self {
        let sections = service.get_sections(GetSections::default()).unwrap();
        let (section_id, entry_type_id) = match sections.sections.first() {
            Some(section) => (section.section_id, section.entry_type_ids[0]),
            None => create_model(&service),
        };
        let mut bench = Self {
            service,
            dir: dir.to_path_buf(),
            words: Words::new(),
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            section_id,
            entry_type_id,
            seeded: 0,
            seed_time: Duration::ZERO,
            max_entry: 0,
        };
        bench.max_entry = bench.highest_entry_id();
        bench
    }

    /// Entries seeded so far, from the marker file the seeder keeps beside the database.
    fn entry_count(&self) -> usize {
        std::fs::read_to_string(self.dir.join("bench-seeded"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn highest_entry_id(&self) -> i64 {
        std::fs::read_to_string(self.dir.join("bench-max-id"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn seed_to(&mut self, target: usize) {
        let mut have = self.entry_count();
        if have >= target {
            return;
        }
        let initial = have;
        let started = Instant::now();
        let mut last_report = Instant::now();
        let bar = seeding_bar(initial, target);
        while have < target {
            let n = BATCH.min(target - have);
            let batch: Vec<Map<String, Value>> = (0..n)
                .map(|i| {
                    let serial = have + i;
                    let title_words = 3 + self.rng.below(4);
                    let body_words = 20 + self.rng.below(21);
                    let title = self.words.text(&mut self.rng, title_words);
                    let body = self.words.text(&mut self.rng, body_words);
                    let category = ["news", "recipes", "travel", "reviews"][self.rng.below(4)];
                    let price = (self.rng.below(100_000) as f64) / 100.0;
                    let data = json!({"title": title, "slug": format!("e{serial}"), "body": body, "category": category, "price": price});
                    data.as_object().cloned().unwrap()
                })
                .collect();
            let ids = self
                .service
                .bulk_create_entries(self.section_id, Some(self.entry_type_id), None, batch)
                .unwrap();
            have += ids.len();
            self.max_entry = self.max_entry.max(ids.last().copied().unwrap_or(0));
            std::fs::write(self.dir.join("bench-seeded"), have.to_string()).unwrap();
            std::fs::write(self.dir.join("bench-max-id"), self.max_entry.to_string()).unwrap();
            if let Some(bar) = &bar {
                bar.set_position(have as u64);
            } else if last_report.elapsed() > Duration::from_secs(30) {
                let rate = (have - initial) as f64 / started.elapsed().as_secs_f64().max(1e-9);
                eprintln!("seeded {have} entries ({rate:.0}/s)");
                last_report = Instant::now();
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        self.seeded += have - initial;
        self.seed_time += started.elapsed();
    }

    fn random_entry(&mut self) -> i64 {
        // Seeded entries are the ids 1..=max_entry minus drafts, which also take ids:
        // retry until one is an entry.
        loop {
            let id = 1 + self.rng.below(self.max_entry.max(1) as usize) as i64;
            if self
                .service
                .get_entry(GetEntry {
                    entry_id: Id(id),
                    site_id: None,
                })
                .is_ok_and(|e| matches!(e, EntryOrDraft::Entry(_)))
            {
                return id;
            }
        }
    }

    fn measure_all(&mut self) {
        let n = self.entry_count();
        self.measure_fsync(n);
        self.measure_search(n);
        self.measure_create_entry(n);
        self.measure_drafts(n);
    }

    /// The floor under every durable write: a 4 KiB append and fsync in the data
    /// directory, measured just before the writes so a busy disk shows in both.
    fn measure_fsync(&mut self, n: usize) {
        use std::io::Write;
        let path = self.dir.join("bench-fsync");
        let mut file = std::fs::File::create(&path).unwrap();
        let mut samples = Vec::with_capacity(200);
        for _ in 0..200 {
            file.write_all(&[7u8; 4096]).unwrap();
            let started = Instant::now();
            file.sync_all().unwrap();
            samples.push(started.elapsed());
        }
        std::fs::remove_file(&path).ok();
        row(
            "fsync of a 4 KiB append (the floor of a durable write)",
            n,
            &mut samples,
        );
    }

    fn measure_search(&mut self, n: usize) {
        let mut kinds: Vec<(&str, Vec<String>)> = Vec::new();
        let uniform: Vec<String> = (0..400)
            .map(|_| self.words.words[100 + self.rng.below(VOCABULARY - 100)].clone())
            .collect();
        kinds.push(("search_content: one word, ranks 100..20000", uniform));
        let zipf: Vec<String> = (0..400)
            .map(|_| {
                format!(
                    "{} {}",
                    self.words.zipf(&mut self.rng),
                    self.words.zipf(&mut self.rng)
                )
            })
            .collect();
        kinds.push(("search_content: two words, drawn like text", zipf));
        let common: Vec<String> = (0..50).map(|i| self.words.words[i % 10].clone()).collect();
        kinds.push(("search_content: one of the 10 most common words", common));
        let prefix: Vec<String> = (0..200)
            .map(|_| format!("{}*", &self.words.words[self.rng.below(VOCABULARY)][..4]))
            .collect();
        kinds.push(("search_content: prefix (4 letters*)", prefix));
        let mut all = Vec::new();
        for (name, queries) in kinds {
            let (mut samples, found) = self.timed_searches(name, n, &queries);
            assert!(
                found > 0,
                "{name} found nothing: the benchmark data is wrong"
            );
            all.extend(samples.iter().copied());
            row(name, n, &mut samples);
        }
        row("search_content: all of the above", n, &mut all);
        self.measure_search_edited(n);
        self.measure_search_filtered(n);
    }

    /// Searches whose hits are past their first revision, so each hit's head is checked
    /// against the revision before it: entries the drafts of earlier runs applied, titled
    /// "changed {i}" (not in "all of the above": a first run has none yet).
    fn measure_search_edited(&mut self, n: usize) {
        let name = "search_content: edited entries (\"changed N\", hits past their first revision)";
        let queries: Vec<String> = (0..100)
            .map(|_| format!("changed {}", self.rng.below(300)))
            .collect();
        let (mut samples, found) = self.timed_searches(name, n, &queries);
        if found == 0 {
            println!("| {name}: none yet (the drafts below make them; run again) | {n} | | | |");
            return;
        }
        row(name, n, &mut samples);
    }

    /// The most common words searched in statuses the bench's entries never have: every
    /// match of the window is filtered out, and the search looks further back (not in "all
    /// of the above": no user's mix is all of these).
    fn measure_search_filtered(&mut self, n: usize) {
        let name = "search_content: one of the 10 most common words, status disabled / pending / expired (none are)";
        let queries: Vec<String> = (0..20).map(|i| self.words.words[i % 10].clone()).collect();
        let mut samples = Vec::new();
        for status in ["disabled", "pending", "expired"] {
            let (mut some, found) = self.timed_searches_in(name, n, &queries, Some(status));
            assert_eq!(found, 0, "{name}: the bench writes no {status} entries");
            samples.append(&mut some);
        }
        row(name, n, &mut samples);
    }

    /// Each query's `search_content` (limit 10) timed; the samples, and the hits found. A
    /// search stopped at its time limit is a sample at that limit, counted in a row of its
    /// own; any other error ends the run.
    fn timed_searches(&self, name: &str, n: usize, queries: &[String]) -> (Vec<Duration>, usize) {
        self.timed_searches_in(name, n, queries, None)
    }

    /// [`Self::timed_searches`] with a status filter.
    fn timed_searches_in(
        &self,
        name: &str,
        n: usize,
        queries: &[String],
        status: Option<&str>,
    ) -> (Vec<Duration>, usize) {
        let mut samples = Vec::with_capacity(queries.len());
        let mut found = 0usize;
        let mut stopped = 0usize;
        for query in queries {
            let started = Instant::now();
            let result = self.service.search_content(SearchContent {
                query: Some(query.clone()),
                limit: Some(10),
                status: status.map(str::to_string),
                ..Default::default()
            });
            samples.push(started.elapsed());
            match result {
                Ok(result) => found += result.count,
                Err(error) if error.to_string().contains("took too long") => stopped += 1,
                Err(error) => panic!("{name}: {query}: {error}"),
            }
        }
        if stopped > 0 {
            println!(
                "| {name}: stopped at the time limit | {n} | {stopped} of {} | | |",
                queries.len()
            );
        }
        (samples, found)
    }

    fn measure_create_entry(&mut self, n: usize) {
        let mut samples = Vec::new();
        for i in 0..300 {
            let data = json!({"title": self.words.text(&mut self.rng, 4), "body": self.words.text(&mut self.rng, 30), "category": "news", "price": i});
            let started = Instant::now();
            let created = self
                .service
                .create_entry(CreateEntry {
                    section_id: Id(self.section_id),
                    entry_type_id: Some(Id(self.entry_type_id)),
                    site_id: None,
                    attribute_and_field_data: Some(object(data)),
                    site_ids: None,
                })
                .unwrap();
            samples.push(started.elapsed());
            self.max_entry = self.max_entry.max(created.entry.entry_id);
        }
        std::fs::write(
            self.dir.join("bench-seeded"),
            (self.entry_count() + 300).to_string(),
        )
        .unwrap();
        std::fs::write(self.dir.join("bench-max-id"), self.max_entry.to_string()).unwrap();
        row("create_entry (durable)", n, &mut samples);
    }

    fn measure_drafts(&mut self, n: usize) {
        let (mut create, mut update, mut apply, mut merge) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..300 {
            let entry_id = self.random_entry();
            let started = Instant::now();
            let draft = self
                .service
                .create_draft(CreateDraft {
                    canonical_id: Some(Id(entry_id)),
                    ..Default::default()
                })
                .unwrap();
            create.push(started.elapsed());
            let draft_id = draft.draft.draft_id;
            let started = Instant::now();
            self.service
                .update_draft(UpdateDraft {
                    draft_id: Id(draft_id),
                    attribute_and_field_data: Some(object(
                        json!({"title": format!("changed {i}"), "price": i}),
                    )),
                    draft_name: None,
                    draft_notes: None,
                    expected_version: None,
                })
                .unwrap();
            update.push(started.elapsed());
            let merging = i % 2 == 1;
            if merging {
                // The entry moves on first: apply_draft then merges three ways.
                self.service
                    .update_entry(UpdateEntry {
                        entry_id: Id(entry_id),
                        attribute_and_field_data: object(json!({"body": "moved on"})),
                        site_id: None,
                        site_ids: None,
                    })
                    .unwrap();
            }
            let started = Instant::now();
            let applied = self
                .service
                .apply_draft(ApplyDraft {
                    draft_id: Id(draft_id),
                    expected_version: None,
                })
                .unwrap();
            let elapsed = started.elapsed();
            assert_eq!(applied.merged, merging);
            if merging {
                merge.push(elapsed)
            } else {
                apply.push(elapsed)
            }
        }
        row("create_draft (of an entry)", n, &mut create);
        row("update_draft", n, &mut update);
        row("apply_draft (fast-forward)", n, &mut apply);
        row("apply_draft (three-way merge)", n, &mut merge);
    }
}

/// A bar on stderr while seeding, for a person at a terminal; `None` on a pipe or in a
/// log (the caller then prints a line every 30 s), so captured output stays clean.
fn seeding_bar(done: usize, target: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(target as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "seeding [{bar:30}] {pos}/{len} entries ({per_sec}, {eta} left)",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_position(done as u64);
    bar.reset_eta();
    Some(bar)
}

fn create_model(service: &Service) -> (i64, i64) {
    let field = |kind: &str, name: &str, settings: Value| {
        service
            .create_field(CreateField {
                field_type: kind.into(),
                name: name.into(),
                settings: Some(object(settings)),
                ..Default::default()
            })
            .unwrap()
            .field
            .field_id
    };
    let body = field("PlainText", "Body", json!({"multiline": true}));
    let category = field(
        "Dropdown",
        "Category",
        json!({"options": ["news", "recipes", "travel", "reviews"]}),
    );
    let price = field("Number", "Price", json!({"min": 0, "decimals": 2}));
    let entry_type = service
        .create_entry_type(CreateEntryType {
            name: "Article".into(),
            ..Default::default()
        })
        .unwrap()
        .entry_type;
    let layout_id = entry_type.field_layout_id;
    service
        .update_field_layout(UpdateFieldLayout {
            field_layout_id: Id(layout_id),
            tabs: ObjectList(json!([{"name": "Content", "elements": [
                {"type": "title"},
                {"type": "CustomField", "fieldId": body, "required": true},
                {"type": "CustomField", "fieldId": category},
                {"type": "CustomField", "fieldId": price}
            ]}])),
        })
        .unwrap();
    let entry_type_id = entry_type.entry_type_id;
    let section = service
        .create_section(CreateSection {
            name: "Articles".into(),
            entry_type_ids: IdList(vec![Id(entry_type_id)]),
            ..Default::default()
        })
        .unwrap();
    (section.section.section_id, entry_type_id)
}

/// A JSON object literal as a request's object argument.
fn object(value: Value) -> JsonObject {
    JsonObject(value.as_object().cloned().unwrap_or_default())
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index.min(samples.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

fn row(name: &str, entries: usize, samples: &mut [Duration]) {
    if samples.is_empty() {
        return;
    }
    let p50 = percentile(samples, 0.50);
    let p95 = percentile(samples, 0.95);
    println!(
        "| {name} | {entries} | {} | {} | {} |",
        ms(p50),
        ms(p95),
        samples.len()
    );
}
