//! The layering of `credence-core` and `credence-web`, read from their source.
//!
//! Every `crate::…` and `super::…` path (in `use` lines and inline, as in
//! `crate::topics::seed_curated(db)`) is resolved to the folder it names. Then:
//! - the core's kernel reaches nothing above it;
//! - no capability folder reaches the crate root's items (the root only assembles);
//! - capability folders reach each other in one direction only (no circle), and in
//!   `credence-core` exactly as the table in `docs/architecture.md` says, so the document stays
//!   true;
//! - in `credence-web`, what every capability shares (errors, extractors, pages, entities…)
//!   reaches no capability.
//!
//! The checker's own tests (at the end) feed it a kernel that imports a capability, by `use`
//! and inline, and a circle, and expect each to be caught.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: where it is, and its module path inside the crate (`["posts", "create"]`
/// for `src/posts/create.rs`; empty for `src/lib.rs`).
struct Source {
    path: PathBuf,
    module: Vec<String>,
    text: String,
}

/// A path in the source from one folder to another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    /// `file:line: path` where it was seen.
    at: String,
}

/// The crate root's own items (`crate::open`, a re-export) as a folder name.
const ROOT: &str = "(crate root)";

/// `crates/<name>` in this workspace.
fn crate_dir(name: &str) -> PathBuf {
    workspace_crates().join(name)
}

fn workspace_crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/credence sits in crates/")
        .to_path_buf()
}

fn read_sources(src: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(src).unwrap();
                let mut module: Vec<String> = relative
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Named from `crates/` in messages: `credence-core/src/kernel/db.rs`.
                let path = path
                    .strip_prefix(workspace_crates())
                    .map(Path::to_path_buf)
                    .unwrap_or(path);
                out.push(Source { path, module, text });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The text with comments, string and character literals blanked out (lines kept), so that
/// a path in a doc comment or an SQL string is not read as code.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_char_before(&chars, i) {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let closing: Vec<char> = closing.chars().collect();
            while j < chars.len() && !chars[j..].starts_with(&closing) {
                j += 1;
            }
            j = (j + closing.len()).min(chars.len());
            out.extend(chars[i..j].iter().map(|&c| blank(c)));
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            j = (j + 1).min(chars.len());
            out.extend(chars[i..j].iter().map(|&c| blank(c)));
            i = j;
        } else if c == '\'' {
            // A character literal ('a', '\n', '\u{200B}'); a lifetime ('a) has no closing quote.
            let end = if next == Some('\\') {
                chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map(|p| i + 3 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(chars[i..end].iter().map(|&c| blank(c)));
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier starting at byte `at` of `code`, if any.
fn ident_at(code: &str, at: usize) -> Option<&str> {
    let rest = &code[at..];
    let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The first segments of the paths that start at `at` (just after `crate::` or the last
/// `super::`): one name, or several for a `{a::…, b}` group.
fn first_segments(code: &str, at: usize) -> Vec<String> {
    let rest = code[at..].trim_start();
    let start = code.len() - rest.len();
    if let Some(group) = rest.strip_prefix('{') {
        let mut out = Vec::new();
        let mut depth = 0;
        let mut item_start = true;
        for (offset, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item_start = true,
                c if item_start && is_ident(c) => {
                    item_start = false;
                    let name = ident_at(code, start + 1 + offset).unwrap_or_default();
                    out.push(name.to_string());
                }
                _ => {}
            }
        }
        out
    } else {
        ident_at(code, start)
            .map(|name| vec![name.to_string()])
            .unwrap_or_default()
    }
}

/// Every `crate::` and `super::` path in one file, as the folders (first module segments) it
/// reaches. Inline modules (`mod tests { use super::*; }`) count for `super`.
fn edges_of(source: &Source, modules: &BTreeSet<String>) -> Vec<Edge> {
    let code = code_only(&source.text);
    let unit = |module: &[String]| -> String {
        module.first().cloned().unwrap_or_else(|| ROOT.to_string())
    };
    let from = unit(&source.module);
    // Inline `mod name {` blocks: (name, the brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut edges = Vec::new();
    let mut i = 0;
    while let Some(c) = code[i..].chars().next() {
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d > depth) {
                inline.pop();
            }
        }
        let word_start = i == 0 || !is_ident(code[..i].chars().next_back().unwrap_or(' '));
        if word_start && code[i..].starts_with("mod ") {
            let name_at = i + 4;
            if let Some(name) = ident_at(&code, name_at) {
                let after = code[name_at + name.len()..].trim_start();
                if after.starts_with('{') {
                    inline.push((name.to_string(), depth + 1));
                }
            }
        }
        let path_start = word_start || code[..i].ends_with('$');
        if path_start && (code[i..].starts_with("crate::") || code[i..].starts_with("super::")) {
            let line = code[..i].matches('\n').count() + 1;
            let mut target: Vec<String> = Vec::new();
            let mut j = i;
            if code[i..].starts_with("crate::") {
                j += "crate::".len();
            } else {
                target = source.module.clone();
                target.extend(inline.iter().map(|(name, _)| name.clone()));
                while code[j..].starts_with("super::") {
                    target.pop();
                    j += "super::".len();
                }
            }
            let path_text: String = code[i..]
                .chars()
                .take_while(|c| !matches!(c, ';' | '\n' | '(' | ' '))
                .collect();
            for segment in first_segments(&code, j) {
                let mut reached = target.clone();
                reached.push(segment);
                let to = if reached.len() == 1 && !modules.contains(&reached[0]) {
                    // `crate::Core`, `crate::open`: an item of the root, not a folder.
                    ROOT.to_string()
                } else {
                    unit(&reached)
                };
                edges.push(Edge {
                    from: from.clone(),
                    to,
                    at: format!("{}:{line}: {path_text}", source.path.display()),
                });
            }
            i = j;
            continue;
        }
        i += c.len_utf8();
    }
    edges
}

/// Every edge between two different folders of a crate.
fn crate_edges(sources: &[Source]) -> Vec<Edge> {
    let modules: BTreeSet<String> = sources
        .iter()
        .filter_map(|s| s.module.first().cloned())
        .collect();
    let mut edges: Vec<Edge> = sources
        .iter()
        .flat_map(|s| edges_of(s, &modules))
        .filter(|e| e.from != e.to)
        .collect();
    edges.sort();
    edges
}

/// The folder-level graph: folder → folders it reaches.
fn graph(edges: &[Edge]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in edges {
        out.entry(e.from.clone()).or_default().insert(e.to.clone());
    }
    out
}

/// A circle among `nodes`, if there is one (as the folders on it, first repeated at the end).
fn find_cycle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    nodes: &BTreeSet<String>,
) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unseen,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        nodes: &BTreeSet<String>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph
            .get(node)
            .into_iter()
            .flatten()
            .filter(|n| nodes.contains(*n))
        {
            match marks.get(next).copied().unwrap_or(Mark::Unseen) {
                Mark::Open => {
                    let start = path.iter().position(|p| p == next).unwrap();
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::Unseen => {
                    if let Some(cycle) = visit(next, graph, nodes, marks, path) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in nodes {
        if marks.get(node).copied().unwrap_or(Mark::Unseen) == Mark::Unseen {
            if let Some(cycle) = visit(node, graph, nodes, &mut marks, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

/// What is wrong with a crate's layering: `bottom` folders (the core's kernel, the web's
/// shared modules) reach nothing but each other; capability folders reach neither the root
/// nor each other in a circle.
fn violations(edges: &[Edge], bottom: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for e in edges {
        if bottom.contains(&e.from) && !bottom.contains(&e.to) {
            problems.push(format!("{} reaches up to {}: {}", e.from, e.to, e.at));
        } else if e.from != ROOT && e.to == ROOT {
            problems.push(format!(
                "{} uses an item of the crate root (name its folder instead): {}",
                e.from, e.at
            ));
        }
    }
    let capabilities: BTreeSet<String> = edges
        .iter()
        .flat_map(|e| [e.from.clone(), e.to.clone()])
        .filter(|n| n != ROOT && !bottom.contains(n))
        .collect();
    if let Some(cycle) = find_cycle(&graph(edges), &capabilities) {
        let on_cycle: Vec<&Edge> = cycle
            .windows(2)
            .filter_map(|w| edges.iter().find(|e| e.from == w[0] && e.to == w[1]))
            .collect();
        problems.push(format!(
            "capabilities reach each other in a circle: {}\n  {}",
            cycle.join(" -> "),
            on_cycle
                .iter()
                .map(|e| e.at.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        ));
    }
    problems
}

/// The dependency table of `docs/architecture.md`: rows `| capability | what it may use |`
/// between the markers, each use a folder name in backticks.
fn documented_core_graph() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(workspace_crates().join("../docs/architecture.md")).unwrap();
    let start = doc
        .find("<!-- dependencies:start -->")
        .expect("docs/architecture.md has the dependency table between its markers");
    let end = doc.find("<!-- dependencies:end -->").unwrap();
    let names = |cell: &str| -> BTreeSet<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut out = BTreeMap::new();
    for row in doc[start..end].lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').collect();
        if cells.len() < 2 || cells[0].contains("---") || !cells[0].contains('`') {
            continue;
        }
        let from = names(cells[0]).into_iter().next().unwrap();
        out.insert(from, names(cells[1]));
    }
    out
}

#[test]
fn core_kernel_is_at_the_bottom_and_capabilities_form_no_circle() {
    let sources = read_sources(&crate_dir("credence-core/src"));
    let edges = crate_edges(&sources);
    let problems = violations(&edges, &BTreeSet::from(["kernel".to_string()]));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn core_dependencies_are_the_documented_ones() {
    let sources = read_sources(&crate_dir("credence-core/src"));
    let edges = crate_edges(&sources);
    let mut actual = graph(&edges);
    actual.remove(ROOT);
    let documented = documented_core_graph();
    let folders: BTreeSet<&String> = actual.keys().chain(documented.keys()).collect();
    let mut differences = Vec::new();
    for folder in folders {
        let uses = actual.get(folder).cloned().unwrap_or_default();
        let listed = documented.get(folder).cloned().unwrap_or_default();
        for missing in uses.difference(&listed) {
            let at = edges
                .iter()
                .find(|e| &e.from == folder && &e.to == missing)
                .map(|e| e.at.as_str())
                .unwrap_or_default();
            differences.push(format!(
                "{folder} uses `{missing}`, not in the table ({at})"
            ));
        }
        for stale in listed.difference(&uses) {
            differences.push(format!(
                "the table says {folder} uses `{stale}`; it does not"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "docs/architecture.md's dependency table and the code disagree:\n{}",
        differences.join("\n")
    );
}

#[test]
fn web_shared_modules_are_below_the_capabilities_and_capabilities_form_no_circle() {
    let sources = read_sources(&crate_dir("credence-web/src"));
    let edges = crate_edges(&sources);
    let shared: BTreeSet<String> = [
        "entities", "error", "extract", "metrics", "page", "security", "session", "state",
    ]
    .map(String::from)
    .into();
    let problems = violations(&edges, &shared);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[cfg(test)]
mod checker {
    //! The checker finds what it must: these feed it sources that break each rule.

    use super::*;

    fn source(path: &str, text: &str) -> Source {
        let mut module: Vec<String> = path
            .trim_end_matches(".rs")
            .split('/')
            .map(String::from)
            .collect();
        if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
            module.pop();
        }
        Source {
            path: PathBuf::from(path),
            module,
            text: text.to_string(),
        }
    }

    fn kernel() -> BTreeSet<String> {
        BTreeSet::from(["kernel".to_string()])
    }

    fn layered() -> Vec<Source> {
        vec![
            source("lib.rs", "pub mod kernel; pub mod topics; pub mod posts;"),
            source("kernel/mod.rs", "pub mod db;"),
            source("kernel/db.rs", "pub struct Db; // crate::posts in a comment is fine\nconst Q: &str = \"crate::topics\";"),
            source("topics/mod.rs", "use crate::kernel::db::Db;\npub fn seed(_: &Db) {}"),
            source("posts/mod.rs", "use crate::{kernel::db::Db, topics};\nmod write;"),
            source("posts/write.rs", "use super::super::topics::seed;\nmod tests { use super::*; }"),
        ]
    }

    #[test]
    fn a_layered_crate_passes() {
        let edges = crate_edges(&layered());
        assert!(violations(&edges, &kernel()).is_empty(), "{edges:?}");
        assert!(edges.iter().any(|e| e.from == "posts" && e.to == "topics"));
    }

    #[test]
    fn an_upward_use_in_the_kernel_is_caught() {
        let mut sources = layered();
        sources.push(source("kernel/cache.rs", "use crate::posts::Post;"));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(
            problems.iter().any(
                |p| p.contains("kernel reaches up to posts") && p.contains("kernel/cache.rs:1")
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn an_inline_upward_path_in_the_kernel_is_caught() {
        let mut sources = layered();
        sources.push(source(
            "kernel/migrate.rs",
            "pub async fn migrate(db: &Db) {\n    crate::topics::seed(db);\n}",
        ));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(
            problems
                .iter()
                .any(|p| p.contains("kernel reaches up to topics")
                    && p.contains("kernel/migrate.rs:2")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_grouped_use_and_super_paths_are_resolved() {
        let mut sources = layered();
        sources.push(source(
            "kernel/more.rs",
            "use crate::{db, posts::{self, Post}};\nmod inner { use super::super::super::topics; }",
        ));
        let edges = crate_edges(&sources);
        let from_kernel: BTreeSet<&str> = edges
            .iter()
            .filter(|e| e.from == "kernel")
            .map(|e| e.to.as_str())
            .collect();
        assert!(
            from_kernel.contains("posts") && from_kernel.contains("topics"),
            "{edges:?}"
        );
    }

    #[test]
    fn a_circle_between_capabilities_is_caught() {
        let mut sources = layered();
        sources.push(source("topics/feed.rs", "use crate::posts::write;"));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(
            problems
                .iter()
                .any(|p| p.contains("circle") && p.contains("topics/feed.rs:1")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_root_item_used_by_a_capability_is_caught() {
        let mut sources = layered();
        sources.push(source("topics/open.rs", "fn f() { crate::open(); }"));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(
            problems.iter().any(|p| p.contains("crate root")),
            "{problems:?}"
        );
    }

    #[test]
    fn strings_chars_and_lifetimes_are_not_code() {
        let code = code_only(
            "let a = 'x'; fn f<'a>(s: &'a str) {} let b = r#\"crate::posts\"#; // crate::x\n'\\n'",
        );
        assert!(!code.contains("crate::"), "{code}");
        assert!(code.contains("fn f<'a>(s: &'a str)"), "{code}");
    }
}
