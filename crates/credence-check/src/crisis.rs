//! Crisis language: suicidal thoughts and self-harm, overdoses and poisonings, and acute
//! medical emergencies that seem to be happening now.
//!
//! A crisis finding is always [`Severity::Info`]: it never blocks the person. Its message
//! puts help first: the 988 Suicide & Crisis Lifeline (call or text 988), the Crisis Text
//! Line (text HOME to 741741), Poison Control (1-800-222-1222) and 911 or the local
//! emergency number.
//!
//! The phrases and cue words live in `data/crisis.toml` (embedded, parsed once in
//! [`Crisis::new`]); its header documents the rule in full. In short, a phrase is reported
//! only when its sentence says it is about the writer or someone with them, now:
//! * phrases that already speak in the first person or the present ("I want to die", "kill
//!   myself", "my throat is closing") are always reported, unless negated ("I'm not
//!   suicidal", "I don't want to die");
//! * others need a cue in the same sentence: "right now", "tonight", "please help"; or a
//!   present-tense first-person lead-in just before the phrase ("I'm having crushing chest
//!   pain", "my dad is having a stroke"); or a first-person word ("I", "me", "my", "we")
//!   when the sentence does not read as education ("signs of a heart attack include chest
//!   pain"), a hypothetical ("if you have chest pain, call 911") or, for overdoses and
//!   emergencies, the past ("two years ago").
//!
//! So "Signs of a heart attack include chest pain", "If you have chest pain, call 911",
//! "September is suicide prevention month" and "988 is the crisis line" are not flagged.

use crate::style::text::{self, PhraseSet};
use crate::{Finding, FindingKind, Severity, Span};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

const CRISIS_TOML: &str = include_str!("../data/crisis.toml");

/// Detects crisis language and answers it with resources.
pub struct Crisis {
    set: PhraseSet,
    signals: Vec<Signal>,
    advice: HashMap<String, Advice>,
    rules: Rules,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrisisFile {
    rules: RulesFile,
    category: HashMap<String, Advice>,
    signal: Vec<SignalFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    weak_cues: Vec<String>,
    present_cues: Vec<String>,
    conditionals: Vec<String>,
    now_cues: Vec<String>,
    past_cues: Vec<String>,
    guards: Vec<String>,
    negators: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advice {
    message: String,
    suggestion: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalFile {
    category: String,
    #[serde(default)]
    fires_alone: bool,
    #[serde(default)]
    needs: Option<String>,
    #[serde(default)]
    unless_after: Vec<String>,
    terms: Vec<String>,
}

struct Signal {
    category: String,
    fires_alone: bool,
    needs_strong: bool,
    unless_after: HashSet<String>,
}

/// A phrase as a sequence of folded words.
type Phrase = Vec<String>;

struct Rules {
    weak_cues: HashSet<String>,
    present_cues: Vec<Phrase>,
    conditionals: Vec<Phrase>,
    now_cues: Vec<Phrase>,
    past_cues: Vec<Phrase>,
    guards: Vec<Phrase>,
    negators: Vec<Phrase>,
}

const SELF_HARM: &str = "self_harm";

impl Default for Crisis {
    fn default() -> Self {
        Crisis::new()
    }
}

impl Crisis {
    /// Parses the embedded phrase list and builds the matcher.
    ///
    /// Panics only if the embedded data file is malformed, which the unit tests rule out.
    pub fn new() -> Crisis {
        let file: CrisisFile = toml::from_str(CRISIS_TOML).expect("data/crisis.toml is valid");
        for s in &file.signal {
            assert!(
                file.category.contains_key(&s.category),
                "crisis.toml: unknown category {}",
                s.category
            );
            assert!(
                s.needs.as_deref().is_none_or(|n| n == "strong"),
                "crisis.toml: `needs` must be \"strong\""
            );
        }
        let set = PhraseSet::new(
            file.signal
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.terms.iter().map(move |t| (t.clone(), i))),
        );
        let phrases = |list: &[String]| -> Vec<Phrase> {
            list.iter()
                .map(|p| words(p))
                .filter(|p| !p.is_empty())
                .collect()
        };
        let r = &file.rules;
        let rules = Rules {
            weak_cues: r.weak_cues.iter().map(|w| text::fold(w)).collect(),
            present_cues: phrases(&r.present_cues),
            conditionals: phrases(&r.conditionals),
            now_cues: phrases(&r.now_cues),
            past_cues: phrases(&r.past_cues),
            guards: phrases(&r.guards),
            negators: phrases(&r.negators),
        };
        let signals = file
            .signal
            .into_iter()
            .map(|s| Signal {
                category: s.category,
                fires_alone: s.fires_alone,
                needs_strong: s.needs.is_some(),
                unless_after: s.unless_after.iter().map(|w| text::fold(w)).collect(),
            })
            .collect();
        Crisis {
            set,
            signals,
            advice: file.category,
            rules,
        }
    }

    /// Crisis findings for `text`, in text order; at most one per category per sentence.
    pub fn check(&self, text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut reported: HashSet<(&str, usize)> = HashSet::new();
        for hit in self
            .set
            .find(text.as_bytes(), |s, e| text::is_whole_word(text, s, e))
        {
            let signal = &self.signals[hit.entry];
            let (sentence_start, sentence_end) = text::sentence_around(text, hit.start, hit.end);
            if reported.contains(&(signal.category.as_str(), sentence_start)) {
                continue;
            }
            let Some(sentence) =
                Sentence::new(text, sentence_start, sentence_end, hit.start, hit.end)
            else {
                continue;
            };
            if !self.applies(signal, &sentence) {
                continue;
            }
            reported.insert((signal.category.as_str(), sentence_start));
            let advice = &self.advice[&signal.category];
            out.push(Finding {
                kind: FindingKind::Crisis,
                severity: Severity::Info,
                span: Some(Span::new(hit.start, hit.end)),
                message: advice.message.clone(),
                suggestion: Some(advice.suggestion.clone()),
            });
        }
        out
    }

    /// The rule documented in data/crisis.toml, steps 1 to 9.
    fn applies(&self, signal: &Signal, s: &Sentence) -> bool {
        let r = &self.rules;
        let before = s.before();
        // 1. negated, or an excluded next word
        let near_start = before.len().saturating_sub(2);
        if r.negators
            .iter()
            .any(|n| ends_at_or_after(before, n, near_start))
        {
            return false;
        }
        if s.after()
            .first()
            .is_some_and(|w| signal.unless_after.contains(w))
        {
            return false;
        }
        // 2. the phrase speaks for itself
        if signal.fires_alone {
            return true;
        }
        // 3. happening now
        if r.now_cues.iter().any(|c| contains(&s.words, c)) {
            return true;
        }
        // 4. a hypothetical or an instruction
        if r.conditionals.iter().any(|c| contains(before, c)) {
            return false;
        }
        // 5. a present-tense lead-in just before the phrase
        let first = s.match_first;
        let lead_in = r
            .present_cues
            .iter()
            .any(|c| occurrences(&s.words, c).any(|p| p < first && p + 3 >= first));
        if lead_in {
            return true;
        }
        // 6. phrases too common to go on weaker evidence
        if signal.needs_strong {
            return false;
        }
        // 7. a past event (self-harm is answered even when told in the past)
        if signal.category != SELF_HARM && r.past_cues.iter().any(|c| contains(&s.words, c)) {
            return false;
        }
        // 8. education or description, or a condition after the phrase ("... when I run")
        if r.guards.iter().any(|c| contains(&s.words, c))
            || r.conditionals.iter().any(|c| contains(s.after(), c))
        {
            return false;
        }
        // 9. about the writer or someone with them
        before
            .iter()
            .chain(s.after())
            .any(|w| r.weak_cues.contains(w))
    }
}

/// The folded words of a sentence and where the matched phrase sits among them.
struct Sentence {
    words: Vec<String>,
    /// Index of the first word of the match.
    match_first: usize,
    /// Index just past the last word of the match.
    match_end: usize,
}

impl Sentence {
    fn new(text: &str, start: usize, end: usize, m_start: usize, m_end: usize) -> Option<Sentence> {
        let slice = text.get(start..end)?;
        let mut words = Vec::new();
        let mut match_first = None;
        let mut match_end = 0;
        for (ws, we) in text::tokens(slice) {
            let (ws, we) = (ws + start, we + start);
            if ws >= m_start && we <= m_end {
                match_first.get_or_insert(words.len());
                match_end = words.len() + 1;
            }
            words.push(text::fold(text.get(ws..we)?));
        }
        let match_first = match_first?;
        Some(Sentence {
            words,
            match_first,
            match_end: match_end.max(match_first),
        })
    }

    fn before(&self) -> &[String] {
        &self.words[..self.match_first]
    }

    fn after(&self) -> &[String] {
        &self.words[self.match_end..]
    }
}

/// The folded words of a phrase from the data file.
fn words(phrase: &str) -> Phrase {
    text::tokens(phrase)
        .into_iter()
        .map(|(s, e)| text::fold(&phrase[s..e]))
        .collect()
}

/// Start indices where `phrase` occurs in `words`.
fn occurrences<'a>(words: &'a [String], phrase: &'a [String]) -> impl Iterator<Item = usize> + 'a {
    let n = phrase.len();
    (0..(words.len() + 1).saturating_sub(n)).filter(move |&i| n > 0 && words[i..i + n] == *phrase)
}

fn contains(words: &[String], phrase: &[String]) -> bool {
    occurrences(words, phrase).next().is_some()
}

/// `phrase` occurs in `words` ending at index `from` or later.
fn ends_at_or_after(words: &[String], phrase: &[String], from: usize) -> bool {
    occurrences(words, phrase).any(|p| p + phrase.len() > from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crisis() -> Crisis {
        Crisis::new()
    }

    fn spans(text: &str) -> Vec<String> {
        crisis()
            .check(text)
            .iter()
            .map(|f| f.span.unwrap().text(text).to_string())
            .collect()
    }

    fn flagged(text: &str) -> bool {
        !crisis().check(text).is_empty()
    }

    #[test]
    fn data_parses() {
        let c = crisis();
        assert!(c.signals.len() >= 5);
        for cat in ["self_harm", "overdose", "emergency"] {
            assert!(c.advice.contains_key(cat));
        }
    }

    #[test]
    fn suicidal_language_gets_988() {
        let text = "I want to die. Honestly I just want to end it all.";
        assert_eq!(spans(text), vec!["I want to die", "want to end it all"]);
        let f = &crisis().check(text)[0];
        assert_eq!(f.kind, FindingKind::Crisis);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.message.contains("988"));
        assert!(f.message.contains("741741"));
        assert!(f.message.contains("911"));
        assert!(f.suggestion.is_some());
    }

    #[test]
    fn self_harm_positives() {
        for t in [
            "sometimes I think about how I could kill myself",
            "I feel like there is no reason to live",
            "I'm suicidal and tired",
            "I\u{2019}ve been feeling suicidal for weeks",
            "I've been cutting myself again",
            "I keep hurting myself on purpose",
            "everyone would be better off without me",
            "honestly i wanna die",
            "I don't want to kill myself but I think about it",
        ] {
            assert!(flagged(t), "{t}");
        }
    }

    #[test]
    fn self_harm_negatives() {
        for t in [
            "September is suicide prevention month.",
            "988 is the crisis line; call or text it any time.",
            "I'm not suicidal, just exhausted.",
            "I don't want to die without seeing my grandkids.",
            "I want to die peacefully at home when I'm 95.",
            "I cut myself shaving this morning.",
            "Cutting myself some slack this week.",
            "Warning signs of suicide include talking about wanting to die.",
            "Patients with suicidal thoughts need a safety plan.",
            "I'm going to kill myself laughing at this.",
        ] {
            assert!(!flagged(t), "{t}");
        }
    }

    #[test]
    fn overdose_gets_poison_control() {
        let text = "I took too many pills and feel weird";
        assert_eq!(spans(text), vec!["I took too many pills"]);
        assert!(crisis().check(text)[0].message.contains("1-800-222-1222"));
        assert!(flagged("My toddler swallowed some pills from my bag"));
        assert!(flagged("I think he OD'd"));
        assert!(flagged("my brother overdosed, what do I do"));
        assert!(!flagged("My brother overdosed two years ago and survived."));
        assert!(!flagged(
            "If someone took too many pills, call Poison Control."
        ));
        assert!(!flagged("Overdosed patients need naloxone."));
    }

    #[test]
    fn emergencies_happening_now() {
        for t in [
            "I have chest pain right now",
            "I'm having crushing chest pain and my arm hurts",
            "crushing chest pain, please help",
            "My dad is having a stroke, his face is drooping",
            "help, I can't breathe",
            "my throat is closing after eating shrimp",
            "I passed out and hit my head",
            "my son is not breathing",
            "I think I'm having a severe allergic reaction",
            "My chest has been tight all evening and my left arm feels numb right now",
            "I can't sleep, I can't eat, and I just want it all to end.",
        ] {
            assert!(flagged(t), "{t}");
        }
        let f = &crisis().check("my throat is closing")[0];
        assert!(f.message.contains("911"));
    }

    #[test]
    fn educational_emergency_text_is_not_flagged() {
        for t in [
            "Signs of a heart attack include chest pain.",
            "If you have chest pain, call 911.",
            "Signs of stroke include face drooping and slurred speech.",
            "Call 911 if someone has a severe allergic reaction.",
            "Chest pain is the most common symptom in our clinic.",
            "I had chest pain last year after a virus.",
            "I can't breathe through my nose since the cold.",
            "Unconscious bias affects care.",
            "When I teach CPR, I say: if the person is unresponsive, start compressions.",
            "Anaphylaxis can be fatal within minutes.",
            "I'm not having chest pain anymore.",
            "My chest feels tight when I run in cold air.",
        ] {
            assert!(!flagged(t), "{t}");
        }
    }

    #[test]
    fn one_finding_per_category_per_sentence() {
        let text = "I want to die, I want to kill myself. I took too many pills.";
        let f = crisis().check(text);
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("988"));
        assert!(f[1].message.contains("Poison Control"));
    }

    #[test]
    fn never_panics() {
        let c = crisis();
        let long = "I want to die. ".repeat(3000);
        for t in [
            "",
            "\u{0}",
            "i",
            "want to die",
            "😀want to die😀",
            "\u{202E}I want to die\u{202C}",
            "أريد أن I want to die",
            "I want to d\u{301}ie",
            "...!!!???\n\n\r",
            long.as_str(),
        ] {
            for f in c.check(t) {
                let s = f.span.unwrap();
                assert!(t.get(s.start..s.end).is_some());
                assert_eq!(f.severity, Severity::Info);
            }
        }
    }

    #[test]
    fn phrase_helpers() {
        let w = words("I am having it");
        assert_eq!(w, vec!["i", "am", "having", "it"]);
        assert_eq!(
            occurrences(&w, &words("am having")).collect::<Vec<_>>(),
            vec![1]
        );
        assert!(!contains(&w, &words("having a")));
        assert!(ends_at_or_after(&w, &words("i am"), 1));
        assert!(!ends_at_or_after(&w, &words("i am"), 2));
    }
}
