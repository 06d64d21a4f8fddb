"""JSON shapes of the API (documented in openapi.py)."""

from collections.abc import Container
from datetime import datetime

from consult.drafts.services import section_url
from consult.models import Comment, Release, Section, SectionVersion
from consult.models.accounts import organization_name
from consult.models.base import utcnow


def iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def release_json(release: Release | None):
    if release is None:
        return None
    return {
        "id": release.id,
        "number": release.number,
        "label": release.label,
        "published_at": iso(release.published_at),
        "comments_open_at": iso(release.comments_open_at),
        "comments_close_at": iso(release.comments_close_at),
        "open": release.is_open(utcnow()),
        "accept_late": release.accept_late,
    }


def version_json(version: SectionVersion, *, full: bool = False) -> dict:
    data = {
        "number": version.number,
        "created_at": iso(version.created_at),
        "change_note": version.change_note,
    }
    if full:
        data.update(body=version.body, html=version.body_html)
    return data


def section_summary_json(section: Section, version: SectionVersion | None) -> dict:
    return {
        "id": section.id,
        "anchor": section.anchor,
        "number": section.number,
        "heading": section.heading,
        "chapter": section.chapter,
        "subsection": section.subsection,
        "version": version.number if version else None,
    }


def section_json(section: Section, shown: SectionVersion | None, versions) -> dict:
    return {
        "id": section.id,
        "document_id": section.document_id,
        "anchor": section.anchor,
        "number": section.number,
        "heading": section.heading,
        "chapter": section.chapter,
        "subsection": section.subsection,
        "url": section_url(section, _external=True),
        "version": version_json(shown, full=True) if shown else None,
        "versions": [version_json(version) for version in versions],
    }


def comment_json(comment: Comment) -> dict:
    addressed = comment.addressed_in[-1].number if comment.addressed_in else None
    return {
        "id": comment.id,
        "section_id": comment.section_id,
        "organization": {
            "code": comment.organization.code,
            "name": organization_name(comment.organization),
        },
        "kind": comment.kind,
        "body": comment.body,
        "html": comment.body_html,
        "proposed_text": comment.proposed_text,
        "quote": comment.quote,
        "status": comment.status,
        "release": comment.release.number,
        "version": comment.version.number,
        "language": comment.language,
        "late": comment.late,
        "created_at": iso(comment.created_at),
        "submitted_at": iso(comment.submitted_at),
        "withdrawn_at": iso(comment.withdrawn_at),
        "withdrawal_reason": comment.withdrawal_reason,
        "addressed_in_version": addressed,
        "disposition": comment.disposition,
        "rationale": comment.rationale,
        "resolved_in_version": comment.resolved_in.number if comment.resolved_in else None,
        "disposed_at": iso(comment.disposed_at),
        "answer_outdated": comment.answer_outdated,
        "disposition_history": [
            {
                "disposition": answer.disposition,
                "rationale": answer.rationale,
                "resolved_in_version": answer.resolved_in.number if answer.resolved_in else None,
                "decided_at": iso(answer.decided_at),
            }
            for answer in comment.disposition_history
        ],
        "group_id": comment.group_id,
        "imported": comment.imported,
        "revisions": [
            {
                "number": revision.number,
                "kind": revision.kind,
                "body": revision.body,
                "proposed_text": revision.proposed_text,
                "quote": revision.quote,
                "replaced_at": iso(revision.replaced_at),
            }
            for revision in comment.revisions
        ],
    }


def timeline_json(entry) -> dict:
    source = "milestone" if entry.milestone else ("dialogue" if entry.dialogue else "release")
    obj = entry.milestone or entry.dialogue or entry.release
    return {
        "id": obj.id,
        "source": source,
        "title": entry.title,
        "kind": entry.kind,
        "starts_on": entry.starts_on.isoformat(),
        "ends_on": entry.ends_on.isoformat() if entry.ends_on else None,
        "place": entry.place,
        "status": entry.status,
        "description": entry.description,
    }


# ``shown`` below: the ids of the sections the reader may see. The others, not released
# yet, are left out: to anyone but the staff they do not exist.


def item_json(section: Section, shown: Container[int]) -> dict:
    data = {"id": section.id, "number": section.number, "title": section.heading, "section_id": section.id}
    if section.document.kind == "priority_statements":
        data["group"] = section.subsection
        data["related_section_ids"] = [related.id for related in section.related if related.id in shown]
    return data


def conclusion_json(conclusion, shown: Container[int]) -> dict:
    return {
        "id": conclusion.id,
        "text": conclusion.text,
        "html": conclusion.html,
        "section_ids": [section.id for section in conclusion.sections if section.id in shown],
        "dialogue_id": conclusion.outcome.dialogue_id,
    }


def dialogue_summary_json(dialogue, status: str) -> dict:
    return {
        "id": dialogue.id,
        "title": dialogue.title,
        "constituency": dialogue.constituency,
        "starts_at": iso(dialogue.starts_at),
        "ends_at": iso(dialogue.ends_at),
        "timezone": dialogue.timezone,
        "place": dialogue.place,
        "format": dialogue.format,
        "status": status,
    }


def outcome_json(outcome, shown: Container[int]) -> dict | None:
    if outcome is None:
        return None
    return {
        "status": outcome.status,
        "row_version": outcome.row_version,
        "summary": outcome.summary,
        "summary_html": outcome.summary_html,
        "published_at": iso(outcome.published_at),
        "updated_at": iso(outcome.updated_at),
        "conclusions": [conclusion_json(c, shown) for c in outcome.conclusions],
        "revisions": [
            {
                "number": r.number,
                "summary": r.summary,
                "conclusions": [
                    {**c, "section_ids": [section_id for section_id in c["section_ids"] if section_id in shown]}
                    for c in r.conclusions
                ],
                "replaced_at": iso(r.replaced_at),
            }
            for r in outcome.revisions
        ],
    }


def dialogue_json(dialogue, status: str, outcome, shown: Container[int], now: datetime) -> dict:
    participants = sorted(dialogue.participants, key=lambda p: p.organization.code)
    return {
        **dialogue_summary_json(dialogue, status),
        "row_version": dialogue.row_version,
        "description": dialogue.description,
        "agenda": [
            {"title": item.title, "section_ids": [s.id for s in item.sections if s.id in shown]}
            for item in dialogue.agenda
        ],
        "participants": [p.organization.code for p in participants],
        "attended": [p.organization.code for p in participants if p.status(now) == "attended"],
        "participation": [
            {"code": p.organization.code, "name": organization_name(p.organization), "status": p.status(now)}
            for p in participants
        ],
        "outcome": outcome_json(outcome, shown),
    }
