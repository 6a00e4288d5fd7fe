//! `credence check`: the credibility engine on the command line.
//!
//! - `credence check [FILE|-]` prints a readable report with the flagged passages highlighted;
//! - `--json` prints one JSON report; `--redact` prints the text with PHI replaced by `[LABEL]`;
//! - exit code 0 when clean, 1 with warnings, 2 when blocked (PHI);
//! - `--jsonl` reads `{"id": …, "text": …}` lines and writes `{"id": …, "report": …}` lines in
//!   input order, streaming; a bad line gets `{"id": …, "error": …}` and the stream goes on.

use std::io::{BufRead, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use credence_check::{Checker, Draft, DraftKind, Report};
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The text to check: a file, or `-` (the default) for standard input.
    pub file: Option<PathBuf>,
    /// Print the report as one JSON object.
    #[arg(long, conflicts_with_all = ["redact", "jsonl"])]
    pub json: bool,
    /// Print the text with each PHI span replaced by [LABEL].
    #[arg(long, conflicts_with = "jsonl")]
    pub redact: bool,
    /// Read JSON lines {"id", "text"} and write {"id", "report"} lines, streaming.
    #[arg(long)]
    pub jsonl: bool,
    /// What the text is (replies are also checked for professionalism).
    #[arg(long, value_enum, default_value = "post")]
    pub kind: KindArg,
    /// Reading grade to aim for.
    #[arg(long, default_value_t = credence_check::DEFAULT_TARGET_GRADE)]
    pub target_grade: f64,
    /// A name the author publishes under (repeatable): their own byline is not PHI.
    /// In `--jsonl`, a line may also carry "author": ["…"].
    #[arg(long = "author")]
    pub authors: Vec<String>,
    /// A company the author declared a financial relationship with (repeatable).
    /// In `--jsonl`, a line may also carry "declared": ["…"].
    #[arg(long = "declared")]
    pub declared: Vec<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Post,
    Article,
    Reply,
    ResearchUpdate,
    Tip,
}

impl From<KindArg> for DraftKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Post => DraftKind::Post,
            KindArg::Article => DraftKind::Article,
            KindArg::Reply => DraftKind::Reply,
            KindArg::ResearchUpdate => DraftKind::ResearchUpdate,
            KindArg::Tip => DraftKind::Tip,
        }
    }
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let checker = Checker::new();
    let input: Box<dyn Read> = match args.file.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(
            std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
    };
    if args.jsonl {
        jsonl(&checker, std::io::BufReader::new(input), &args)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    std::io::BufReader::new(input)
        .read_to_string(&mut text)
        .context("the input is not valid UTF-8 text")?;
    let draft = draft(&text, &args);
    let report = checker.check(&draft);
    let mut out = std::io::stdout().lock();
    if args.redact {
        let hits = checker.phi().detect(&text, &draft.author);
        write!(out, "{}", checker.phi().redact(&text, &hits))?;
    } else if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print_readable(&mut out, &text, &report, color)?;
    }
    Ok(exit_code(&report))
}

fn draft<'a>(text: &'a str, args: &CheckArgs) -> Draft<'a> {
    let mut d = Draft::new(text);
    d.kind = args.kind.into();
    d.target_grade = args.target_grade;
    d.author.names = args.authors.clone();
    d.declared_companies = args.declared.clone();
    d
}

/// Strings from an optional JSON array field of a JSONL line.
fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The id of a line that is not valid JSON, when it can still be read (`{"id": "a", "text": …`),
/// so the error line can be matched to its input.
fn salvage_id(bytes: &[u8]) -> Value {
    let line = String::from_utf8_lossy(bytes);
    let Some(at) = line.find("\"id\"") else {
        return Value::Null;
    };
    let rest = line[at + 4..].trim_start();
    let Some(rest) = rest.strip_prefix(':') else {
        return Value::Null;
    };
    let rest = rest.trim_start();
    // A string id (with escapes) or a number.
    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    match de.next() {
        Some(Ok(v @ (Value::String(_) | Value::Number(_)))) => v,
        _ => Value::Null,
    }
}

/// 0 clean, 1 warnings, 2 blocked.
pub fn exit_code(report: &Report) -> ExitCode {
    if report.is_blocked() {
        ExitCode::from(2)
    } else if report.has_warnings() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One output line per input line, in order, with constant memory: each line is read, checked,
/// written and dropped.
fn jsonl(checker: &Checker, input: impl BufRead, args: &CheckArgs) -> anyhow::Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (n, line) in input.split(b'\n').enumerate() {
        let bytes = line.context("reading the input")?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let answer = match check_line(checker, &bytes, args) {
            Ok(v) => v,
            Err((id, message)) => json!({"id": id, "error": format!("line {}: {message}", n + 1)}),
        };
        serde_json::to_writer(&mut out, &answer)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn check_line(checker: &Checker, bytes: &[u8], args: &CheckArgs) -> Result<Value, (Value, String)> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| (salvage_id(bytes), format!("not valid JSON ({e})")))?;
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let text = value
        .get("text")
        .and_then(Value::as_str)
        .ok_or_else(|| (id.clone(), "missing \"text\" (a string)".to_string()))?;
    let mut d = draft(text, args);
    d.author.names.extend(strings(&value, "author"));
    d.declared_companies.extend(strings(&value, "declared"));
    let report = checker.check(&d);
    Ok(json!({"id": id, "report": report}))
}

fn print_readable(
    out: &mut impl Write,
    text: &str,
    report: &Report,
    color: bool,
) -> std::io::Result<()> {
    let (bold, red, yellow, cyan, reset) = if color {
        ("\x1b[1m", "\x1b[1;31m", "\x1b[33m", "\x1b[36m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    writeln!(
        out,
        "{bold}Credibility: {} / 100 — {}{reset}",
        report.score, report.label_text
    )?;
    let r = &report.readability;
    writeln!(
        out,
        "Reading grade {:.1} (target {:.0}), reading ease {:.0}, SMOG {:.1}",
        r.flesch_kincaid_grade, r.target_grade, r.flesch_reading_ease, r.smog_index
    )?;
    writeln!(out)?;
    // The text, with flagged passages marked: [[…]] without colour.
    let chars: Vec<char> = text.chars().collect();
    let mut marks: Vec<(usize, usize, &str)> = report
        .findings
        .iter()
        .filter_map(|f| {
            Some((
                f.start?,
                f.end?,
                if f.severity == credence_check::Severity::Block {
                    red
                } else {
                    yellow
                },
            ))
        })
        .collect();
    marks.sort();
    let mut at = 0;
    for (s, e, c) in marks {
        if s < at || e > chars.len() {
            continue;
        }
        let (open, close) = if color { (c, reset) } else { ("[[", "]]") };
        write!(
            out,
            "{}{open}{}{close}",
            chars[at..s].iter().collect::<String>(),
            chars[s..e].iter().collect::<String>()
        )?;
        at = e;
    }
    writeln!(out, "{}", chars[at..].iter().collect::<String>())?;
    writeln!(out)?;
    if report.findings.is_empty() {
        writeln!(out, "No findings.")?;
    }
    for f in &report.findings {
        let sev = format!("{:?}", f.severity).to_uppercase();
        let c = if f.severity == credence_check::Severity::Block {
            red
        } else if f.severity == credence_check::Severity::Warning {
            yellow
        } else {
            cyan
        };
        let quote = match (f.start, f.end) {
            (Some(s), Some(e)) if e <= chars.len() => {
                format!(" “{}”", chars[s..e].iter().take(80).collect::<String>())
            }
            _ => String::new(),
        };
        writeln!(out, "{c}{sev:<7}{reset} {:?}{quote}: {}", f.kind, f.message)?;
        if let Some(s) = &f.suggestion {
            writeln!(out, "        → {s}")?;
        }
    }
    if !report.citations.is_empty() {
        writeln!(out, "\n{bold}Sources{reset}")?;
        for c in &report.citations {
            let tier = c.tier.map_or("ungraded".to_string(), |t| {
                format!("tier {t} ({})", c.tier_name.clone().unwrap_or_default())
            });
            writeln!(out, "  {:?} {} — {tier}", c.kind, c.value)?;
        }
    }
    Ok(())
}
