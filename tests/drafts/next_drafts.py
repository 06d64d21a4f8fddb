"""The seed document's next draft, written as a file: a paragraph added, one dropped, one reworded
and one moved, all renumbered; and the plan that importing it shows."""

from pathlib import Path

from consult.drafts.importer import parse_document

DATA = Path(__file__).resolve().parents[2] / "consult" / "demo" / "data"
SEEDS = {"zh": DATA / "hsp_eb_2024_5_zh.txt", "en": DATA / "hsp_eb_2024_5_en.md"}
NEW_PARAGRAPH = {
    "en": "The task force will publish a summary of every dialogue within two weeks of its close, so that "
    "delegations can see how their views were taken into account before the next release.",
    "zh": "工作队将在每次对话结束后两周内公布对话摘要，使各代表团能够在下一版发布之前了解其意见如何得到考虑。",
}
REWORDING = {
    "en": " This sentence was added by the task force after the dialogues of 2024.",
    "zh": "工作队在 2024 年各次对话之后补充了这一句。",
}


def render(paragraphs) -> str:
    """A UN document of (chapter, subsection, body) paragraphs, numbered from 1."""
    lines, chapter, subsection = ["HSP/EB.2024/5"], None, None
    for number, (paragraph_chapter, paragraph_subsection, body) in enumerate(paragraphs, start=1):
        if paragraph_chapter != chapter:
            lines.append(paragraph_chapter)
            chapter, subsection = paragraph_chapter, None
        if paragraph_subsection and paragraph_subsection != subsection:
            lines.append(paragraph_subsection)
            subsection = paragraph_subsection
        lines.append(f"{number}. {body}")
    return "\n\n".join(lines) + "\n"


def next_draft(language: str) -> str:
    """The seed document with paragraph 5 moved before 2, a new paragraph after 8, paragraph 12
    reworded and paragraph 20 dropped: every paragraph from 2 on renumbered."""
    paragraphs = {
        int(paragraph.number): [paragraph.chapter, paragraph.subsection, paragraph.body]
        for paragraph in parse_document(SEEDS[language].read_text()).paragraphs
    }
    paragraphs[12][2] += REWORDING[language]
    order = [1, 5, 2, 3, 4, 6, 7, 8, "new", *range(9, 20), *range(21, 28)]
    result = []
    for number in order:
        if number == "new":
            result.append((paragraphs[8][0], paragraphs[8][1], NEW_PARAGRAPH[language]))
        elif number == 5:  # now in the first chapter
            result.append((paragraphs[1][0], paragraphs[1][1], paragraphs[5][2]))
        else:
            result.append(tuple(paragraphs[number]))
    return render(result)


EXPECTED_PLAN = [
    "kept 1 → 1",
    "moved 5 → 2",
    "kept 2 → 3",
    "kept 3 → 4",
    "kept 4 → 5",
    "kept 6 → 6",
    "kept 7 → 7",
    "kept 8 → 8",
    "new — → 9",
    "kept 9 → 10",
    "kept 10 → 11",
    "kept 11 → 12",
    "revised 12 → 13",
    *(f"kept {n} → {n + 1}" for n in range(13, 20)),
    "retired 20 → —",
    *(f"kept {n} → {n}" for n in range(21, 28)),
]
