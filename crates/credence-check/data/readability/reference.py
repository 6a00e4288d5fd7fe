#!/usr/bin/env python3
"""Self-contained reimplementation of textstat 0.7.13's English readability figures.

Standard library only, plus the data files next to this script:
  cmudict_syllables.tsv  CMUdict syllable counts that differ from the hyphenation fallback
  hyph_en_US.pat         Liang patterns (pyphen 0.18.1's hyph_en_US.dic)
  word_chars.txt         Python's \\w ranges and \\s set (Unicode 14)

The code is written character by character (no regular expressions) so that it maps
one-to-one onto a Rust port; see TEXTSTAT_NOTES.md for the rules in prose.

Usage:
  python3 reference.py                       # evaluate on ../shared/data/readability/dev.jsonl
  python3 reference.py --jsonl FILE.jsonl    # any file with {"text", "textstat": {...}} rows
  python3 reference.py --text "Some text."   # print the figures for one text
"""
import argparse
import bisect
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------- data

def _data_lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line


def load_word_chars():
    starts, ends, spaces = [], [], set()
    for line in _data_lines("word_chars.txt"):
        if line.startswith("SPACE "):
            spaces = {chr(int(h, 16)) for h in line.split()[1:]}
            continue
        a, b = line.split()
        starts.append(int(a, 16))
        ends.append(int(b, 16))
    return starts, ends, frozenset(spaces)


_W_STARTS, _W_ENDS, SPACES = load_word_chars()


def is_word_char(ch):
    """Python re's \\w: Unicode category L* or N*, or '_'."""
    cp = ord(ch)
    if cp < 128:
        return ch.isalnum() or ch == "_"
    i = bisect.bisect_right(_W_STARTS, cp) - 1
    return i >= 0 and cp <= _W_ENDS[i]


def is_space(ch):
    """Python's \\s / str.isspace(): Unicode White_Space plus U+001C..U+001F."""
    return ch in SPACES


def load_syllable_table():
    table = {}
    for line in _data_lines("cmudict_syllables.tsv"):
        word, n = line.split("\t")
        table[word] = int(n)
    return table


class Hyphenator:
    """Liang's algorithm exactly as pyphen 0.18.1 applies it (left=2, right=2)."""

    def __init__(self, left=2, right=2):
        self.left, self.right = left, right
        self.patterns = {}
        for pat in _data_lines("hyph_en_US.pat"):
            letters, values = [], [0]
            for ch in pat:
                if "0" <= ch <= "9":
                    values[-1] = int(ch)
                else:
                    letters.append(ch)
                    values.append(0)
            self.patterns["".join(letters)] = values  # len(values) == len(letters) + 1
        self.maxlen = max(len(k) for k in self.patterns)

    def positions(self, word):
        # pyphen lower-cases again; textstat has already lower-cased the word.
        lw = word.lower()
        pw = "." + lw + "."
        refs = [0] * (len(pw) + 1)
        for i in range(len(pw) - 1):
            for j in range(i + 1, min(i + self.maxlen, len(pw)) + 1):
                vals = self.patterns.get(pw[i:j])
                if vals is None:
                    continue
                for k, v in enumerate(vals):
                    if v > refs[i + k]:
                        refs[i + k] = v
        right = len(word) - self.right
        return [i - 1 for i, r in enumerate(refs) if r % 2 and self.left <= i - 1 <= right]

    def syllables(self, word):
        return len(self.positions(word)) + 1


SYLLABLES = load_syllable_table()
HYPH = Hyphenator()


# ---------------------------------------------------------------------- tokenising

def _contraction_follows(text, i):
    """True if the apostrophe at text[i] is followed by t, s, d, ve, ll or re
    (case-sensitive, looking at the ORIGINAL text)."""
    rest = text[i + 1:i + 3]
    return rest[:1] in ("t", "s", "d") or rest in ("ve", "ll", "re")


def list_words(text):
    """textstat's list_words(text) with defaults: rm_punctuation=True, rm_apostrophe=False.
    Returns the words in original case."""
    words, cur = [], []
    for i, ch in enumerate(text):
        if is_space(ch):
            if cur:
                words.append("".join(cur))
                cur = []
        elif is_word_char(ch):
            cur.append(ch)
        elif ch == "'" and _contraction_follows(text, i):
            cur.append(ch)
        # every other character (punctuation, symbols, emoji, hyphens, other
        # apostrophes, curly quotes, combining marks) is deleted without a break
    if cur:
        words.append("".join(cur))
    return words


def count_sentences(text):
    """re.findall(r"\\b[^.!?]+[.!?]*", text); pieces with <= 2 words are ignored;
    result is max(1, pieces - ignored), or 0 for the empty string."""
    if len(text) == 0:
        return 0
    n = len(text)
    pieces = 0
    ignored = 0
    i = 0
    while True:
        # every match starts at the first word character at or after i
        while i < n and not is_word_char(text[i]):
            i += 1
        if i >= n:
            break
        j = i
        while j < n and text[j] not in ".!?":
            j += 1
        while j < n and text[j] in ".!?":
            j += 1
        pieces += 1
        if len(list_words(text[i:j])) <= 2:
            ignored += 1
        i = j
    return max(1, pieces - ignored)


def word_syllables(word):
    """word: one token from list_words (any case)."""
    w = word.lower()
    n = SYLLABLES.get(w)
    if n is not None:
        return n
    return HYPH.syllables(w)


# ------------------------------------------------------------------------- figures

def figures(text):
    words = list_words(text)
    n_words = len(words)
    n_sent = count_sentences(text)
    per_word = [word_syllables(w) for w in words]
    n_syll = sum(per_word)
    n_poly = sum(1 for s in per_word if s >= 3)

    wps = n_words / n_sent if n_sent else 0.0
    spw = n_syll / n_words if n_words else 0.0
    if wps == 0 or spw == 0:
        fk = 0.0
        fre = 0.0
    else:
        fk = (0.39 * wps) + (11.8 * spw) - 15.59
        fre = 206.835 - 1.015 * wps - 84.6 * spw
    smog = (1.043 * (30 * (n_poly / n_sent)) ** 0.5) + 3.1291 if n_sent else 0.0
    return {
        "flesch_kincaid_grade": fk,
        "flesch_reading_ease": fre,
        "smog_index": smog,
        "syllable_count": n_syll,
        "lexicon_count": n_words,
        "sentence_count": n_sent,
        "polysyllabcount": n_poly,
    }


# ---------------------------------------------------------------------- evaluation

METRICS = ("flesch_kincaid_grade", "flesch_reading_ease", "smog_index")
COUNTS = ("syllable_count", "lexicon_count", "sentence_count", "polysyllabcount")


def evaluate(path, show_worst=5):
    rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    diffs = {m: [] for m in METRICS}
    count_mismatch = {c: 0 for c in COUNTS}
    results = []
    for r in rows:
        f = figures(r["text"])
        ref = r["textstat"]
        for m in METRICS:
            diffs[m].append(abs(f[m] - ref[m]))
        reasons = []
        for c in COUNTS:
            if c in ref and f[c] != ref[c]:
                count_mismatch[c] += 1
                reasons.append(f"{c} {f[c]} vs {ref[c]}")
        results.append((abs(f["flesch_kincaid_grade"] - ref["flesch_kincaid_grade"]),
                        r.get("id", "?"), f, ref, reasons))
    n = len(rows)
    fk = diffs["flesch_kincaid_grade"]
    print(f"{path}: {n} texts")
    print(f"  FK |diff| <= 0.5: {100.0 * sum(d <= 0.5 for d in fk) / n:.1f}%   "
          f"exact (<=1e-9): {100.0 * sum(d <= 1e-9 for d in fk) / n:.1f}%")
    for m in METRICS:
        print(f"  {m}: mean |diff| {sum(diffs[m]) / n:.6f}  max {max(diffs[m]):.6f}")
    print("  texts with a count mismatch: " +
          ", ".join(f"{c} {count_mismatch[c]}" for c in COUNTS))
    results.sort(key=lambda t: -t[0])
    print(f"  worst {show_worst} by FK:")
    for d, rid, f, ref, reasons in results[:show_worst]:
        why = "; ".join(reasons) if reasons else "all counts equal (float rounding only)"
        print(f"    {rid}: FK {f['flesch_kincaid_grade']:.4f} vs {ref['flesch_kincaid_grade']:.4f} "
              f"(|d|={d:.2e}) - {why}")
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonl", action="append")
    ap.add_argument("--text")
    args = ap.parse_args()
    if args.text is not None:
        print(json.dumps(figures(args.text), indent=1))
        return
    paths = args.jsonl or []
    if not paths:
        for cand in ("/work/shared/data/readability/dev.jsonl",
                     os.path.join(HERE, "../../../../../shared/data/readability/dev.jsonl")):
            if os.path.exists(cand):
                paths = [cand]
                break
    for p in paths:
        evaluate(p)


if __name__ == "__main__":
    main()
