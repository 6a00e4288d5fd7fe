//! The layering of `credence-core` and `credence-web`, read from their source.
//!
//! The source is read as Rust's tokens (`proc-macro2`), so comments, strings and line breaks
//! are what rustc takes them for. Every `crate::…` and `super::…` path (in `use` lines, inline
//! as in `crate::topics::seed_curated(db)`, inside macro calls, and in attribute strings such
//! as `serde(with = "…")`) is resolved to the folder it names. Then:
//! - the core's kernel reaches nothing above it;
//! - no capability folder reaches the crate root's items (the root only assembles);
//! - capability folders reach each other in one direction only (no circle), and in
//!   `credence-core` exactly as the table in `docs/architecture.md` says, so the document stays
//!   true;
//! - in `credence-web`, what every capability shares (errors, extractors, pages, entities…)
//!   reaches no capability;
//! - nothing hides what it reaches: no glob of the crate root outside it, no alias of the
//!   crate, no `#[path]`, no `#[macro_use]` (macros are imported by path, `pub(crate) use`).
//!
//! Not seen: a `macro_rules!` body's `$crate::…` paths count for the file that defines the
//! macro, not the one that calls it.
//!
//! The checker's own tests (at the end) feed it a kernel that imports a capability, by `use`
//! and inline, and a circle, and expect each to be caught.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenStream, TokenTree};

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

/// A token of the source, flattened: groups become their opening and closing delimiters.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    Literal,
    Open(Delimiter),
    Close(Delimiter),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// The source as Rust's tokenizer reads it (comments and whitespace gone, each string one
/// literal), flattened. The strings of attributes other than doc comments are read as code too:
/// `#[serde(with = "crate::posts::x")]` names a path.
fn tokens(text: &str) -> Vec<Token> {
    let stream: TokenStream = text.parse().expect("the source tokenizes");
    let mut out = Vec::new();
    flatten(stream, false, &mut out);
    out
}

fn flatten(stream: TokenStream, in_attribute: bool, out: &mut Vec<Token>) {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    for (k, tree) in trees.iter().enumerate() {
        let line = tree.span().start().line;
        match tree {
            TokenTree::Ident(ident) => out.push(Token {
                tok: Tok::Ident(ident.to_string()),
                line,
            }),
            TokenTree::Punct(punct) => out.push(Token {
                tok: Tok::Punct(punct.as_char()),
                line,
            }),
            TokenTree::Literal(literal) => {
                out.push(Token {
                    tok: Tok::Literal,
                    line,
                });
                let text = literal.to_string();
                if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                    if in_attribute {
                        if let Ok(inner) = inner.parse::<TokenStream>() {
                            let start = out.len();
                            flatten(inner, false, out);
                            out[start..].iter_mut().for_each(|t| t.line = line);
                        }
                    }
                }
            }
            TokenTree::Group(group) => {
                let delimiter = group.delimiter();
                let attribute = in_attribute || is_attribute(&trees, k);
                out.push(Token {
                    tok: Tok::Open(delimiter),
                    line,
                });
                flatten(group.stream(), attribute, out);
                out.push(Token {
                    tok: Tok::Close(delimiter),
                    line: group.span_close().start().line,
                });
            }
        }
    }
}

/// Whether `trees[k]` is the bracket group of an attribute (`#[…]`, `#![…]`) other than a doc
/// comment's.
fn is_attribute(trees: &[TokenTree], k: usize) -> bool {
    let TokenTree::Group(group) = &trees[k] else {
        return false;
    };
    let hash_before =
        |at: usize| matches!(trees.get(at), Some(TokenTree::Punct(p)) if p.as_char() == '#');
    let after_hash = k >= 1 && hash_before(k - 1)
        || k >= 2
            && matches!(&trees[k - 1], TokenTree::Punct(p) if p.as_char() == '!')
            && hash_before(k - 2);
    let is_doc =
        matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(i)) if i == "doc");
    group.delimiter() == Delimiter::Bracket && after_hash && !is_doc
}

fn ident(tokens: &[Token], at: usize) -> Option<&str> {
    match tokens.get(at).map(|t| &t.tok) {
        Some(Tok::Ident(name)) => Some(name),
        _ => None,
    }
}

fn punct(tokens: &[Token], at: usize, c: char) -> bool {
    tokens.get(at).is_some_and(|t| t.tok == Tok::Punct(c))
}

/// `::` at `at`.
fn path_sep(tokens: &[Token], at: usize) -> bool {
    punct(tokens, at, ':') && punct(tokens, at + 1, ':')
}

/// What follows `crate::` or the last `super::` at `at`: one name, the items of a `{…}` group
/// (`self` and globs included), or a glob. `None` stands for `*`.
fn first_segments(tokens: &[Token], at: usize) -> Vec<Option<String>> {
    if tokens.get(at).map(|t| &t.tok) != Some(&Tok::Open(Delimiter::Brace)) {
        if punct(tokens, at, '*') {
            return vec![None];
        }
        return ident(tokens, at)
            .map(|n| vec![Some(n.to_string())])
            .unwrap_or_default();
    }
    let mut out = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for token in &tokens[at + 1..] {
        match &token.tok {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) if depth == 0 => break,
            Tok::Close(_) => depth -= 1,
            Tok::Punct(',') if depth == 0 => item_start = true,
            Tok::Punct('*') if depth == 0 && item_start => {
                item_start = false;
                out.push(None);
            }
            Tok::Ident(name) if depth == 0 && item_start => {
                item_start = false;
                out.push(Some(name.clone()));
            }
            _ => {}
        }
    }
    out
}

/// The path as written from `at` (`crate::posts::Post`), for messages.
fn path_text(tokens: &[Token], at: usize) -> String {
    tokens[at..]
        .iter()
        .take_while(|t| matches!(&t.tok, Tok::Ident(_) | Tok::Punct(':' | '*' | '$')))
        .take(12)
        .map(|t| match &t.tok {
            Tok::Ident(name) => name.clone(),
            Tok::Punct(c) => c.to_string(),
            _ => String::new(),
        })
        .collect()
}

/// What one file reaches, and what in it hides what it reaches.
#[derive(Default)]
struct Scan {
    edges: Vec<Edge>,
    /// A glob of the crate root, an alias of the crate, a `#[path]` or a `#[macro_use]`: each
    /// would let a file reach a folder without naming it.
    hidden: Vec<String>,
}

/// Every `crate::` and `super::` path in one file, as the folders (first module segments) it
/// reaches. Inline modules (`mod tests { use super::*; }`) count for `super`.
fn edges_of(source: &Source, modules: &BTreeSet<String>) -> Scan {
    let tokens = tokens(&source.text);
    let unit = |module: &[String]| -> String {
        module.first().cloned().unwrap_or_else(|| ROOT.to_string())
    };
    let from = unit(&source.module);
    let at = |line: usize, text: String| format!("{}:{line}: {text}", source.path.display());
    // Inline `mod name {` blocks: (name, the brace depth inside them).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut scan = Scan::default();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].tok {
            Tok::Open(Delimiter::Brace) => depth += 1,
            Tok::Close(Delimiter::Brace) => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        let line = tokens[i].line;
        let word = ident(&tokens, i);
        if word == Some("mod")
            && tokens.get(i + 2).map(|t| &t.tok) == Some(&Tok::Open(Delimiter::Brace))
        {
            if let Some(name) = ident(&tokens, i + 1) {
                inline.push((name.to_string(), depth + 1));
            }
        }
        let attribute_name = punct(&tokens, i.wrapping_sub(2), '#')
            || punct(&tokens, i.wrapping_sub(2), '!') && punct(&tokens, i.wrapping_sub(3), '#');
        if matches!(word, Some("path" | "macro_use")) && attribute_name {
            scan.hidden
                .push(at(line, format!("#[{}]", word.unwrap_or_default())));
        }
        if word == Some("crate") && ident(&tokens, i + 1) == Some("as") {
            scan.hidden
                .push(at(line, "an alias of the crate (`crate as …`)".into()));
        }
        let after_sep = i >= 2 && path_sep(&tokens, i - 2);
        if !after_sep && matches!(word, Some("crate" | "super")) && path_sep(&tokens, i + 1) {
            let mut target: Vec<String> = Vec::new();
            let mut j = i + 3;
            if word == Some("super") {
                target = source.module.clone();
                target.extend(inline.iter().map(|(name, _)| name.clone()));
                target.pop();
                while ident(&tokens, j) == Some("super") && path_sep(&tokens, j + 1) {
                    target.pop();
                    j += 3;
                }
            }
            let written = path_text(&tokens, i);
            for segment in first_segments(&tokens, j) {
                let mut reached = target.clone();
                match segment.as_deref() {
                    Some("self") | None => {}
                    Some(name) => reached.push(name.to_string()),
                }
                if segment.is_none() && reached.is_empty() && from != ROOT {
                    scan.hidden
                        .push(at(line, format!("a glob of the crate root: {written}")));
                }
                let to = if reached.len() == 1 && !modules.contains(&reached[0]) {
                    // `crate::Core`, `crate::open`: an item of the root, not a folder.
                    ROOT.to_string()
                } else {
                    unit(&reached)
                };
                scan.edges.push(Edge {
                    from: from.clone(),
                    to,
                    at: at(line, written.clone()),
                });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    scan
}

/// The crate's folders (and the root's own files' module names).
fn folders(sources: &[Source]) -> BTreeSet<String> {
    sources
        .iter()
        .filter_map(|s| s.module.first().cloned())
        .collect()
}

/// What hides a path anywhere in the crate (see [`Scan::hidden`]).
fn hidden(sources: &[Source]) -> Vec<String> {
    let modules = folders(sources);
    sources
        .iter()
        .flat_map(|s| edges_of(s, &modules).hidden)
        .map(|h| format!("hides what it reaches: {h}"))
        .collect()
}

/// Every edge between two different folders of a crate.
fn crate_edges(sources: &[Source]) -> Vec<Edge> {
    let modules = folders(sources);
    let mut edges: Vec<Edge> = sources
        .iter()
        .flat_map(|s| edges_of(s, &modules).edges)
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
    let mut problems = violations(&edges, &BTreeSet::from(["kernel".to_string()]));
    problems.extend(hidden(&sources));
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
        "entities", "error", "extract", "metrics", "page", "security", "server", "session",
        "state", "uploads",
    ]
    .map(String::from)
    .into();
    let mut problems = violations(&edges, &shared);
    problems.extend(hidden(&sources));
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
    fn comments_strings_chars_and_lifetimes_are_not_code() {
        let mut sources = layered();
        sources.push(source(
            "kernel/text.rs",
            "/// See [`crate::posts::Post`].\nfn f<'a>(s: &'a str) -> char { let _ = r#\"crate::posts\"#; \
             let _ = br\"crate::topics\"; let _ = b'c'; /* crate::posts */ 'x' }",
        ));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(problems.is_empty(), "{problems:?}");
        assert!(hidden(&sources).is_empty());
    }

    #[test]
    fn a_super_chain_split_over_lines_is_resolved() {
        let mut sources = layered();
        sources.push(source(
            "kernel/split.rs",
            "fn f() {\n    super ::\n        super::topics::seed(todo!());\n}",
        ));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(
            problems
                .iter()
                .any(|p| p.contains("kernel reaches up to topics")
                    && p.contains("kernel/split.rs:2")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_path_in_an_attribute_string_is_code() {
        let mut sources = layered();
        sources.push(source(
            "kernel/wire.rs",
            "#[derive(serde::Serialize)]\nstruct W {\n    #[serde(serialize_with = \"crate::posts::write\")]\n    x: i64,\n}",
        ));
        let problems = violations(&crate_edges(&sources), &kernel());
        assert!(
            problems
                .iter()
                .any(|p| p.contains("kernel reaches up to posts") && p.contains("kernel/wire.rs:3")),
            "{problems:?}"
        );
    }

    #[test]
    fn globs_of_the_root_aliases_of_the_crate_path_and_macro_use_are_caught() {
        for (file, text, what) in [
            ("topics/all.rs", "use crate::*;", "a glob of the crate root"),
            ("topics/mod.rs", "use super::*;", "a glob of the crate root"),
            (
                "kernel/alias.rs",
                "use crate as c;\nuse c::posts;",
                "an alias of the crate",
            ),
            (
                "kernel/elsewhere.rs",
                "#[path = \"../posts/write.rs\"]\nmod write;",
                "#[path]",
            ),
            (
                "kernel/macros.rs",
                "#[macro_use]\nmod inner {}",
                "#[macro_use]",
            ),
        ] {
            let mut sources = layered();
            sources.push(source(file, text));
            let found = hidden(&sources);
            assert!(
                found.iter().any(|h| h.contains(what) && h.contains(file)),
                "{file}: {found:?}"
            );
        }
        // A test module's glob of its own file is no glob of the root.
        assert!(hidden(&layered()).is_empty());
    }
}
