"""Command-line entry point: argument parsing and the headless commands.

Exit status: 0 when the command ran, 1 on a runtime error (unknown feed or
article, unusable database), 2 on a usage or config error. No traceback
reaches the user: every expected failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader import __version__
from reader.config import ConfigError, ensure_starter_config
from reader.models import ALL, FeedConfig, UpdateOutcome, View
from reader.paths import resolve_config_path, resolve_db_path
from reader.sanitize import clean_line, safe_message
from reader.storage.connection import describe_database_error

if TYPE_CHECKING:
    from reader.fulltext import PageOutcome
    from reader.service import Service

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
MAX_LIMIT = 1_000_000_000


class CommandError(Exception):
    """A runtime failure reported as one line, exit status 1."""


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config file (default: $NEWSREADER_CONFIG, else the user config dir)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="database file (default: $NEWSREADER_DB, else the user data dir)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A fast, offline-first terminal reader for RSS, Atom and JSON Feed. "
        "Without a command, opens the reader.",
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--version", action="version", version=f"newsreader {__version__}")
        _global_options(sub, suppress=True)
        return sub

    refresh = command("refresh", "fetch all feeds (or one) and store new articles")
    refresh.add_argument("--feed", metavar="URL", help="refresh only this feed")
    command("unread", "print the number of unread articles")
    feeds = command("feeds", "list the configured feeds with counts")
    feeds.add_argument("--json", action="store_true", help="print JSON")
    entries = command("entries", "list articles, newest first")
    entries.add_argument("--feed", metavar="URL", help="only this feed's articles")
    entries.add_argument("--unread", action="store_true", help="only unread articles")
    entries.add_argument("--starred", action="store_true", help="only starred articles")
    entries.add_argument("--limit", metavar="N", type=_positive_int, help="at most N articles")
    entries.add_argument("--json", action="store_true", help="print JSON")
    show = command("show", "print one article as text (does not mark it read)")
    show.add_argument("id", type=int, metavar="ID", help="the article id (see `entries`)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.add_argument(
        "--full-text",
        action="store_true",
        help="print the article from its web page (fetched and stored first if needed)",
    )
    importer = command("import", "add the feeds of an OPML file to the config")
    importer.add_argument("file", metavar="FILE.opml")
    exporter = command("export", "write the config's feeds as OPML 2.0")
    exporter.add_argument("file", nargs="?", metavar="FILE", help="output file (default: stdout)")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_LIMIT}")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run newsreader; returns (and, as a console script, exits with) a status."""
    args = build_parser().parse_args(argv)
    from reader.logs import setup_logging

    log_path = setup_logging()
    try:
        return _dispatch(args, log_path)
    except ConfigError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except CommandError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except sqlite3.Error as exc:
        _error(describe_database_error(exc), exc)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`); nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        _error(f"{exc.filename or 'file'}: {exc.strerror or exc}", exc)
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line here, the traceback in the log
        where = f" (details in {log_path})" if log_path else ""
        _error(f"internal error: {type(exc).__name__}: {exc}{where}", exc)
        return EXIT_ERROR


def _error(message: str, exc: BaseException | None = None) -> None:
    """One line on stderr; the log gets it too, with the traceback when there is one."""
    line = clean_line(message, 2000)
    print(f"newsreader: {line}", file=sys.stderr)
    import logging

    logging.getLogger("reader.cli").warning(
        "%s", safe_message(line, 2000), exc_info=exc if exc is not None else None
    )


def _dispatch(args: argparse.Namespace, log_path: Path | None) -> int:
    from reader.storage import StorageError

    config_path, explicit = resolve_config_path(args.config)
    db_path = resolve_db_path(args.db)
    command = args.command
    if command == "import":
        return _import(config_path, Path(args.file))
    notices: list[str] = []
    if not explicit and ensure_starter_config(config_path):
        notices.append(f"wrote a starter config to {config_path}; edit it to add your feeds")
    try:
        service = _open_service(config_path, db_path)
    except StorageError as exc:
        raise CommandError(str(exc)) from None
    notices.extend(f"warning: {warning}" for warning in service.config.warnings)
    # Shown on stderr for every command; the UI also shows them on its status line.
    for notice in notices:
        print(f"newsreader: {clean_line(notice)}", file=sys.stderr)
    try:
        if command is None:
            return _run_ui(service, notices, log_path)
        handler = _HANDLERS[command]
        return handler(service, args)
    finally:
        service.close()


def _open_service(config_path: Path, db_path: Path) -> Service:
    from reader.config import load_config
    from reader.service import Service

    config = load_config(config_path)
    return Service(config, db_path)


def _run_ui(service: Service, notices: Sequence[str], log_path: Path | None) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CommandError("the reader needs a terminal; for scripts use a command (see --help)")
    from reader.ui.app import NewsReaderApp

    app = NewsReaderApp(service, notices=notices)
    app.run()
    if app.crash:
        where = f" (details in {log_path})" if log_path else ""
        raise CommandError(f"internal error: {app.crash}{where}")
    return EXIT_OK if not app.return_code else EXIT_ERROR


def _refresh(service: Service, args: argparse.Namespace) -> int:
    urls = None
    if args.feed:
        urls = [_known_feed(service, args.feed)]
    interactive = sys.stderr.isatty()
    told = [0, 0]  # feeds done (stored) and in all, for a Ctrl-C

    def progress(outcome: UpdateOutcome, done: int, total: int) -> None:
        told[:] = [done, total]
        line = _outcome_line(outcome)
        if line:
            if interactive:
                print("\r\x1b[K", end="", file=sys.stderr)
            print(line, file=sys.stderr)
        if interactive:
            print(f"\r\x1b[Krefreshing {done}/{total}", end="", file=sys.stderr, flush=True)

    # A feed named on the command line is fetched even when not due (but never
    # against a server's Retry-After).
    try:
        outcomes = service.refresh(urls, progress, forced=urls is not None)
    except KeyboardInterrupt:
        if interactive:
            print("\r\x1b[K", end="", file=sys.stderr)
        done, total = told
        print(
            f"stopped: {done} of {total or 'the'} feeds done and stored; "
            "the others keep what they had",
            file=sys.stderr,
        )
        raise
    finally:  # an error message must not be glued to the progress counter
        if interactive:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    for outcome in outcomes:
        if outcome.moved_to:
            print(
                f"moved: {_shown_url(outcome.url)} now redirects permanently to "
                f"{_shown_url(outcome.moved_to)}; "
                "update the config",
                file=sys.stderr,
            )
    print(summarize(outcomes))
    _fetch_new_full_texts(service, urls, interactive)
    return EXIT_OK


def _fetch_new_full_texts(service: Service, urls: list[str] | None, interactive: bool) -> None:
    """The full text of new articles of feeds with ``full_text`` on, after a refresh."""

    def progress(outcome: PageOutcome, done: int, total: int) -> None:
        if interactive:
            print(f"\r\x1b[Kfull text {done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        pages = service.fetch_new_full_texts(progress, feed_urls=urls)
    finally:
        if interactive:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    if pages:
        failed = sum(1 for page in pages if page.error)
        print(f"full text: {len(pages) - failed} articles extracted, {failed} failed")


def _outcome_line(outcome: UpdateOutcome) -> str | None:
    """The stderr line for a feed that failed or was not fetched; None when it went fine."""
    if not outcome.error and not outcome.skipped:
        return None  # most feeds: nothing to say, and nothing to import
    url = _shown_url(outcome.url)
    if outcome.error:
        return f"failed: {url}: {outcome.error}"
    from reader.output import local_time

    until = local_time(outcome.skipped_until)
    if outcome.skipped == "gone":
        return f"skipped: {url}: gone (HTTP 410); refresh it with --feed to try again"
    if outcome.skipped == "retry-after":
        return f"skipped until {until}: {url}: the server asked to wait (Retry-After)"
    if outcome.skipped:
        return f"skipped until {until}: {url}"
    return None


def _shown_url(url: str) -> str:
    """A URL fit for the terminal: no credentials, no control characters."""
    return safe_message(url, 2000)


def summarize(outcomes: Sequence[UpdateOutcome]) -> str:
    """One line: feeds ok, not modified, failed (and skipped, if any); new articles."""
    from reader.update import Tally

    t = Tally.of(outcomes)
    skipped = f", {t.skipped} skipped" if t.skipped else ""
    return (
        f"{t.feeds} feeds: {t.ok} ok, {t.not_modified} not modified, {t.failed} failed"
        f"{skipped}; {t.new_entries} new article{'s' if t.new_entries != 1 else ''}"
    )


def _unread(service: Service, args: argparse.Namespace) -> int:
    print(service.counts()[1])
    return EXIT_OK


def _feeds(service: Service, args: argparse.Namespace) -> int:
    from reader.output import dumps, feed_json, feed_line

    feeds = service.feeds()
    if args.json:
        print(dumps([feed_json(feed) for feed in feeds]))
    else:
        for feed in feeds:
            print(feed_line(feed))
    return EXIT_OK


def _entries(service: Service, args: argparse.Namespace) -> int:
    from reader.output import dumps, entry_json, entry_line

    view = View("feed", _known_feed(service, args.feed)) if args.feed else ALL
    ids = service.entry_ids(
        view, unread_only=args.unread, starred_only=args.starred, limit=args.limit
    )
    entries = service.entries(ids, with_full_text=False)  # a listing shows no page
    if args.json:
        print(dumps([entry_json(entry, full_text=False) for entry in entries]))
    else:
        for entry in entries:
            print(entry_line(entry))
    return EXIT_OK


def _show(service: Service, args: argparse.Namespace) -> int:
    from reader.output import dumps, entry_json, entry_text

    entry = service.entry(args.id)
    if entry is None:
        raise CommandError(f"no article with id {args.id}")
    status = EXIT_OK
    if args.full_text and entry.full_text is None:
        entry = service.fetch_full_text(entry.id) or entry
        if entry.full_text is None:
            # The feed's own content still follows; the status says it is not the full text.
            reason = entry.full_text_error or "no article found"
            _error(f"no full text for article {entry.id}: {reason}; showing the feed's content")
            status = EXIT_ERROR
    reading_width = service.config.settings.reading_width
    if args.json:
        data = entry_json(entry)
        data["text"] = entry_text(
            entry, width=None, full_text=args.full_text, reading_width=reading_width
        )
        print(dumps(data))
        return status
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(entry_text(entry, width=width, full_text=args.full_text, reading_width=reading_width))
    return status


def _import(config_path: Path, opml_path: Path) -> int:
    from reader.config_edit import ConfigEditError, add_feeds
    from reader.opml import OpmlError, parse_opml

    try:
        data = opml_path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{opml_path}: cannot read: {exc.strerror or exc}") from None
    try:
        feeds = parse_opml(data, source=str(opml_path))
    except OpmlError as exc:
        raise CommandError(str(exc)) from None
    try:
        result = add_feeds(config_path, feeds)
    except ConfigEditError as exc:
        raise ConfigError(str(exc)) from None
    for feed in result.added:
        tags = f" [{', '.join(clean_line(tag) for tag in feed.tags)}]" if feed.tags else ""
        print(f"added: {clean_line(feed.title or feed.url)} <{_shown_url(feed.url)}>{tags}")
    print(
        f"{len(result.added)} feed{'s' if len(result.added) != 1 else ''} added to {config_path}, "
        f"{len(result.skipped)} already there"
    )
    return EXIT_OK


def _export(service: Service, args: argparse.Namespace) -> int:
    from reader.opml import write_opml

    # Feeds without a title in the config are exported with the feed's own title.
    feeds = [
        FeedConfig(info.url, None if info.title == info.url else info.title, info.tags)
        for info in service.feeds()
    ]
    document = write_opml(feeds)
    if args.file:
        try:
            Path(args.file).write_text(document, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{args.file}: cannot write: {exc.strerror or exc}") from None
        print(f"wrote {len(feeds)} feeds to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(document if document.endswith("\n") else document + "\n")
    return EXIT_OK


def _known_feed(service: Service, url: str) -> str:
    from reader.service import UnknownFeedError

    try:
        return service.feed_config(url).url
    except UnknownFeedError as exc:
        raise CommandError(str(exc)) from None


_HANDLERS = {
    "refresh": _refresh,
    "unread": _unread,
    "feeds": _feeds,
    "entries": _entries,
    "show": _show,
    "export": _export,
}
