"""Re-anchoring bench: scripted corrections of the seed captures, with claims
whose true new place is known because the bench makes the edits itself.

    python bench/reanchor.py

Prints, per scenario, how many claims were kept in place, moved, changed or
orphaned, and how many were placed WRONG (the new span misses the quote's
true new location, or a claim whose text is gone was placed anywhere).
Then times ``reanchor_all`` on 1,000 claims in a 25,000-character document.
Exits 1 if any placement is wrong. Needs no database.
"""

import random
import re
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.text.anchoring import (  # noqa: E402
    Outcome,
    QuoteAmbiguous,
    QuoteNotFound,
    find_quote,
    occurrences,
    reanchor,
    reanchor_all,
    selector_for,
)

CAPTURES = ROOT / "fixtures" / "captures"
SEED_FILE = ROOT / "fixtures" / "seed.toml"
LOOK_ALIKE = "This is what the Resistance is."

# Used when fixtures/seed.toml has no claims. (document, quote)
BUILT_IN_CLAIMS = [
    ("000", "Khamenei's tone in the speech was notably defensive"),
    ("000", "Khamenei had previously vowed to take revenge for Soleimani's assassination"),
    ("000", "emphasizing that Syrian youth would resist foreign occupiers in the country"),
    ("001", "what has taken place in Syria is the product of a joint US-Israeli plot"),
    ("001", "The Zionist regime, according to reports, has bombed over 300 locations in Syria"),
    ("001", "Iran is strong and powerful and it will become even more powerful"),
    ("001", "Hezbollah stood firm and with great strength forced them to request a ceasefire."),
    (
        "002",
        "We were defeated and defeated very badly, we took a very big blow, and it’s been very difficult.",
    ),
    ("002", "We can activate all the networks we have worked with over the years."),
    ("002", "calling it “illegal” and contrary to Iraq's interests"),
    ("003", "This ugly crime backfired on those who committed it"),
    ("003", "will bring ultimate defeat for the United States in the region."),
    ("003", "the expulsion of American forces from the region can be revenge for General Soleimani’s blood."),
    ("004", "The Resistance is Syria’s prominent character & this important feature must be protected"),
    (
        "004",
        "We must overcome these circumstances by increasing cooperation and ensuring it is well-organized",
    ),
    ("004", "There were numerous shortcomings during this summit with regards to Palestine and Gaza"),
]


def reading_texts():
    try:
        from archive.text.capture import clean
    except ImportError:  # the cleaner is not there: the raw captures stand in
        clean = None
    texts = {}
    for path in sorted(CAPTURES.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        texts[path.name[:3]] = clean(raw).text if clean else raw
    return texts


def seed_claims():
    if SEED_FILE.exists():
        entries = tomllib.loads(SEED_FILE.read_text(encoding="utf-8")).get("claims", [])
        if entries:
            return [
                (e["document"], e["quote"], e.get("prefix", ""), e.get("suffix", "")) for e in entries
            ], "seed.toml"
    return [(d, q, "", "") for d, q in BUILT_IN_CLAIMS], "built-in list"


@dataclass(frozen=True)
class Claim:
    document: str
    start: int
    end: int


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str


def apply(text, edits):
    """Apply non-overlapping edits; return the new text and an offset mapper."""
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    pieces, position = [], 0
    for edit in edits:
        assert edit.start >= position, "bench edits overlap"
        pieces += [text[position : edit.start], edit.replacement]
        position = edit.end
    pieces.append(text[position:])

    def locate(start, end):
        """True new span of old [start, end), and whether its text is gone.
        Text inserted exactly at a boundary lies outside the claim."""
        shift, new_start = 0, None
        for edit in edits:
            if edit.end <= start:
                shift += len(edit.replacement) - (edit.end - edit.start)
            elif edit.start <= start:
                new_start = edit.start + shift
                break
            else:
                break
        new_start = start + shift if new_start is None else new_start
        shift, new_end = 0, None
        for edit in edits:
            if edit.end < end or (edit.end == end and edit.start < end):
                shift += len(edit.replacement) - (edit.end - edit.start)
            elif edit.start < end:
                new_end = edit.start + shift + len(edit.replacement)
                break
            else:
                break
        new_end = end + shift if new_end is None else new_end
        gone = any(e.start <= start and end <= e.end and e.end > e.start and not e.replacement for e in edits)
        return new_start, new_end, gone or new_end <= new_start

    return "".join(pieces), locate


def touches(edit, claim):
    return edit.start < claim.end and claim.start < edit.end or claim.start < edit.start < claim.end


def words_outside(text, claims, rng, count):
    spans = [m.span() for m in re.finditer(r"[A-Za-z]{5,}", text)]
    free = [s for s in spans if not any(c.start <= s[1] and s[0] <= c.end for c in claims)]
    return sorted(rng.sample(free, min(count, len(free))))


# --- scenarios: (doc text, claims on it, rng) -> edits -------------------------


def typo_fixes(text, claims, rng):
    edits = [Edit(s + 2, s + 2, text[s + 2]) for s, _e in words_outside(text, claims, rng, 3)]
    for wrong, right in (
        ("\nhile acknowledging", "\nWhile acknowledging"),
        ("of the of the late", "of the late"),
    ):
        if wrong in text:
            at = text.index(wrong)
            edits.append(Edit(at, at + len(wrong), right))
    return dedupe(edits)


def boilerplate_removed(text, claims, rng):
    edits = []
    for line in (
        "January 09, 2025\n12:26 PM\n",
        "04 January 2025 13:21\n\n",
        "\n\nThis item is being updated.\n",
    ):
        if line in text:
            at = text.index(line)
            edits.append(Edit(at, at + len(line), ""))
    first_break = text.find("\n")
    if not edits and first_break > 0:  # drop the heading line instead
        edits.append(Edit(0, first_break + 1, ""))
    return [e for e in edits if not any(touches(e, c) for c in claims)]


def paragraphs_inserted(text, claims, rng):
    breaks = [m.end() for m in re.finditer(r"\n\n", text)]
    breaks = [b for b in breaks if not any(c.start < b < c.end for c in claims)]
    note = "Editor's note: this passage was checked against the original broadcast on 6 January.\n\n"
    chosen = sorted({breaks[0], breaks[len(breaks) // 2]}) if breaks else [0]
    return [Edit(b, b, note) for b in chosen]


def _middle_word(text, claim):
    words = list(re.compile(r"[A-Za-z]{4,}").finditer(text, claim.start, claim.end))
    return words[len(words) // 2] if words else None


def claim_reworded(text, claims, rng):
    edits = []
    for claim in claims[:2]:
        word = _middle_word(text, claim)
        if word:
            edits.append(Edit(word.end(), word.end(), " indeed"))
    return dedupe(edits)


def claim_deleted(text, claims, rng):
    claim = max(claims, key=lambda c: c.end - c.start)
    end = claim.end + 1 if text[claim.end : claim.end + 1] == " " else claim.end
    return [Edit(claim.start, end, "")]


def look_alike_deleted(text, claims, rng):
    if text.count(LOOK_ALIKE) < 2:
        return []
    second = occurrences(text, LOOK_ALIKE)[1]
    return [Edit(second - 1, second + len(LOOK_ALIKE), "")]


def look_alikes_inserted(text, claims, rng):
    quotes = " ".join(f"“{text[c.start : c.end]}”" for c in claims)
    at = text.find("\n\n")
    at = 0 if at == -1 else at + 2
    return [Edit(at, at, f"Quoted in this piece: {quotes}\n\n")]


def renormalised(text, claims, rng):
    """A re-clean: typographic apostrophes made straight everywhere."""
    return [Edit(m.start(), m.end(), "'") for m in re.finditer("’", text)]


def everything(text, claims, rng):
    edits = []
    for scenario in (
        typo_fixes,
        paragraphs_inserted,
        claim_reworded,
        look_alikes_inserted,
        look_alike_deleted,
    ):
        for edit in scenario(text, claims, rng):
            if all(edit.end < e.start or e.end < edit.start for e in edits):
                edits.append(edit)
    return edits


def dedupe(edits):
    kept = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if not kept or kept[-1].end < edit.start:
            kept.append(edit)
    return kept


SCENARIOS = [
    ("typo fixes outside claims", typo_fixes),
    ("boilerplate line removed", boilerplate_removed),
    ("paragraphs inserted", paragraphs_inserted),
    ("claimed sentence reworded", claim_reworded),
    ("claimed sentence deleted", claim_deleted),
    ("look-alike of a claim deleted", look_alike_deleted),
    ("copies of every quote inserted", look_alikes_inserted),
    ("apostrophes normalised", renormalised),
    ("all of the above at once", everything),
]
COLUMNS = ("claims", "kept", "moved", "changed", "orphaned: gone", "orphaned: still there", "WRONG")


def judge(result, truth_start, truth_end, gone, new_text, quote):
    if result.outcome is Outcome.ORPHANED:
        return "orphaned: gone" if gone else "orphaned: still there"
    span = (result.selector.start, result.selector.end)
    if gone or not (span[0] < truth_end and truth_start < span[1]):
        return "WRONG"
    if result.outcome is not Outcome.CHANGED and span != (truth_start, truth_end):
        return "WRONG"
    return result.outcome.value


def run_scenarios(texts, claims_by_doc, *, with_old_text):
    rows = []
    wrong_examples = []
    for name, scenario in SCENARIOS:
        counts = dict.fromkeys(COLUMNS, 0)
        for number, text in texts.items():
            claims = claims_by_doc.get(number, [])
            if not claims:
                continue
            rng = random.Random(f"{name}-{number}")
            new_text, locate = apply(text, scenario(text, claims, rng))
            selectors = [selector_for(text, c.start, c.end) for c in claims]
            if with_old_text:
                results = reanchor_all(selectors, text, new_text)
            else:
                results = [reanchor(s, new_text) for s in selectors]
            for claim, selector, result in zip(claims, selectors, results, strict=True):
                verdict = judge(result, *locate(claim.start, claim.end), new_text, selector.quote)
                counts[verdict] += 1
                counts["claims"] += 1
                if verdict == "WRONG":
                    wrong_examples.append((name, number, selector.quote[:50], result.reason))
        rows.append((name, counts))
    return rows, wrong_examples


def print_table(title, rows):
    print(f"\n{title}\n")
    width = max(len(name) for name, _ in rows) + 2
    print("scenario".ljust(width) + "".join(c.rjust(len(c) + 3) for c in COLUMNS))
    totals = dict.fromkeys(COLUMNS, 0)
    for name, counts in rows:
        print(name.ljust(width) + "".join(str(counts[c]).rjust(len(c) + 3) for c in COLUMNS))
        for c in COLUMNS:
            totals[c] += counts[c]
    print("TOTAL".ljust(width) + "".join(str(totals[c]).rjust(len(c) + 3) for c in COLUMNS))
    return totals


def timing(texts):
    text = texts["001"]
    sentences = [m.span() for m in re.finditer(r"[A-Z][^.!?\n]{10,}[.!?]", text)]
    rng = random.Random(1000)
    selectors = [selector_for(text, *rng.choice(sentences)) for _ in range(1000)]
    middle = text.index(" ", len(text) // 2)
    new_text = text[:middle] + " really" + text[middle:]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        results = reanchor_all(selectors, text, new_text)
        best = min(best, time.perf_counter() - started)
    outcomes = {o: sum(r.outcome is o for r in results) for o in Outcome}
    print(
        f"\nTiming: reanchor_all, {len(selectors)} claims on seed 001 ({len(text):,} characters), "
        "one word inserted mid-text"
    )
    print(
        f"  best of 5: {best * 1000:.1f} ms   outcomes: "
        + ", ".join(f"{o.value} {n}" for o, n in outcomes.items())
    )
    return best


def main():
    texts = reading_texts()
    entries, origin = seed_claims()
    claims_by_doc = {}
    skipped = []
    for number, quote, prefix, suffix in entries:
        try:
            selector = find_quote(texts[number], quote, prefix, suffix)
        except (QuoteNotFound, QuoteAmbiguous, KeyError) as error:
            skipped.append(f"{number}: {error}")
            continue
        claims_by_doc.setdefault(number, []).append(Claim(number, selector.start, selector.end))
    # Probes for the look-alike rule: both occurrences of a repeated sentence.
    for start in occurrences(texts["001"], LOOK_ALIKE):
        claims_by_doc.setdefault("001", []).append(Claim("001", start, start + len(LOOK_ALIKE)))
    total = sum(len(c) for c in claims_by_doc.values())
    print(
        f"Re-anchoring bench: {total} claims ({origin}, plus {len(occurrences(texts['001'], LOOK_ALIKE))} "
        f"look-alike probes) on {len(texts)} documents"
    )
    for note in skipped:
        print(f"  skipped claim {note}")

    rows, wrong = run_scenarios(texts, claims_by_doc, with_old_text=True)
    totals = print_table("With the old text (the correction page's case: one diff, reanchor_all)", rows)
    rows_blind, wrong_blind = run_scenarios(texts, claims_by_doc, with_old_text=False)
    totals_blind = print_table("Without the old text (old offsets only a hint, reanchor)", rows_blind)
    for name, number, quote, reason in wrong + wrong_blind:
        print(f"  WRONG in “{name}”, document {number}: “{quote}…” — {reason}")

    timing(texts)
    failures = totals["WRONG"] + totals_blind["WRONG"]
    print(f"\nWrong placements: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
