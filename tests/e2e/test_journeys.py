"""Each role's work through the real pages, in Chromium, as the README's walk-through describes."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    DELEGATE,
    EDITOR,
    FOCAL,
    PLAN_DOCUMENT,
    SECRETARIAT,
    SLUG,
    open_paragraph,
    open_plan_document,
)

COMMENT = "End-to-end: principle (c) should say that the plan can be reviewed at mid-term."
ADDED_SENTENCE = "The plan will be reviewed at mid-term."


def flash(page: Page):
    return page.locator(".flash")


def test_comment_from_draft_to_answer(visit, shot):
    # The delegate drafts a comment on paragraph 9 of the plan.
    delegate = visit(DELEGATE)
    open_paragraph(delegate, "9")
    delegate.get_by_text("Write a comment").click()
    delegate.get_by_role("radio", name="General comment").check()
    delegate.get_by_label("Comment", exact=True).fill(COMMENT)
    delegate.get_by_role("button", name="Save draft").click()
    expect(flash(delegate)).to_contain_text("saved as a draft")
    draft = delegate.locator("article.comment", has_text=COMMENT)
    expect(draft.locator(".badge--draft")).to_have_text("Draft (not submitted)")
    shot(delegate, "1-delegate-draft")

    # The focal point finds it among the delegation's drafts and submits it.
    focal = visit(FOCAL)
    focal.get_by_role("link", name="Our delegation's comments").click()
    drafts = focal.locator("section", has=focal.get_by_role("heading", name="Drafts awaiting submission"))
    row = drafts.get_by_role("row", name=re.compile("End-to-end: principle"))
    comment_id = row.get_by_role("link").first.inner_text()
    shot(focal, "2-focal-drafts")
    row.get_by_role("link", name="Review and submit").click()
    expect(focal.get_by_role("heading", level=1)).to_have_text("Submit this comment on behalf of your delegation?")
    expect(focal.locator(".comment__body")).to_have_text(COMMENT)
    shot(focal, "3-focal-confirm")
    focal.get_by_role("button", name="Submit", exact=True).click()
    expect(flash(focal)).to_have_text("The comment is submitted on behalf of your delegation.")
    focal.get_by_role("link", name="Our delegation's comments").click()
    submitted = focal.locator("section", has=focal.get_by_role("heading", name="Submitted comments"))
    expect(submitted.get_by_role("row", name=re.compile("End-to-end: principle"))).to_contain_text("Submitted on")

    # The editor revises paragraph 9 in answer to it.
    editor = visit(EDITOR)
    open_paragraph(editor, "9")
    editor.get_by_role("link", name="Revise this paragraph").click()
    body = editor.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n\n" + ADDED_SENTENCE)
    editor.get_by_label("What changed and why").fill("Mid-term review, as Kenya proposed.")
    editor.get_by_label(re.compile(f"^Comment {comment_id} — Kenya")).check()
    shot(editor, "4-editor-revise")
    editor.get_by_role("button", name="Save new version").click()
    expect(flash(editor)).to_have_text("Version 2 saved.")
    expect(editor.locator(".version-label")).to_contain_text("Version 2")
    expect(editor.locator(".section-text")).to_contain_text(ADDED_SENTENCE)
    comment = editor.locator(f"#comment-{comment_id}")
    comment.get_by_role("link", name="Addressed in version 2").click()
    expect(editor.locator(".diff ins")).to_contain_text("mid-term")
    shot(editor, "5-editor-diff")

    # … and answers it: the release proposes answers to the delegations before they are final.
    editor.go_back()
    comment.get_by_role("link", name="Answer", exact=True).click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(f"Answer comment {comment_id}")
    editor.get_by_label("Disposition").select_option(label="Accepted")
    editor.get_by_label("Rationale (required unless accepted)").fill("Added as the last sentence of paragraph 9.")
    editor.get_by_label("Resolved in version").select_option("2")
    shot(editor, "6-editor-answer")
    editor.get_by_role("button", name="Record the answer").click()
    expect(flash(editor)).to_contain_text("The answer is recorded")
    answer = comment.locator(".comment__answer")
    expect(answer).to_contain_text("Accepted")
    expect(answer).to_contain_text("Not shared with the delegation yet")
    expect(answer.get_by_role("link", name="resolved in version 2")).to_be_visible()
    shot(editor, "7-editor-answered")
    focal.reload()
    row = submitted.get_by_role("row", name=re.compile("End-to-end: principle"))
    expect(row).to_contain_text("Addressed in version 2")
    expect(row).not_to_contain_text("Accepted")  # still the task force's

    # The Secretariat shares the proposed answers with the delegations …
    secretariat = visit(SECRETARIAT)
    open_plan_document(secretariat)
    secretariat.get_by_role("link", name="Comment-response matrix").click()
    secretariat.get_by_role("link", name=re.compile("^Share \\d+ proposed answers? with the delegations")).click()
    expect(secretariat.get_by_role("row", name=re.compile(f"Comment {comment_id}"))).to_be_visible()
    shot(secretariat, "8-secretariat-shares")
    secretariat.get_by_role("button", name=re.compile("^Share \\d+ answers?$")).click()
    expect(flash(secretariat)).to_contain_text("shared")

    # … the focal point agrees from the delegation's list …
    focal.reload()
    row.get_by_role("link", name=re.compile("^Agree or object")).click()
    mine = focal.locator(f"#comment-{comment_id}")
    expect(mine.locator(".comment__answer")).to_contain_text("Shared with the delegation on")
    mine.get_by_role("button", name="Agree to this answer").click()
    expect(flash(focal)).to_have_text("Your delegation agrees to the proposed answer.")
    expect(focal.locator(".reaction")).to_contain_text("Kenya agreed to this answer on")
    shot(focal, "9-focal-agrees")

    # … and the editor makes it final: the delegation sees the outcome on its list.
    editor.goto(f"/comments/{comment_id}")
    editor.get_by_role("button", name="Make the answer final").click()
    expect(flash(editor)).to_contain_text("The answer is final")
    expect(editor.locator(".comment__answer h4")).to_have_text("Response of the task force")
    focal.get_by_role("link", name="Our delegation's comments").click()
    row = submitted.get_by_role("row", name=re.compile("End-to-end: principle"))
    expect(row).to_contain_text("Addressed in version 2")
    expect(row).to_contain_text("Accepted")
    shot(focal, "10-focal-outcome")


def test_secretariat_publishes_a_release_and_a_dialogue_outcome(visit, shot):
    secretariat = visit(SECRETARIAT)

    # The release gate refuses while comments on the current release are unanswered …
    open_plan_document(secretariat)
    secretariat.get_by_role("link", name="Publish a release").click()
    unanswered = secretariat.locator(".notice ul li")
    before = unanswered.count()
    assert before >= 2  # the demo leaves every submitted comment unanswered (five of them)
    secretariat.get_by_label("Label").fill("First draft")
    secretariat.get_by_role("button", name="Publish").click()
    expect(secretariat.locator(".error-summary")).to_contain_text("have no answer yet")
    shot(secretariat, "1-gate-refuses")

    # … answering one and making the answer final at once takes it off the list …
    comment_path = unanswered.first.get_by_role("link").get_attribute("href").removesuffix("/disposition")
    unanswered.first.get_by_role("link").click()
    secretariat.get_by_label("Disposition").select_option(label="Taken into account")
    secretariat.get_by_label("Rationale (required unless accepted)").fill("Reflected in the first draft.")
    secretariat.get_by_role("button", name="Record the answer").click()
    expect(flash(secretariat)).to_contain_text("The answer is recorded")
    secretariat.goto(comment_path)
    secretariat.get_by_role("button", name="Make the answer final").click()
    expect(flash(secretariat)).to_contain_text("The answer is final")
    open_plan_document(secretariat)
    secretariat.get_by_role("link", name="Publish a release").click()
    expect(unanswered).to_have_count(before - 1)

    # … and a recorded reason publishes over the rest.
    secretariat.get_by_label("Label").fill("First draft")
    secretariat.get_by_label("Reason to publish although comments are unanswered").fill(
        "The Executive Board session is next week; the remaining answers follow."
    )
    secretariat.get_by_role("button", name="Publish").click()
    expect(flash(secretariat)).to_have_text("“First draft” is published and open for comments.")
    expect(secretariat.locator(".document-meta")).to_contain_text("Release 2: First draft")
    shot(secretariat, "2-release-published")

    # A dialogue's outcome: written, saved as a draft, then published.
    secretariat.goto(f"/consultations/{SLUG}")
    secretariat.get_by_role("link", name="Stakeholder dialogues").click()
    secretariat.get_by_role("link", name="Consultation at the Africa Urban Forum").click()
    secretariat.get_by_role("link", name="Write the outcome").click()
    secretariat.get_by_label("Summary (Markdown)").fill("Delegations asked for a **focus on secondary cities**.")
    conclusion = secretariat.locator(".agenda-row").first
    conclusion.get_by_label("Conclusion").fill("Secondary cities need their own entry point.")
    # The paragraphs it concerns: checkboxes grouped by document, narrowed by the filter box.
    conclusion.get_by_text("Choose the paragraphs").click()
    conclusion.get_by_label("Show only those containing").fill("Paragraph 9")
    plan = conclusion.locator(".picker__group", has=secretariat.locator("legend", has_text=PLAN_DOCUMENT))
    plan.get_by_label("Paragraph 9", exact=True).check()
    shot(secretariat, "3-outcome-form")
    secretariat.get_by_role("button", name="Save").click()
    expect(flash(secretariat)).to_contain_text("The outcome is saved as a draft.")
    outcome = secretariat.locator("#outcome")
    expect(outcome.locator(".notice")).to_contain_text("Draft")
    secretariat.get_by_text("Publish the outcome").click()
    outcome.get_by_role("button", name="Publish").click()
    expect(flash(secretariat)).to_contain_text("The outcome is published")
    expect(outcome).to_contain_text("Published on")
    expect(outcome.locator(".conclusion")).to_contain_text("Secondary cities need their own entry point.")
    shot(secretariat, "4-outcome-published")

    # Paragraph 9 now shows the conclusion, to a delegate too.
    delegate = visit(DELEGATE)
    open_paragraph(delegate, "9")
    concluded = delegate.locator("section", has=delegate.get_by_role("heading", name="What the dialogues concluded"))
    expect(concluded).to_contain_text("Secondary cities need their own entry point.")
    shot(delegate, "5-paragraph-shows-conclusion")
