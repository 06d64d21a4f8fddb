"""The next draft of a document, read from a file: which of its paragraphs continue which sections.

``plan`` aligns the file's paragraphs with the working draft's sections by the similarity of their
texts, in order (a sequence alignment that maximizes the total similarity of the pairs it keeps in
order), then pairs what is left on both sides when the texts are nearly the same: those paragraphs
moved. Each step of the plan is one paragraph: kept (the same text), revised (a new version),
new (a new section), retired (absent from the file) or moved (possibly revised as well).
``apply`` carries the plan out through the structure services in one transaction; a section's
anchor never changes, so every comment stays on its paragraph. The next release renumbers.

Similarity is the Dice coefficient of the two texts' sets of adjacent-word pairs, where every
Chinese character counts as a word (as in the diffs), so texts without spaces compare as well as
others; pairs rather than single words, so that the words every paragraph uses count for little.
"""

import hashlib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from consult import audit
from consult.drafts.importer import ParsedDocument
from consult.drafts.services import latest_versions, revise_section
from consult.drafts.structure import (
    insert_section,
    lock_document,
    move_section,
    next_numbers,
    retire_section,
    working_sections,
)
from consult.drafts.translations import checked_body
from consult.drafts.word_import import read_document
from consult.errors import Conflict, TooLarge, ValidationFailed
from consult.extensions import db
from consult.models import Document, Section
from consult.permissions import authorize
from consult.text import tokenize
from consult.validation import clean_text

KINDS = ("kept", "revised", "new", "retired", "moved")
# Paragraphs in the same place are one paragraph, revised, from this similarity on: distinct
# paragraphs of the seed document score at most 0.31 in its Chinese and English editions, a
# paragraph with a third of its text rewritten at least 0.44.
REVISED_SIMILARITY = 0.38
# A paragraph out of order is the same one, moved, only when the texts are nearly the same.
MOVED_SIMILARITY = 0.6
# Bounded work: aligning two drafts of this many paragraphs takes about a second.
MAX_PARAGRAPHS = 2000
# A pair chosen by hand counts a little even when the texts share nothing.
_LEAST_WEIGHT = 0.01


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph of the file: the text the working draft takes."""

    number: str
    body: str
    chapter: str
    subsection: str

    def as_dict(self) -> dict:
        return {"number": self.number, "body": self.body, "chapter": self.chapter, "subsection": self.subsection}


@dataclass(frozen=True)
class Step:
    """What happens to one paragraph: ``section`` is the working draft's (None for a new one),
    ``paragraph`` the index of the file's (None for a retired one)."""

    kind: str
    section: Section | None
    paragraph: int | None
    old_number: str | None
    new_number: str | None
    text_changed: bool
    similarity: float

    def line(self) -> str:
        """One line of the printed plan: ``kept 3 → 3``, ``new — → 10``, ``moved 5 → 2 (revised)``."""
        line = f"{self.kind} {self.old_number or '—'} → {self.new_number or '—'}"
        return line + " (revised)" if self.kind == "moved" and self.text_changed else line


@dataclass
class Plan:
    document: Document
    # The working draft the plan was made from: applying it to another is refused.
    basis: str
    paragraphs: list[Paragraph]
    steps: list[Step]

    def matches(self) -> list[int | None]:
        """For each paragraph of the file, the id of the section it continues (None: a new one)."""
        found: list[int | None] = [None] * len(self.paragraphs)
        for step in self.steps:
            if step.paragraph is not None and step.section is not None:
                found[step.paragraph] = step.section.id
        return found

    def counts(self) -> dict[str, int]:
        return {kind: sum(step.kind == kind for step in self.steps) for kind in KINDS}

    def summary(self) -> str:
        return ", ".join(f"{count} {kind}" for kind, count in self.counts().items())

    def changes_nothing(self) -> bool:
        return all(
            step.kind == "kept"
            and (step.section.chapter, step.section.subsection)
            == (self.paragraphs[step.paragraph].chapter, self.paragraphs[step.paragraph].subsection)
            for step in self.steps
        )


# -- reading the file ----------------------------------------------------------------


def read(data: bytes) -> ParsedDocument:
    """The paragraphs of an uploaded file (the formats of ``import-draft``: .docx, text, Markdown)."""
    return read_document(data)


def paragraphs_of(parsed: ParsedDocument) -> list[Paragraph]:
    """The file's paragraphs with their texts cleaned as a revision's would be; an empty or too
    long one is an error naming it."""
    return [
        Paragraph(
            paragraph.number,
            checked_body(paragraph),
            clean_text(paragraph.chapter)[:300],
            clean_text(paragraph.subsection)[:300],
        )
        for paragraph in parsed.paragraphs
    ]


# -- similarity ----------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Words as the diffs see them: every Chinese character one word, Arabic words with their marks."""
    return [token for token in tokenize(unicodedata.normalize("NFKC", text).casefold()) if token[0].isalnum()]


def shingles(text: str) -> frozenset[str]:
    """The pairs of adjacent words of a text (its words, when it has fewer than two)."""
    words = _words(text)
    if len(words) < 2:
        return frozenset(words)
    return frozenset(f"{first} {second}" for first, second in zip(words, words[1:], strict=False))


def _dice(first: frozenset, second: frozenset) -> float:
    if not first and not second:
        return 1.0
    return 2 * len(first & second) / (len(first) + len(second))


def similarity(first: str, second: str) -> float:
    """0 (nothing in common) to 1 (the same words in the same order)."""
    return _dice(shingles(first), shingles(second))


def _same_text(first: str, second: str) -> bool:
    return " ".join(unicodedata.normalize("NFC", first).split()) == " ".join(
        unicodedata.normalize("NFC", second).split()
    )


# -- the alignment -------------------------------------------------------------------


def _similar_pairs(old: list[frozenset], new: list[frozenset], threshold: float) -> dict[tuple[int, int], float]:
    """(old index, new index) → similarity, for every pair at least ``threshold`` similar.

    The pairs of words each text shares with the others are counted through an index, so that
    the work grows with what the texts have in common rather than with the number of pairs."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, shingle_set in enumerate(old):
        for shingle in shingle_set:
            postings[shingle].append(i)
    similar = {}
    for j, shingle_set in enumerate(new):
        shared: Counter[int] = Counter()
        for shingle in shingle_set:
            shared.update(postings.get(shingle, ()))
        for i, count in shared.items():
            score = 2 * count / (len(old[i]) + len(shingle_set))
            if score >= threshold:
                similar[i, j] = score
    return similar


def _heaviest_chain(pairs: list[tuple[int, int, float]], size: int) -> list[tuple[int, int]]:
    """Of weighted pairs (old index, new index, weight), with old indices below ``size``, the
    sequence increasing in both indices whose total weight is highest: the sequence alignment of
    the two texts with free gaps (Needleman–Wunsch's recurrence), computed over these pairs only,
    with a Fenwick tree of the best total so far below each old index."""
    ordered = sorted(pairs, key=lambda pair: (pair[1], -pair[0]))
    tree_total, tree_pair = [0.0] * (size + 1), [-1] * (size + 1)
    totals: list[float] = []
    previous: list[int] = []
    for k, (i, _j, weight) in enumerate(ordered):
        best, best_pair, position = 0.0, -1, i
        while position > 0:
            if tree_total[position] > best:
                best, best_pair = tree_total[position], tree_pair[position]
            position -= position & -position
        totals.append(best + weight)
        previous.append(best_pair)
        position = i + 1
        while position <= size:
            if totals[k] > tree_total[position]:
                tree_total[position], tree_pair[position] = totals[k], k
            position += position & -position
    chain = []
    k = max(range(len(ordered)), key=totals.__getitem__, default=-1)
    while k >= 0:
        chain.append(ordered[k][:2])
        k = previous[k]
    return chain[::-1]


def _moved(pairs: list[tuple[int, int]], similar: dict, old_count: int, new_count: int) -> list[tuple[int, int]]:
    """Pairs of the paragraphs left on both sides whose texts are nearly the same, most similar first."""
    old_left = set(range(old_count)) - {i for i, _ in pairs}
    new_left = set(range(new_count)) - {j for _, j in pairs}
    candidates = sorted(
        ((score, i, j) for (i, j), score in similar.items() if score >= MOVED_SIMILARITY),
        key=lambda candidate: (-candidate[0], candidate[1], candidate[2]),
    )
    found = []
    for _score, i, j in candidates:
        if i in old_left and j in new_left:
            found.append((i, j))
            old_left.discard(i)
            new_left.discard(j)
    return found


def basis(order: list[Section]) -> str:
    """A fingerprint of the working draft: its sections, their order and newest versions."""
    text = ";".join(f"{section.id}:{section.latest_version}:{section.position}" for section in order)
    return hashlib.sha256(text.encode()).hexdigest()


def _steps(
    order: list[Section], paragraphs: list[Paragraph], matches: list[int | None], texts: dict[int, str]
) -> list[Step]:
    """The plan of a matching (for each paragraph, the id of the section it continues, or None):
    the paragraphs in the file's order, each retired section after the one it followed."""
    numbers = next_numbers(order)
    index = {section.id: position for position, section in enumerate(order)}
    similarities = {
        j: similarity(texts[section_id], paragraphs[j].body)
        for j, section_id in enumerate(matches)
        if section_id is not None
    }
    chain = _heaviest_chain(
        [
            (index[section_id], j, max(similarities[j], _LEAST_WEIGHT))
            for j, section_id in enumerate(matches)
            if section_id is not None
        ],
        len(order),
    )
    staying = {j for _, j in chain}
    continued = {section_id: j for j, section_id in enumerate(matches) if section_id is not None}
    steps: list[Step] = []
    # The retired sections after each paragraph of the file (-1: before the first).
    retired_after: dict[int, list[Step]] = {}
    anchor = -1
    for section in order:
        j = continued.get(section.id)
        if j is None:
            retired_after.setdefault(anchor, []).append(
                Step("retired", section, None, numbers[section.id], None, False, 0.0)
            )
        elif j in staying:
            anchor = j
    steps.extend(retired_after.get(-1, []))
    for j, paragraph in enumerate(paragraphs):
        section_id = matches[j]
        if section_id is None:
            steps.append(Step("new", None, j, None, paragraph.number, True, 0.0))
        else:
            section = order[index[section_id]]
            changed = not _same_text(texts[section_id], paragraph.body)
            kind = "moved" if j not in staying else ("revised" if changed else "kept")
            steps.append(Step(kind, section, j, numbers[section_id], paragraph.number, changed, similarities[j]))
        steps.extend(retired_after.get(j, []))
    return steps


def _texts(document: Document) -> dict[int, str]:
    return {section_id: version.body for section_id, version in latest_versions(document).items()}


def _check_size(count: int) -> None:
    if count > MAX_PARAGRAPHS:
        message = str(_l("A draft of more than %(count)d paragraphs cannot be aligned.", count=MAX_PARAGRAPHS))
        raise TooLarge(message, field_errors={"file": [message]})


def plan(document: Document, parsed: ParsedDocument) -> Plan:
    """Align the file's paragraphs with the working draft's sections; nothing is written.

    A file in another language than the document's original is refused: its paragraphs
    would be translations, not the next draft."""
    if parsed.language != document.language:
        message = str(
            _l(
                "The file is written in “%(found)s”, but the original of this document is in “%(original)s”. "
                "Import the next draft in the original's language (a translation is imported as a translation).",
                found=parsed.language,
                original=document.language,
            )
        )
        raise ValidationFailed(message, field_errors={"file": [message]})
    paragraphs = paragraphs_of(parsed)
    order = working_sections(document)
    _check_size(max(len(paragraphs), len(order)))
    texts = _texts(document)
    similar = _similar_pairs(
        [shingles(texts[section.id]) for section in order],
        [shingles(paragraph.body) for paragraph in paragraphs],
        REVISED_SIMILARITY,
    )
    pairs = _heaviest_chain([(i, j, score) for (i, j), score in similar.items()], len(order))
    matches: list[int | None] = [None] * len(paragraphs)
    for i, j in pairs + _moved(pairs, similar, len(order), len(paragraphs)):
        matches[j] = order[i].id
    return Plan(document, basis(order), paragraphs, _steps(order, paragraphs, matches, texts))


def corrected(document: Document, paragraphs: list[Paragraph], matches: list, plan_basis: str) -> Plan:
    """The plan of a matching chosen by hand: for each paragraph of the file the id of the
    working section it continues, or None for a new one; sections no paragraph continues retire."""
    order = working_sections(document)
    if basis(order) != plan_basis:
        raise _stale()
    working = {section.id for section in order}
    if len(matches) != len(paragraphs):
        raise ValidationFailed(_l("Choose, for every paragraph of the file, the paragraph it continues, or none."))
    chosen = [section_id for section_id in matches if section_id is not None]
    unknown = [section_id for section_id in chosen if section_id not in working]
    if unknown:
        raise ValidationFailed(_l("Choose paragraphs of the working draft of this document."))
    twice = sorted({section_id for section_id in chosen if chosen.count(section_id) > 1})
    if twice:
        numbers = next_numbers(order)
        raise ValidationFailed(
            _l(
                "A paragraph of the working draft can be continued by one paragraph of the file only: %(numbers)s.",
                numbers=", ".join(numbers[section_id] or "—" for section_id in twice),
            )
        )
    return Plan(document, plan_basis, paragraphs, _steps(order, paragraphs, list(matches), _texts(document)))


def refuse_empty(plan: Plan) -> None:
    if not plan.steps or plan.changes_nothing():
        message = str(_l("The file is the working draft as it stands: there is nothing to import."))
        raise ValidationFailed(message, field_errors={"file": [message]})


def _stale() -> Conflict:
    return Conflict(_l("The working draft changed after this plan was made. Upload the file again to see a new plan."))


def apply(actor, document: Document, plan: Plan) -> dict[str, int]:
    """Carry the plan out in the caller's transaction: the working draft ends in the file's order
    with the file's texts, chapters and subsections. ``actor`` None is the operator at the
    command line. Refused (409) when the working draft changed after the plan was made."""
    if actor is not None:
        authorize(actor, "section.revise", document)
    lock_document(document)
    order = working_sections(document)
    if basis(order) != plan.basis:
        raise _stale()
    refuse_empty(plan)
    reason = str(_l("Not in the next draft."))
    change_note = str(_l("From the next draft."))
    for step in plan.steps:
        if step.kind == "retired":
            retire_section(actor, step.section, reason=reason)
    placed: list[tuple[Section, Paragraph]] = []
    previous: Section | None = None
    for step in plan.steps:
        if step.paragraph is None:
            continue
        paragraph = plan.paragraphs[step.paragraph]
        after = previous.id if previous else None
        if step.kind == "new":
            section = insert_section(actor, document, after=after, body=paragraph.body)
        else:
            section = step.section
            if step.text_changed:
                revise_section(
                    actor, section, body=paragraph.body, change_note=change_note, base_version=section.latest_version
                )
            if step.kind == "moved":
                move_section(actor, section, after=after)
        placed.append((section, paragraph))
        previous = section
    # The file's chapters and subsections, once every section is in its place.
    for section, paragraph in placed:
        if (section.chapter, section.subsection) != (paragraph.chapter, paragraph.subsection):
            section.chapter, section.subsection = paragraph.chapter, paragraph.subsection
    db.session.flush()
    counts = plan.counts()
    audit.record(actor, "document.import_next_draft", document, **counts)
    return counts
