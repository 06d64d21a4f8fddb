"""What every API domain's views share: the blueprint and its decorators, bearer tokens,
reading requests, pagination, and the one commit of a request.

A domain's views (consult/api/<domain>/__init__.py) register on ``bp`` through the route
decorator of ``domain()``. Its schemas (schemas.py beside the views) validate what the views
read and serialize what they answer, and the OpenAPI document is generated from them:

    route = domain("Comments", "…")

    @route("/comments/<int:comment_id>/withdraw", methods=["POST"])
    @errors(403, 404, 409)
    @bp.response(200, CommentSchema)
    @bp.body(WithdrawalSchema)
    def withdraw_comment(comment_id, body):
        '''Withdraw a comment, with a reason; it stays on record'''
        item = comments.get_comment(g.api_user, comment_id)             # load
        authorize(g.api_user, "comment.withdraw", item)                 # authorize
        return comments.withdraw_comment(g.api_user, item, **body())    # validate, act

The docstring is the operation's summary in the document. The validated body goes to the
service as it is, so a field is added in the schema alone. Every route takes a bearer token.
The body and the query string are read when the view asks for them, after it has found and
authorized what it acts on: one who may not act is told so before being told what is wrong
with the fields. The answer is serialized, then the request's
one commit is made, so that an answer shows what this request stored and nothing later.
"""

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import flask
import flask_smorest
import marshmallow
from flask import current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l

from consult.api.document import ERROR_RESPONSES, PREFIX, Api
from consult.api.schema import ANSWER_STATE, DEFAULT_PER_PAGE, MAX_PER_PAGE, PageSchema, field_messages
from consult.auth.services import user_for_token
from consult.errors import ValidationFailed
from consult.extensions import csrf, db
from consult.validation import positive_integer
from consult.web.errorhandlers import json_error

# Every operation may answer these: no valid token, too many invalid ones, a busy database.
COMMON_ERRORS = (401, 429, 503)


class MalformedRequest(ValidationFailed):
    status = 400
    code = "malformed"
    default_message = _l("Send a JSON object in the request body.")


# -- requests --------------------------------------------------------------------------


def token_required(view):
    """The caller's user from ``Authorization: Bearer <token>`` in ``g.api_user``; else 401."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token) if scheme.lower() == "bearer" else None
        if user is None:
            response, status = json_error(
                401, "unauthorized", _l("Send a valid API token: Authorization: Bearer <token>.")
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="consult"'
            return response, status
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def payload() -> dict:
    """The JSON object of the request body (whatever its declared content type)."""
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the JSON decoder goes; silent only covers ValueError
        data = None
    if not isinstance(data, dict):
        raise MalformedRequest()
    return data


def _read(schema: marshmallow.Schema, location: str) -> dict:
    if location == "json":
        data = payload()
    elif location == "files":
        data = {**request.form.to_dict(), **request.files.to_dict()}
    else:
        data = request.args.to_dict()
    try:
        return schema.load(data)
    except marshmallow.ValidationError as error:
        raise ValidationFailed(field_errors=field_messages(error.messages)) from None


def _committed(view):
    """The request's one commit, once the answer is serialized (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        db.session.commit()
        return response

    return wrapper


# -- pagination ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    items: list
    total: int
    has_next: bool


@dataclass(frozen=True)
class PageRequest:
    """The page a list is asked for: a page or size that is not a positive number is the
    default, a size over the maximum the maximum (never an error)."""

    number: int
    size: int

    @classmethod
    def from_request(cls) -> "PageRequest":
        number = positive_integer(request.args.get("page"), 6) or 1
        size = min(MAX_PER_PAGE, positive_integer(request.args.get("per_page"), 6) or DEFAULT_PER_PAGE)
        return cls(number, size)

    def of(self, items: Sequence) -> ListPage:
        """This page of a list built whole (Flask-SQLAlchemy's ``db.paginate`` pages a query)."""
        start = (self.number - 1) * self.size
        return ListPage(list(items[start : start + self.size]), len(items), start + self.size < len(items))


def _page_headers(result, page: PageRequest) -> dict[str, str]:
    headers = {"X-Total-Count": str(result.total)}
    if result.has_next:
        kept = [(name, value) for name, value in request.args.items(multi=True) if name not in ("page", "per_page")]
        query = urlencode([*kept, ("page", page.number + 1), ("per_page", page.size)])
        headers["Link"] = f'<{request.base_url}?{query}>; rel="next"'
    return headers


PAGE_HEADERS = {
    "X-Total-Count": {
        "description": "How many items the list holds, on every page",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Link": {
        "description": 'The next page, while there is one: `<…?page=2&per_page=50>; rel="next"`',
        "schema": {"type": "string"},
    },
}

# -- the blueprint ---------------------------------------------------------------------


def _with_doc(wrapper, *, errors=(), parameter=None) -> None:
    """Add to what the decorated view tells the document (flask-smorest's ``_apidoc``)."""
    apidoc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
    apidoc["errors"] = sorted(set(apidoc.get("errors", ())) | set(errors))
    if parameter:
        apidoc.setdefault("arguments", {}).setdefault("parameters", []).append(parameter)
    wrapper._apidoc = apidoc


def errors(*statuses: int):
    """The errors the operation answers besides those every operation may (401, 429, 503) and
    those of a body it reads (400, 413, 422): 403, 404, 409 …, each in the error envelope."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        _with_doc(wrapper, errors=statuses)
        return wrapper

    return decorator


class Blueprint(flask_smorest.Blueprint):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_errors_doc)

    def route(self, rule, **options):
        """Register the view, behind a bearer token, committing once its answer is made."""
        register = super().route(rule, **options)
        return lambda view: register(token_required(_committed(view)))

    def body(self, schema, *, location: str = "json"):
        """The request body the schema describes (``location="files"``: a multipart form). The
        view gets ``body``, to call for the validated data once it may act."""
        statuses = (400, 413, 422) if location == "json" else (413, 422)
        return self._reader("body", schema, location, statuses)

    def query(self, schema):
        """The query arguments the schema describes; the view gets ``query`` to call for them."""
        return self._reader("query", schema, "query", ())

    def _reader(self, name: str, schema, location: str, statuses: tuple[int, ...]):
        schema = schema() if isinstance(schema, type) else schema

        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                return view(*args, **{name: functools.partial(_read, schema, location)}, **kwargs)

            _with_doc(wrapper, errors=statuses, parameter={"in": location, "required": True, "schema": schema})
            return wrapper

        return decorator

    def paginated(self, schema):
        """A list that grows: the view gets ``page`` (a ``PageRequest``) and returns that page,
        a Flask-SQLAlchemy ``Pagination`` (``db.paginate``) or ``page.of(a list)``."""
        schema_class = schema if isinstance(schema, type) else type(schema)

        def decorator(view):
            @functools.wraps(view)
            def wrapper(*args, **kwargs):
                page = PageRequest.from_request()
                result = view(*args, page=page, **kwargs)
                return result.items, _page_headers(result, page)

            _with_doc(wrapper, parameter={"in": "query", "required": False, "schema": PageSchema})
            return self.response(200, schema_class(many=True), headers=PAGE_HEADERS)(wrapper)

        return decorator

    @staticmethod
    def _prepare_errors_doc(doc, doc_info, **kwargs):
        for status in sorted({*COMMON_ERRORS, *doc_info.get("errors", ())}):
            doc.setdefault("responses", {}).setdefault(str(status), ERROR_RESPONSES[status][0])
        return doc


bp = Blueprint("api", __name__, url_prefix=PREFIX, description="Consult API v1")
TAGS: list[dict] = []


@bp.before_request
def _forget_the_last_answer() -> None:
    # What an answer keeps in g (its reader, its time, the sections it may name) is its own,
    # also where several requests share an app context (the tests).
    for name in ("api_user", *ANSWER_STATE):
        g.pop(name, None)


def domain(tag: str, description: str):
    """The route decorator of one domain's views: the document groups their operations under ``tag``."""
    TAGS.append({"name": tag, "description": description})
    return functools.partial(bp.route, tags=[tag])


def openapi():
    return jsonify(current_app.extensions["consult.api"].document())


# Public, and no operation of the API: added past the route that documents and protects.
flask.Blueprint.add_url_rule(bp, "/openapi.json", "openapi", openapi)


def init_app(app: flask.Flask) -> None:
    api = Api(app, tags=TAGS)
    api.register_blueprint(bp)
    csrf.exempt(bp)  # the API authenticates with bearer tokens, never with cookies
    app.extensions["consult.api"] = api
