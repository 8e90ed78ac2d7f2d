"""Re-anchoring bench: scripted corrections of the seed captures, with claims
whose true new place is known because the bench makes the edits itself.

    python bench/reanchor.py

Two populations of claims are followed through every correction: the seed
claims (fixtures/seed.toml, plus two probes on a repeated sentence) and short
claims of one, two and three words at every position of every text. Prints,
per scenario, how many claims were kept in place, moved, changed or orphaned,
and how many were placed WRONG: the new span misses the passage's true new
location (or a claim whose text is gone was placed anywhere), or it starts or
ends inside a word where the claim did not. Then times ``reanchor_all`` on
1,000 claims in the 25,000-character seed 001, after a one-word insertion and
after a whole-text normalisation (every ’ straightened). Exits 1 if any
placement is wrong or the normalisation takes a second or more. Needs no
database.
"""

import random
import re
import sys
import time
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.text.anchoring import (  # noqa: E402
    Outcome,
    QuoteAmbiguous,
    QuoteNotFound,
    clear_caches,
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


# The seeds have a single accented letter ("Türkiye"), so the Unicode-form
# scenarios also run on this synthetic sample, written for the bench.
ACCENTED_SAMPLE = (
    "Türkiye’s foreign minister Hakan Fidan met his Iranian counterpart in Ankara on Monday. "
    "“Türkiye will not accept a divided Syria,” Fidan told reporters after the meeting.\n\n"
    "In Paris, Élysée officials said the president had spoken with Recep Tayyip Erdoğan about the "
    "ceasefire. The Élysée statement, issued after a café meeting of advisers, did not mention "
    "Hezbollah; one adviser called the omission naïve.\n\n"
    "Şanlıurfa, Gaziantep and Kilis host most of the refugees who fled Aleppo. Officials in "
    "Gaziantep said the crossings at Öncüpınar and Cilvegözü would reopen once Türkiye’s "
    "engineers had inspected the roads.\n\n"
    "Iranian media quoted the speaker of parliament as saying that Tehran’s “axis of resistance” "
    "remained intact, and a banner in Persian read «مُقاوَمَت» (resistance) in full vowel signs."
)
ACCENTED_CLAIMS = [
    ("900", "“Türkiye will not accept a divided Syria,” Fidan told reporters", "", ""),
    ("900", "the crossings at Öncüpınar and Cilvegözü would reopen", "", ""),
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
    texts["900"] = ACCENTED_SAMPLE
    return texts


def seed_claims():
    if SEED_FILE.exists():
        entries = tomllib.loads(SEED_FILE.read_text(encoding="utf-8")).get("claims", [])
        if entries:
            return [
                (e["document"], e["quote"], e.get("prefix", ""), e.get("suffix", "")) for e in entries
            ] + ACCENTED_CLAIMS, "seed.toml"
    return [(d, q, "", "") for d, q in BUILT_IN_CLAIMS] + ACCENTED_CLAIMS, "built-in list"


@dataclass(frozen=True)
class Claim:
    document: str
    start: int
    end: int


# Words with inner apostrophes and hyphens ("Iran’s", "US-Israeli"), combining
# marks included ("مُقاوَمَت").
WORD = re.compile(
    r"(?:\w|[\u0300-\u036f\u064b-\u065f\u0670])+(?:['’\-](?:\w|[\u0300-\u036f\u064b-\u065f\u0670])+)*"
)


def short_claims(number, text):
    """1-word claims at every word, 2-word at every second, 3-word at every third,
    never across a line break: what an analyst tagging names and phrases makes."""
    claims = []
    for line in re.finditer(r"[^\n]+", text):
        words = [m.span() for m in WORD.finditer(text, line.start(), line.end())]
        for length in (1, 2, 3):
            for i in range(0, len(words) - length + 1, length):
                claims.append(Claim(number, words[i][0], words[i + length - 1][1]))
    return claims


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str
    # The replacement is other text: what it replaces is gone, not reworded.
    unrelated: bool = False
    # The replacement is a copy of the old text from this offset (a paragraph moved).
    origin: int | None = None
    # Another edit giving the same new text (deleting the first of two repeated
    # words rather than the second): a placement right under either is right.
    alternative: "Edit | None" = None


def apply(text, edits):
    """Apply non-overlapping edits; return the new text and a function giving
    an old span's true new span and whether its text is gone."""
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    pieces, position, new_starts, shift = [], 0, [], 0
    for edit in edits:
        assert edit.start >= position, "bench edits overlap"
        pieces += [text[position : edit.start], edit.replacement]
        position = edit.end
        new_starts.append(edit.start + shift)
        shift += len(edit.replacement) - (edit.end - edit.start)
    pieces.append(text[position:])

    def locate(start, end):
        """True new span of old [start, end), and whether its text is gone.
        Text inserted exactly at a boundary lies outside the claim."""
        for edit, new_start in zip(edits, new_starts, strict=True):
            if (
                edit.origin is not None
                and edit.origin <= start
                and end <= edit.origin + len(edit.replacement)
            ):
                return new_start + start - edit.origin, new_start + end - edit.origin, False
        for edit in edits:
            if edit.end > edit.start and edit.start <= start and end <= edit.end:
                if edit.unrelated or not edit.replacement:
                    return 0, 0, True
            elif edit.unrelated and edit.start <= start < edit.end:
                start = edit.end  # only the part after the replaced text survives
            elif edit.unrelated and start < edit.start < end <= edit.end:
                end = edit.start
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
        return new_start, new_end, new_end <= new_start

    return "".join(pieces), locate


def touches(edit, claim):
    return edit.start < claim.end and claim.start < edit.end or claim.start < edit.start < claim.end


def words_outside(text, claims, rng, count):
    spans = [m.span() for m in re.finditer(r"[A-Za-z]{5,}", text)]
    free = [s for s in spans if not any(c.start <= s[1] and s[0] <= c.end for c in claims)]
    return sorted(rng.sample(free, min(count, len(free))))


def paragraphs(text):
    """(start, end, next start) of each line of text; next start is where the following line begins."""
    lines = [m.span() for m in re.finditer(r"[^\n]+", text)]
    return [(s, e, lines[i + 1][0] if i + 1 < len(lines) else len(text)) for i, (s, e) in enumerate(lines)]


def other_text(texts, number):
    numbers = sorted(texts)
    return texts[numbers[(numbers.index(number) + 1) % len(numbers)]]


# --- scenarios: (doc text, seed claims on it, rng, all texts, number) -> edits ----


def typo_fixes(text, claims, rng, texts, number):
    edits = [Edit(s + 2, s + 2, text[s + 2]) for s, _e in words_outside(text, claims, rng, 3)]
    if "\nhile acknowledging" in text:
        at = text.index("\nhile acknowledging") + 1
        edits.append(Edit(at, at, "W"))
    if "of the of the late" in text:
        # Which "of the " went is a matter of reading: either is right.
        at = text.index("of the of the late")
        edits.append(Edit(at + 7, at + 14, "", alternative=Edit(at, at + 7, "")))
    return dedupe(edits)


def boilerplate_removed(text, claims, rng, texts, number):
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


def paragraphs_inserted(text, claims, rng, texts, number):
    breaks = [m.end() for m in re.finditer(r"\n\n", text)]
    breaks = [b for b in breaks if not any(c.start < b < c.end for c in claims)]
    note = "Editor's note: this passage was checked against the original broadcast on 6 January.\n\n"
    chosen = sorted({breaks[0], breaks[len(breaks) // 2]}) if breaks else [0]
    return [Edit(b, b, note) for b in chosen]


def _middle_word(text, claim):
    words = list(re.compile(r"[A-Za-z]{4,}").finditer(text, claim.start, claim.end))
    return words[len(words) // 2] if words else None


def claim_reworded(text, claims, rng, texts, number):
    edits = []
    for claim in claims[:2]:
        word = _middle_word(text, claim)
        if word:
            edits.append(Edit(word.end(), word.end(), " indeed"))
    return dedupe(edits)


def claim_deleted(text, claims, rng, texts, number):
    claim = max(claims, key=lambda c: c.end - c.start)
    end = claim.end + 1 if text[claim.end : claim.end + 1] == " " else claim.end
    return [Edit(claim.start, end, "")]


def look_alike_deleted(text, claims, rng, texts, number):
    if text.count(LOOK_ALIKE) < 2:
        return []
    second = occurrences(text, LOOK_ALIKE)[1]
    return [Edit(second - 1, second + len(LOOK_ALIKE), "")]


def look_alikes_inserted(text, claims, rng, texts, number):
    quotes = " ".join(f"“{text[c.start : c.end]}”" for c in claims)
    at = text.find("\n\n")
    at = 0 if at == -1 else at + 2
    return [Edit(at, at, f"Quoted in this piece: {quotes}\n\n")]


def renormalised(text, claims, rng, texts, number):
    """A re-clean: typographic apostrophes made straight everywhere."""
    return [Edit(m.start(), m.end(), "'") for m in re.finditer("’", text)]


def everything(text, claims, rng, texts, number):
    edits = []
    for scenario in (
        typo_fixes,
        paragraphs_inserted,
        claim_reworded,
        look_alikes_inserted,
        look_alike_deleted,
    ):
        for edit in scenario(text, claims, rng, texts, number):
            if all(edit.end < e.start or e.end < edit.start for e in edits):
                edits.append(edit)
    return edits


def paragraphs_moved(text, claims, rng, texts, number):
    """The paragraph a quarter of the way in moved down to three quarters, and
    the one after that moved up to the middle."""
    lines = paragraphs(text)
    n = len(lines)
    if n >= 8:
        moves = [(n // 4, (3 * n) // 4), ((3 * n) // 4 + 1, n // 2)]
    elif n >= 4:
        moves = [(1, n - 1)]
    else:
        return []
    edits = []
    for source, target in moves:
        start, _end, following = lines[source]
        block = text[start:following]
        if not block.endswith("\n") or any(
            c.start < start < c.end or c.start < following < c.end for c in claims
        ):
            continue
        at = lines[target][0]
        edits += [Edit(start, following, ""), Edit(at, at, block, origin=start)]
    return edits


def _replacement_lines(texts, number):
    other = other_text(texts, number)
    return [other[s:e] for s, e, _f in paragraphs(other) if e - s >= 80]


def paragraph_replaced(text, claims, rng, texts, number):
    lines = [(s, e) for s, e, _f in paragraphs(text) if e - s >= 80]
    if not lines:
        return []
    start, end = lines[len(lines) // 2]
    return [Edit(start, end, rng.choice(_replacement_lines(texts, number)), unrelated=True)]


def every_third_paragraph_replaced(text, claims, rng, texts, number):
    replacements = _replacement_lines(texts, number)
    return [
        Edit(s, e, rng.choice(replacements), unrelated=True)
        for i, (s, e, _f) in enumerate(paragraphs(text))
        if i % 3 == 1 and e - s >= 40
    ]


def whole_text_replaced(text, claims, rng, texts, number):
    return [Edit(0, len(text), other_text(texts, number), unrelated=True)]


def no_break_spaces(text, claims, rng, texts, number):
    """No-break spaces made plain, and a no-break space after every number."""
    edits = [Edit(m.start(), m.end(), " ") for m in re.finditer("\u00a0", text)]
    edits += [Edit(m.start(), m.end(), "\u00a0") for m in re.finditer(r"(?<=\d) (?=[A-Za-z])", text)]
    return edits


def quotes_straightened(text, claims, rng, texts, number):
    plain = {"“": '"', "”": '"', "‘": "'", "’": "'"}
    return [Edit(m.start(), m.end(), plain[m.group()]) for m in re.finditer("[“”‘’]", text)]


def to_nfd(text, *_args):
    return [
        Edit(i, i + 1, unicodedata.normalize("NFD", c))
        for i, c in enumerate(text)
        if unicodedata.normalize("NFD", c) != c
    ]


def to_nfc(text, *_args):
    return [
        Edit(m.start(), m.end(), unicodedata.normalize("NFC", m.group()))
        for m in re.finditer(r".[\u0300-\u036f]+", text)
        if unicodedata.normalize("NFC", m.group()) != m.group()
    ]


def to_crlf(text, *_args):
    return [Edit(m.start(), m.end(), "\r\n") for m in re.finditer("\n", text)]


def to_lf(text, *_args):
    return [Edit(m.start(), m.end(), "\n") for m in re.finditer("\r\n", text)]


def dedupe(edits):
    kept = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if not kept or kept[-1].end < edit.start:
            kept.append(edit)
    return kept


@dataclass(frozen=True)
class Scenario:
    name: str
    edits: object
    # Edits that make the text the claims were made on (an NFD or CRLF capture).
    prepare: object = None


SCENARIOS = [
    Scenario("typo fixes outside claims", typo_fixes),
    Scenario("boilerplate line removed", boilerplate_removed),
    Scenario("paragraphs inserted", paragraphs_inserted),
    Scenario("claimed sentence reworded", claim_reworded),
    Scenario("claimed sentence deleted", claim_deleted),
    Scenario("look-alike of a claim deleted", look_alike_deleted),
    Scenario("copies of every quote inserted", look_alikes_inserted),
    Scenario("apostrophes normalised", renormalised),
    Scenario("all of the above at once", everything),
    Scenario("paragraphs moved", paragraphs_moved),
    Scenario("one paragraph replaced", paragraph_replaced),
    Scenario("every third paragraph replaced", every_third_paragraph_replaced),
    Scenario("whole text replaced", whole_text_replaced),
    Scenario("no-break spaces changed", no_break_spaces),
    Scenario("quotation marks straightened", quotes_straightened),
    Scenario("Unicode NFC -> NFD", to_nfd),
    Scenario("Unicode NFD -> NFC", to_nfc, prepare=to_nfd),
    Scenario("line endings LF -> CRLF", to_crlf),
    Scenario("line endings CRLF -> LF", to_lf, prepare=to_crlf),
]
COLUMNS = ("claims", "kept", "moved", "changed", "orphaned: gone", "orphaned: still there", "WRONG")


WORD_CHAR = re.compile(r"\w|[\u0300-\u036f\u064b-\u065f\u0670]")


def _inside_word(text, position):
    return (
        0 < position < len(text)
        and WORD_CHAR.match(text[position - 1]) is not None
        and WORD_CHAR.match(text[position]) is not None
    )


def judge(result, truth_start, truth_end, gone, new_text, old_text, claim):
    if result.outcome is Outcome.ORPHANED:
        return "orphaned: gone" if gone else "orphaned: still there"
    span = (result.selector.start, result.selector.end)
    if gone or not (span[0] < truth_end and truth_start < span[1]):
        return "WRONG"
    if result.outcome is not Outcome.CHANGED and span != (truth_start, truth_end):
        return "WRONG"
    # Never a span that starts or ends inside a word the claim did not cut.
    if (_inside_word(new_text, span[0]) and not _inside_word(old_text, claim.start)) or (
        _inside_word(new_text, span[1]) and not _inside_word(old_text, claim.end)
    ):
        return "WRONG"
    return result.outcome.value


def run_scenarios(texts, claims_by_doc, seed_claims_by_doc, *, with_old_text):
    rows = []
    wrong_examples = []
    for scenario in SCENARIOS:
        counts = dict.fromkeys(COLUMNS, 0)
        for number, base in texts.items():
            claims = claims_by_doc.get(number, [])
            if not claims:
                continue
            text = base
            seed = seed_claims_by_doc.get(number, [])
            if scenario.prepare:
                text, to_prepared = apply(base, scenario.prepare(base))
                moved = [to_prepared(c.start, c.end) for c in claims]
                claims = [Claim(number, s, e) for s, e, _gone in moved]
                seed = [Claim(number, s, e) for s, e, _gone in (to_prepared(c.start, c.end) for c in seed)]
            rng = random.Random(f"{scenario.name}-{number}")
            edits = scenario.edits(text, seed, rng, texts, number)
            new_text, locate = apply(text, edits)
            readings = [locate]
            if any(e.alternative for e in edits):
                alternative_text, other_locate = apply(text, [e.alternative or e for e in edits])
                assert alternative_text == new_text, "an alternative edit must give the same text"
                readings.append(other_locate)
            selectors = [selector_for(text, c.start, c.end) for c in claims]
            if with_old_text:
                results = reanchor_all(selectors, text, new_text)
            else:
                results = [reanchor(s, new_text) for s in selectors]
            for claim, selector, result in zip(claims, selectors, results, strict=True):
                verdicts = [
                    judge(result, *read(claim.start, claim.end), new_text, text, claim) for read in readings
                ]
                verdict = next((v for v in verdicts if v != "WRONG"), "WRONG")
                counts[verdict] += 1
                counts["claims"] += 1
                if verdict == "WRONG":
                    wrong_examples.append((scenario.name, number, selector.quote[:50], result))
        rows.append((scenario.name, counts))
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


def _time(selectors, text, new_text, runs=5):
    best = float("inf")
    for _ in range(runs):
        clear_caches()  # a cold start each time: nothing remembered from the previous run
        started = time.perf_counter()
        results = reanchor_all(selectors, text, new_text)
        best = min(best, time.perf_counter() - started)
    started = time.perf_counter()
    reanchor_all(selectors, text, new_text)  # the same correction again: preview, then save
    again = time.perf_counter() - started
    outcomes = {o: sum(r.outcome is o for r in results) for o in Outcome}
    return best, again, outcomes


NORMALISATION_LIMIT = 1.0  # seconds


def timing(texts):
    text = texts["001"]
    sentences = [m.span() for m in re.finditer(r"[A-Z][^.!?\n]{10,}[.!?]", text)]
    rng = random.Random(1000)
    selectors = [selector_for(text, *rng.choice(sentences)) for _ in range(1000)]
    middle = text.index(" ", len(text) // 2)
    cases = [
        ("one word inserted mid-text", text[:middle] + " really" + text[middle:]),
        ("whole-text normalisation (every ’ straightened)", text.replace("’", "'")),
    ]
    print(
        f"\nTiming: reanchor_all, {len(selectors)} claims (random sentences) on seed 001 ({len(text):,} characters)"
    )
    figures = []
    for name, new_text in cases:
        best, again, outcomes = _time(selectors, text, new_text)
        figures.append(best)
        print(
            f"  {name}: {best * 1000:.0f} ms best of 5 (cold); the same correction again "
            f"(save after preview): {again * 1000:.1f} ms; outcomes: "
            + ", ".join(f"{o.value} {n}" for o, n in outcomes.items())
        )
    normalisation = figures[-1]
    verdict = "OK" if normalisation < NORMALISATION_LIMIT else "TOO SLOW"
    print(f"  whole-text normalisation: {normalisation:.3f} s, limit {NORMALISATION_LIMIT:.0f} s: {verdict}")
    return normalisation


def main():
    texts = reading_texts()
    entries, origin = seed_claims()
    seed_by_doc = {}
    skipped = []
    for number, quote, prefix, suffix in entries:
        try:
            selector = find_quote(texts[number], quote, prefix, suffix)
        except (QuoteNotFound, QuoteAmbiguous, KeyError) as error:
            skipped.append(f"{number}: {error}")
            continue
        seed_by_doc.setdefault(number, []).append(Claim(number, selector.start, selector.end))
    # Probes for the look-alike rule: both occurrences of a repeated sentence.
    probes = occurrences(texts["001"], LOOK_ALIKE)
    for start in probes:
        seed_by_doc.setdefault("001", []).append(Claim("001", start, start + len(LOOK_ALIKE)))
    short_by_doc = {number: short_claims(number, text) for number, text in texts.items()}
    seeds = sum(len(c) for c in seed_by_doc.values())
    shorts = sum(len(c) for c in short_by_doc.values())
    print(
        f"Re-anchoring bench: {seeds} seed claims ({origin}, plus {len(probes)} look-alike probes and "
        f"{len(ACCENTED_CLAIMS)} on a synthetic accented sample) and {shorts:,} claims of 1-3 words "
        f"on {len(texts)} documents, through {len(SCENARIOS)} corrections"
    )
    for note in skipped:
        print(f"  skipped claim {note}")

    wrong, failures = [], 0
    for title, population, with_old_text in (
        (
            "Seed claims, with the old text (the correction page's case: one diff, reanchor_all)",
            seed_by_doc,
            True,
        ),
        ("Seed claims, without the old text (old offsets only a hint, reanchor)", seed_by_doc, False),
        ("Claims of 1-3 words at every position, with the old text", short_by_doc, True),
    ):
        started = time.perf_counter()
        rows, wrong_here = run_scenarios(texts, population, seed_by_doc, with_old_text=with_old_text)
        totals = print_table(title, rows)
        print(f"({time.perf_counter() - started:.1f} s)")
        failures += totals["WRONG"]
        wrong += wrong_here
    for name, number, quote, result in wrong[:40]:
        print(
            f"  WRONG in “{name}”, document {number}: “{quote}” -> {result.outcome.value} {result.selector} — {result.reason}"
        )

    normalisation = timing(texts)
    print(f"\nWrong placements: {failures}")
    return 1 if failures or normalisation >= NORMALISATION_LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
