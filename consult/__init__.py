"""Consult: the application factory."""

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from config import CONFIGS, DEVELOPMENT_SECRET_KEY, Config
from consult.extensions import babel, compress, csrf, db, login_manager, migrate
from consult.maintenance import include_object
from consult.web.arguments import IdConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type[Config] = "development", **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(CONFIGS[config] if isinstance(config, str) else config)
    app.config.update(overrides)
    if app.config.get("SESSION_COOKIE_SECURE") and app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("Set SECRET_KEY: the development key must not sign production sessions.")
    Path(app.instance_path).mkdir(exist_ok=True)
    app.url_map.converters["int"] = IdConverter  # before any route is added

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _configure_sqlite(app)
    _configure_search()
    _configure_page_cache(app)
    _configure_serving(app)
    _configure_login()

    from consult import api, cli
    from consult.account import routes as account_routes
    from consult.admin import routes as admin_routes
    from consult.auth import routes as auth_routes
    from consult.comments import routes as comments_routes
    from consult.dialogues import routes as dialogues_routes
    from consult.drafts import import_routes  # noqa: F401 - its views join the drafts blueprint
    from consult.drafts import routes as drafts_routes
    from consult.items import routes as items_routes
    from consult.main import routes as main_routes
    from consult.matrix import routes as matrix_routes
    from consult.positions import routes as positions_routes
    from consult.roadmap import routes as roadmap_routes
    from consult.search import routes as search_routes
    from consult.web import errorhandlers, security, templating

    for blueprint in (
        main_routes.bp,
        auth_routes.bp,
        account_routes.bp,
        admin_routes.bp,
        drafts_routes.bp,
        comments_routes.bp,
        roadmap_routes.bp,
        items_routes.principles,
        items_routes.priorities,
        dialogues_routes.bp,
        matrix_routes.bp,
        positions_routes.bp,
        search_routes.bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)
    errorhandlers.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    return app


def select_locale() -> str:
    languages = Config.LANGUAGES
    if not has_request_context():  # command line, migrations
        return Config.BABEL_DEFAULT_LOCALE
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or Config.BABEL_DEFAULT_LOCALE


def select_timezone() -> str | None:
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return session.get("timezone")


def _configure_login() -> None:
    from flask_babel import lazy_gettext as _l

    from consult.auth.services import user_for_session

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"
    login_manager.user_loader(user_for_session)


def _configure_serving(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=1, x_host=1)

    @app.after_request
    def caching_headers(response):
        # Templates link static files with a content hash (?v=…), so a changed file gets
        # a new URL and the old one can be cached for a year.
        if request.endpoint == "static" and request.args.get("v"):
            response.cache_control.public = True
            response.cache_control.max_age = 31_536_000
            response.cache_control.immutable = True
        elif request.method == "GET" and response.status_code == 200 and not response.is_streamed:
            # Conditional GET: a reader who already has this exact page gets a 304.
            # Pages depend on who reads them, so only the reader's browser may keep them.
            response.cache_control.private = True
            response.cache_control.no_cache = True
            response.add_etag()
            response.make_conditional(request)
        return response


def _configure_search() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from consult.search.services import keep_index_in_step

    if not event.contains(Session, "after_flush", keep_index_in_step):
        event.listen(Session, "after_flush", keep_index_in_step)


def _configure_page_cache(app: Flask) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from consult.web import pagecache

    pagecache.init_app(app)
    for name, listener in (
        ("after_flush", pagecache.note_stale_scopes),
        ("before_commit", pagecache.replace_stamps),
        ("after_transaction_end", pagecache.forget_stale_scopes),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _engine_options(config) -> dict:
    """The engine options with how long a statement waits for another transaction's lock.

    Beyond DATABASE_LOCK_TIMEOUT a statement fails (SQLite: "database is locked"; PostgreSQL:
    lock_not_available) and the request answers 503 with Retry-After, rather than holding a
    worker for as long as the lock lasts.
    """
    from sqlalchemy.engine import make_url

    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    timeout = config["DATABASE_LOCK_TIMEOUT"]
    backend = make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if backend == "sqlite":
        connect_args.setdefault("timeout", timeout)  # sqlite3 sets the busy timeout from it
    elif backend == "postgresql":
        connect_args.setdefault("options", f"-c lock_timeout={round(timeout * 1000)}")
    options["connect_args"] = connect_args
    return options


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; the busy timeout (see _engine_options)
    # makes a second writer wait instead of failing at once with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _configure_sqlite(app: Flask) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
