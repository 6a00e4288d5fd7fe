//! `credence check` as a user and as the evaluation harness run it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use super::stdout;

fn check(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credence"))
        .arg("check")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The process may stop reading early on an error; a broken pipe is expected then.
    child.stdin.take().unwrap().write_all(stdin).ok();
    child.wait_with_output().unwrap()
}

#[test]
fn exit_codes_follow_the_verdict() {
    let clean = check(&[], b"Wash your hands before meals.");
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let warning = check(&[], b"This miracle detox cure works 100% of the time!!!");
    assert_eq!(warning.status.code(), Some(1), "{}", stdout(&warning));
    let blocked = check(
        &[],
        b"My patient Jane Doe, MRN 448812, was admitted on 03/14/2024.",
    );
    assert_eq!(blocked.status.code(), Some(2));
    let out = stdout(&blocked);
    assert!(
        out.contains("Blocked: contains PHI") && out.contains("[[448812]]"),
        "{out}"
    );
}

#[test]
fn json_report_has_the_documented_fields() {
    let text = "Ánh 🙏 my mom Ánh Nguyen is 97. Vaccines cause autism. See PMID 12345678.";
    let o = check(&["--json"], text.as_bytes());
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "score",
        "label",
        "findings",
        "phi",
        "citations",
        "myths",
        "readability",
    ] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    let chars: Vec<char> = text.chars().collect();
    for p in report["phi"].as_array().unwrap() {
        let (s, e) = (
            p["start"].as_u64().unwrap() as usize,
            p["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            p["text"].as_str().unwrap(),
            "code-point offsets"
        );
    }
    assert!(report["phi"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["label"] == "AGE_OVER_89"));
    assert_eq!(report["myths"][0]["id"], "vaccines-cause-autism");
    assert!(report["myths"][0]["sources"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
    assert_eq!(report["citations"][0]["kind"], "pmid");
    assert_eq!(report["citations"][0]["tier"], 1);
    assert!(report["readability"]["flesch_kincaid_grade"].is_number());
}

#[test]
fn redact_replaces_phi_with_labels() {
    let o = check(&["--redact"], b"Call my daughter Maria at (312) 555-0142.");
    let out = stdout(&o);
    assert!(out.contains("[NAME]") && out.contains("[PHONE]"), "{out}");
    assert!(!out.contains("555-0142") && !out.contains("Maria"));
}

#[test]
fn jsonl_streams_in_order_and_survives_bad_lines() {
    let input = concat!(
        "{\"id\": \"a\", \"text\": \"Pt John Smith, DOB 01/02/1950.\"}\n",
        "this is not json\n",
        "{\"id\": \"broken\", \"text\": \"unterminated\n",
        "{\"id\": 7, \"text\": \"Drink water.\"}\n",
        "\n",
        "{\"id\": \"no-text\"}\n",
        "{\"id\": \"emoji\", \"text\": \"\\u202e\\u0000 🙂🙂 \u{200f}שלום\"}\n",
    );
    let o = check(&["--jsonl"], input.as_bytes());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "one line per non-blank input line");
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[0]["report"]["phi"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["text"] == "John Smith"));
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    assert_eq!(
        lines[2]["id"], "broken",
        "the id of a broken line is recovered when possible"
    );
    assert!(lines[2]["error"].as_str().unwrap().contains("line 3"));
    assert_eq!(lines[3]["id"], 7);
    assert!(lines[3]["report"].is_object());
    assert_eq!(lines[4]["id"], "no-text");
    assert!(lines[4]["error"]
        .as_str()
        .unwrap()
        .contains("missing \"text\""));
    assert_eq!(lines[5]["id"], "emoji");
}

#[test]
fn unreadable_input_is_a_clear_error() {
    let o = check(&["/no/such/file.txt"], b"");
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read /no/such/file.txt"));
    let o = check(&[], &[0xff, 0xfe, 0x00]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not valid UTF-8"));
}

#[test]
fn author_and_declared_relationships_are_taken_into_account() {
    let text = b"Cut salt, keep moving. \xe2\x80\x94 Amara Okafor";
    let without: serde_json::Value =
        serde_json::from_slice(&check(&["--json"], text).stdout).unwrap();
    assert!(!without["phi"].as_array().unwrap().is_empty());
    let with: serde_json::Value =
        serde_json::from_slice(&check(&["--json", "--author", "Amara Okafor"], text).stdout)
            .unwrap();
    assert!(with["phi"].as_array().unwrap().is_empty(), "{with}");
    let line = "{\"id\": 1, \"text\": \"Cut salt. \u{2014} Amara Okafor\", \"author\": [\"Amara Okafor\"]}\n";
    let out: serde_json::Value =
        serde_json::from_str(stdout(&check(&["--jsonl"], line.as_bytes())).trim()).unwrap();
    assert!(out["report"]["phi"].as_array().unwrap().is_empty(), "{out}");
}
