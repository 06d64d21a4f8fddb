"""The JSON API, /api/v1: one package per domain, its views in __init__.py and, beside them in
schemas.py, the schemas that validate requests, serialize answers and make the OpenAPI
document (/api/v1/openapi.json). What the domains share: common.py (the blueprint, tokens,
requests, pagination), schema.py (fields and shared shapes), document.py (the document)."""

from flask import Flask

from consult.api import comments, common, dialogues, drafts, items, matrix, positions, roadmap, search

DOMAINS = (drafts, comments, positions, roadmap, items, dialogues, matrix, search)  # their views are on common.bp


def init_app(app: Flask) -> None:
    common.init_app(app)
