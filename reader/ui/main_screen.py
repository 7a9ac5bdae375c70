"""The three-pane screen: routes messages between panes and the service.

Widgets post messages up and receive data down; they never reach into each
other. Everything that touches the network runs in a thread worker, so the
screen never freezes; database reads here are small indexed queries.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from reader.config import ConfigError
from reader.fulltext import PageOutcome
from reader.links import LinkRefused, check_link
from reader.models import ALL, Entry, EntryRow, UpdateOutcome, View, ViewSnapshot
from reader.sanitize import clean_line, redact_credentials
from reader.schedule import periodic_delay, periodic_spread
from reader.storage import StorageError
from reader.storage.connection import describe_database_error
from reader.ui.article_list import ArticleList
from reader.ui.article_view import ArticleView
from reader.ui.feed_detail import FeedDetailScreen, skip_text
from reader.ui.feed_pane import FeedPane
from reader.ui.formatting import short_date
from reader.ui.help_screen import HelpScreen
from reader.ui.messages import (
    FeedRefreshed,
    FullTextFetched,
    FullTextProgress,
    FullTextsFinished,
    RefreshFinished,
)
from reader.update import Tally

if TYPE_CHECKING:
    from reader.ui.app import NewsReaderApp

logger = logging.getLogger("reader.ui")

T = TypeVar("T")

CONFIG_POLL_SECONDS = 2.0
RELOAD_DELAY_SECONDS = 0.3


class StatusLine(Static):
    """One line for progress, errors and hints; plain text only."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    StatusLine.-error { color: $error; }
    """

    def say(self, message: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.update(Text(clean_line(message, 500)))


class MainScreen(Screen[None]):
    """Feeds | articles over the article view, a status line and the footer."""

    BINDINGS = [
        Binding("r", "refresh_selected", "Refresh"),
        Binding("R", "refresh_all", "Refresh all"),
        Binding("i", "feed_details", "Feed info", show=False),
        Binding("m", "toggle_read", "Read"),
        Binding("s", "toggle_star", "Star"),
        Binding("o", "open_link", "Open"),
        Binding("f", "toggle_full_text", "Full text"),
        Binding("u", "toggle_unread_only", "Unread"),
        Binding("A", "mark_view_read", "Read all"),
        Binding("n", "next_unread", "Next unread", show=False),
        Binding("p", "previous_unread", "Prev unread", show=False),
        Binding("space", "page_or_next", "Page/next", show=False),
        Binding("ctrl+r", "reload_config", "Reload config", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]
    DEFAULT_CSS = """
    MainScreen #feeds { width: 30; height: 1fr; border: round $primary-muted; }
    MainScreen.-narrow #feeds { width: 22; }
    MainScreen.-tiny #feeds { width: 0; border: none; }
    MainScreen.-tiny.-feeds-open #feeds { width: 100%; border: round $accent; }
    MainScreen.-tiny.-feeds-open #right { display: none; }
    MainScreen #right { width: 1fr; }
    MainScreen #articles { height: 2fr; min-height: 6; border: round $primary-muted; }
    MainScreen #article { height: 3fr; border: round $primary-muted; }
    MainScreen.-short #articles { height: 1fr; }
    MainScreen.-short #article { height: 1fr; }
    MainScreen #feeds, MainScreen #articles, MainScreen #article {
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
    }
    MainScreen #feeds:focus, MainScreen #articles:focus, MainScreen #article:focus {
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.view: View = ALL
        self.unread_only = False
        self._snapshot: ViewSnapshot | None = None  # what the article list shows
        self._refreshing_urls: set[str] | None = None  # feeds of the refresh in progress
        self._refresh_forced = False  # the running refresh was asked for by name
        self._pending_refresh: dict[str, bool] = {}  # url → forced, to run after this one
        self._reload_timer_armed = False
        self._config_mtime: float | None = None
        self._refresh_timer: Timer | None = None
        self._fetching_full_text: set[int] = set()  # entry ids with an f in flight

    @property
    def nr_app(self) -> NewsReaderApp:
        from reader.ui.app import NewsReaderApp

        assert isinstance(self.app, NewsReaderApp)
        return self.app

    def compose(self) -> ComposeResult:
        service = self.nr_app.service
        feeds = FeedPane(id="feeds")
        feeds.border_title = "Feeds"
        articles = ArticleList(service.entry_rows, self.nr_app.clock, id="articles")
        articles.border_title = "Articles"
        article = ArticleView(reading_width=service.config.settings.reading_width, id="article")
        article.border_title = "Article"
        with Horizontal():
            yield feeds
            with Vertical(id="right"):
                yield articles
                yield article
        yield StatusLine(id="status")
        yield Footer(compact=True)

    # -- start-up --------------------------------------------------------

    def on_mount(self) -> None:
        self._reload_feeds()
        self._load_articles(keep_position=False)
        self.query_one(ArticleList).focus()
        self._config_mtime = self.nr_app.service.config_mtime()
        self.set_interval(CONFIG_POLL_SECONDS, self._check_config_changed)
        settings = self.nr_app.service.config.settings
        self._schedule_auto_refresh()
        notices = self.nr_app.notices
        for notice in notices:
            self.notify(clean_line(notice, 500), markup=False, timeout=15)
        self._status("Press ? for keys.")
        if settings.refresh_on_start:
            self.action_refresh_all()

    def _schedule_auto_refresh(self) -> None:
        """(Re)start the auto-refresh timer from the current ``refresh_interval``."""
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        interval = self.nr_app.service.config.settings.refresh_interval
        if interval > 0:
            self._refresh_timer = self.set_timer(
                periodic_delay(interval), self._periodic_refresh, name="auto-refresh"
            )

    def _periodic_refresh(self) -> None:
        """A periodic refresh of the due feeds; re-armed with fresh jitter each time.

        Its fetches are spread over a short window, so hundreds of feeds do
        not all start in the same second.
        """
        self._refresh_timer = None
        self._schedule_auto_refresh()
        interval = self.nr_app.service.config.settings.refresh_interval
        self._start_refresh(None, spread=periodic_spread(interval))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # On a very narrow terminal the feed pane takes the whole width while it has focus.
        self.set_class(isinstance(event.widget, FeedPane), "-feeds-open")

    def on_resize(self) -> None:
        width, height = self.size
        self.set_class(width < 100, "-narrow")
        self.set_class(width < 60, "-tiny")
        self.set_class(height < 30, "-short")

    # -- data down -------------------------------------------------------

    def _reload_feeds(self) -> None:
        service = self.nr_app.service
        self.query_one(FeedPane).show_feeds(*service.overview())

    def _load_articles(self, *, keep_position: bool = True) -> None:
        service = self.nr_app.service
        articles = self.query_one(ArticleList)
        snapshot = self._snapshot = service.snapshot(self.view, unread_only=self.unread_only)
        articles.empty_message = self._empty_message()
        articles.set_view(
            snapshot.count,
            partial(service.snapshot_page, snapshot),
            partial(service.snapshot_position, snapshot),
            show_feed=self.view.kind != "feed",
            keep_position=keep_position,
        )
        title = self._view_title()
        if self.unread_only and not self.view.unread_only:
            title += " (unread)"
        articles.border_title = Text(title)  # a Text, so feed titles are never markup

    def _view_title(self) -> str:
        view = self.view
        if view.kind == "feed":
            return clean_line(self.query_one(FeedPane).feed_title(view.key), 60)
        if view.kind == "tag":
            return clean_line(view.key, 60) or "untagged"
        return {"all": "All", "unread": "Unread", "starred": "Starred"}.get(view.kind, "Articles")

    def _empty_message(self) -> str:
        error = self.query_one(FeedPane).error_for(self.view)
        if error:
            return f"No articles. Last fetch failed: {error}"
        if self.unread_only or self.view.unread_only:
            return "No unread articles."
        if self.view.starred_only:
            return "No starred articles. Press s on an article to star it."
        return "No articles yet. Press r to refresh."

    @contextmanager
    def _saving(self) -> Iterator[None]:
        """Run a database write; a failure is a status-line message, not a crash."""
        try:
            yield
        except (sqlite3.Error, StorageError) as exc:
            message = describe_database_error(exc) if isinstance(exc, sqlite3.Error) else str(exc)
            self._status(f"Not saved: {message}", error=True)

    def _status(self, message: str, *, error: bool = False) -> None:
        self.query_one(StatusLine).say(message, error=error)

    # -- messages up -----------------------------------------------------

    def _show_view(self, view: View) -> bool:
        """Switch the article list to ``view``; False if it was already shown."""
        if view == self.view:
            return False
        self.view = view
        self._load_articles(keep_position=False)
        return True

    @on(FeedPane.ViewHighlighted)
    def _view_highlighted(self, message: FeedPane.ViewHighlighted) -> None:
        if not self._show_view(message.view):
            return
        error = self.query_one(FeedPane).error_for(message.view)
        if error:
            self._status(f"⚠ {self._view_title()}: {error}", error=True)

    @on(FeedPane.ViewChosen)
    def _view_chosen(self, message: FeedPane.ViewChosen) -> None:
        self._show_view(message.view)
        self.query_one(ArticleList).focus()

    @on(ArticleList.Selected)
    def _article_selected(self, message: ArticleList.Selected) -> None:
        self._open_article(message.entry_id)

    def _open_article(self, entry_id: int) -> None:
        service = self.nr_app.service
        entry = service.entry(entry_id)
        if entry is None:
            return
        # A feed set to full_text opens on the full text once it is stored.
        full = entry.full_text is not None and service.full_text_enabled(entry.feed_url)
        self._show(entry, full_text=full)
        if not entry.read:
            with self._saving():
                service.set_read([entry_id], True)
                self.query_one(ArticleList).update_row(entry_id, read=True)
                self._reload_feeds()

    def _show(self, entry: Entry, *, full_text: bool = False, note: str | None = None) -> None:
        self.query_one(ArticleView).show_entry(entry, full_text=full_text, note=note)

    # -- actions ---------------------------------------------------------

    def _current_entry_id(self) -> int | None:
        """The article being read when the view has focus, else the list's cursor."""
        article = self.query_one(ArticleView)
        if article.entry is not None and self.focused is article:
            return article.entry.id
        current = self.query_one(ArticleList).current_id
        if current is not None:
            return current
        return article.entry.id if article.entry else None

    def _current_row(self) -> EntryRow | None:
        entry_id = self._current_entry_id()
        return self.query_one(ArticleList).row(entry_id) if entry_id is not None else None

    def action_toggle_read(self) -> None:
        row = self._current_row()
        if row is None:
            return
        with self._saving():
            self.nr_app.service.set_read([row.id], not row.read)
            self.query_one(ArticleList).update_row(row.id, read=not row.read)
            self._reload_feeds()
            self._status("Marked unread." if row.read else "Marked read.")

    def action_toggle_star(self) -> None:
        row = self._current_row()
        if row is None:
            return
        with self._saving():
            self.nr_app.service.set_starred([row.id], not row.starred)
            self.query_one(ArticleList).update_row(row.id, starred=not row.starred)
            self._reload_feeds()
            self._status("Unstarred." if row.starred else "Starred.")

    def action_mark_view_read(self) -> None:
        snapshot = self._snapshot
        if snapshot is None or not snapshot.count:
            self._status("Nothing to mark read here.")
            return
        with self._saving():
            # Articles that arrived after the list was drawn stay unread.
            changed = self.nr_app.service.mark_view_read(self.view, up_to_id=snapshot.up_to_id)
            self._reload_feeds()
            self._load_articles()
            self._status(f"Marked {changed} article{'s' if changed != 1 else ''} read.")

    def action_toggle_unread_only(self) -> None:
        self.unread_only = not self.unread_only
        self._load_articles()
        self._status(
            "Showing unread articles only." if self.unread_only else "Showing all articles."
        )

    def action_next_unread(self) -> None:
        self._jump_unread(+1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def _jump_unread(self, step: int) -> None:
        articles = self.query_one(ArticleList)
        index = articles.cursor + step
        reading = self.query_one(ArticleView).entry
        if step > 0 and (reading is None or reading.id != articles.current_id):
            index = articles.cursor  # the row under the cursor has not been read yet: start there
        # Look through the rows in windows so a 100,000-article list is not loaded at once.
        while 0 <= index < articles.row_total:
            stop = index + step * 200
            if step > 0:
                window = articles.ids_between(index, stop)
            else:
                window = articles.ids_between(max(stop + 1, 0), index + 1)[::-1]
            rows = self.nr_app.service.entry_rows(window)
            for offset, entry_id in enumerate(window):
                row = rows.get(entry_id)
                if row is not None and not row.read:
                    articles.move_to(index + step * offset, select=True)
                    return
            index += step * len(window)
            if not window:
                break
        self._status("No more unread articles here.")

    def action_page_or_next(self) -> None:
        article = self.query_one(ArticleView)
        if article.entry is not None and not article.at_bottom:
            article.scroll_page_down(animate=False)
        else:
            self._jump_unread(+1)

    def action_open_link(self) -> None:
        entry_id = self._current_entry_id()
        entry = self.nr_app.service.entry(entry_id) if entry_id is not None else None
        if entry is None:
            return
        self._open_url(entry.link)

    def _open_url(self, link: str | None) -> None:
        """Open a link the feed gave, if it is safe to; say what happened either way."""
        try:
            url = check_link(link)
        except LinkRefused as exc:
            self._status(str(exc), error=True)
            self.notify(clean_line(str(exc), 300), severity="warning", markup=False)
            return
        try:
            self.nr_app.opener(url)
        except OSError as exc:
            self._status(f"Cannot open the link: {exc}", error=True)
            return
        self._status(f"Opened {clean_line(url, 200)}")

    def on_key(self, event: events.Key) -> None:
        """Digits and ``l`` number open links of the article shown, whichever pane has focus."""
        if self.query_one(ArticleView).link_key(event.key):
            event.stop()

    @on(ArticleView.OpenLink)
    def _open_article_link(self, message: ArticleView.OpenLink) -> None:
        self._open_url(message.url)

    @on(ArticleView.Notice)
    def _article_notice(self, message: ArticleView.Notice) -> None:
        self._status(message.text, error=True)

    def action_toggle_full_text(self) -> None:
        """Full text ⇄ the feed's own content; fetches the page in the background if needed."""
        view = self.query_one(ArticleView)
        shown = view.entry
        if shown is None or (self.focused is not view and self._current_entry_id() != shown.id):
            entry_id = self._current_entry_id()
            if entry_id is None:
                return
            self._open_article(entry_id)  # a full-text feed's article may open on it
            if view.entry is None or view.shows_full_text:
                return
            shown = view.entry
        # Fresh from the database: the full text may have been stored since it opened.
        entry = self.nr_app.service.entry(shown.id) or shown
        if view.shows_full_text:
            self._show(entry, full_text=False)
            self._status("Showing the feed summary.")
        elif entry.full_text is not None:
            self._show(entry, full_text=True)
            self._status("Showing the full text.")
        elif entry.id in self._fetching_full_text:
            self._status("Still fetching the full text…")
        else:
            self._fetching_full_text.add(entry.id)
            self._show(entry, note="⟳ fetching the full text…")
            self._status("⟳ Fetching the full text…")
            self._full_text_worker(entry.id)

    @work(thread=True, group="full-text", exit_on_error=False)
    def _full_text_worker(self, entry_id: int) -> None:
        service = self.nr_app.service
        worker = get_current_worker()
        entry, error = self._in_worker(
            lambda: service.fetch_full_text(entry_id, should_stop=lambda: worker.is_cancelled),
            None,
        )
        self.post_message(FullTextFetched(entry_id, entry, error))

    @on(FullTextFetched)
    def _full_text_fetched(self, message: FullTextFetched) -> None:
        self._fetching_full_text.discard(message.entry_id)
        entry = message.entry
        reason = message.error or (entry.full_text_error if entry is not None else None)
        ok = entry is not None and entry.full_text is not None and message.error is None
        view = self.query_one(ArticleView)
        still_shown = view.entry is not None and view.entry.id == message.entry_id
        if entry is not None and still_shown:
            if ok:
                self._show(entry, full_text=True)
            else:
                note = f"Full text failed: {reason or 'no article found'}; showing the feed summary"
                self._show(entry, note=note)
        if ok:
            self._status("Showing the full text." if still_shown else "Full text ready.")
        else:
            self._status(f"No full text: {reason or 'no article found'}", error=True)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        self.app.exit()

    # -- refreshing ------------------------------------------------------

    def action_refresh_all(self) -> None:
        """Refresh every feed that is due (the servers' hints and backoff are obeyed)."""
        self._start_refresh(None)

    def action_refresh_selected(self) -> None:
        """Refresh the selected feed (or tag) now, due or not: the user asked for it."""
        service = self.nr_app.service
        feeds = self.query_one(FeedPane)
        view = feeds.highlighted_view if self.focused is feeds else None
        if view is None or view.kind not in ("feed", "tag"):
            view = self.view
        if view.kind in ("feed", "tag"):
            self._start_refresh(service.feed_urls(view), forced=True)
            return
        row = self._current_row()
        if row is not None:
            self._start_refresh([row.feed_url], forced=True)
        else:  # no feed named: the polite refresh of everything due, as R
            self._start_refresh(None)

    def action_feed_details(self) -> None:
        """Show everything known about the selected feed: errors, schedule, moves."""
        url = self._selected_feed_url()
        if url is None:
            self._status("Select a feed (or an article of it) to see its details.")
            return
        info = self.nr_app.service.feed_info(url)
        if info is None:
            return

        def closed(refresh: bool | None) -> None:
            if refresh:
                self._start_refresh([url], forced=True)

        self.app.push_screen(FeedDetailScreen(info, self.nr_app.clock()), closed)

    def _selected_feed_url(self) -> str | None:
        """The feed under the feed pane's cursor when it has focus, else the article's feed."""
        feeds = self.query_one(FeedPane)
        highlighted = feeds.highlighted_view
        if self.focused is feeds and highlighted is not None and highlighted.kind == "feed":
            return highlighted.key
        if self.view.kind == "feed":
            return self.view.key
        row = self._current_row()
        return row.feed_url if row is not None else None

    @property
    def refreshing(self) -> bool:
        return self._refreshing_urls is not None

    def _start_refresh(
        self, urls: Sequence[str] | None, *, forced: bool = False, spread: float = 0.0
    ) -> None:
        service = self.nr_app.service
        wanted = list(urls) if urls is not None else service.feed_urls(ALL)
        if self._refreshing_urls is not None:
            later = [url for url in wanted if url not in self._refreshing_urls or forced]
            if later:
                for url in later:
                    self._pending_refresh[url] = self._pending_refresh.get(url, False) or forced
                self._status("A refresh is running; the rest will follow it.")
            return
        if not wanted:
            self._status("No feeds to refresh. Add some to the config file.")
            return
        self._refreshing_urls = set(wanted)
        self._refresh_forced = forced
        # A running automatic full-text run gives way; the next one picks up what it left.
        self.workers.cancel_group(self, "auto-full-text")
        self._status(f"⟳ Refreshing 0/{len(wanted)}…")
        self._refresh_worker(wanted, forced, spread)

    @work(thread=True, group="refresh", exit_on_error=False)
    def _refresh_worker(self, urls: list[str], forced: bool, spread: float) -> None:
        service = self.nr_app.service
        worker = get_current_worker()

        def progress(outcome: UpdateOutcome, done: int, total: int) -> None:
            self.post_message(FeedRefreshed(outcome, done, total))

        outcomes, error = self._in_worker(
            lambda: service.refresh(
                urls,
                progress,
                should_stop=lambda: worker.is_cancelled,
                forced=forced,
                spread=spread,
            ),
            "Refresh failed",
        )
        # Always sent, so the screen never thinks a refresh is still running.
        self.post_message(RefreshFinished(outcomes or [], error, len(urls)))

    def _in_worker(self, job: Callable[[], T], failure: str | None) -> tuple[T | None, str | None]:
        """Run ``job`` on a worker thread: (its result, None), or (None, one line why not).

        A database failure becomes its sentence and a bug is logged with its
        traceback (``failure`` prefixes either); this thread's SQLite
        connection is closed in any case, so the caller can always post its message.
        """
        try:
            return job(), None
        except sqlite3.Error as exc:  # busy, full, read-only: one sentence, no traceback
            reason = describe_database_error(exc)
        except Exception as exc:  # shown on the status line, never as a traceback
            logger.exception("%s", failure or "background work failed")
            reason = f"{type(exc).__name__}: {exc}"
        finally:
            try:
                self.nr_app.service.release_thread_storage()
            except Exception:
                logger.exception("closing a worker's database connection failed")
        return None, f"{failure}: {reason}" if failure else reason

    @on(FullTextProgress)
    def _full_text_progress(self, message: FullTextProgress) -> None:
        self._status(f"⟳ Fetching full text {message.done}/{message.total}…")

    @on(FeedRefreshed)
    def _feed_refreshed(self, message: FeedRefreshed) -> None:
        self._status(f"⟳ Refreshing {message.done}/{message.total}…")
        outcome = message.outcome
        if outcome.new_entries or outcome.error or outcome.gone or outcome.warning:
            self._schedule_reload()

    def _schedule_reload(self) -> None:
        if not self._reload_timer_armed:
            self._reload_timer_armed = True
            self.set_timer(RELOAD_DELAY_SECONDS, self._reload_after_refresh)

    def _reload_after_refresh(self) -> None:
        if self._reload_timer_armed:
            self._reload_timer_armed = False
            self._reload_feeds()
            self._load_articles()

    @on(RefreshFinished)
    def _refresh_finished(self, message: RefreshFinished) -> None:
        self._refreshing_urls = None
        self._reload_timer_armed = False
        self._reload_feeds()
        self._load_articles()
        if message.error:
            self._status(message.error, error=True)
        elif len(message.outcomes) < message.requested:
            self._status(f"Refresh stopped after {len(message.outcomes)} of {message.requested}.")
        else:
            self._status(_summary(message.outcomes), error=False)
            if self._refresh_forced:
                self._notify_problems(message.outcomes)
        self._notify_moves(message.outcomes)
        pending, self._pending_refresh = self._pending_refresh, {}
        forced = [url for url, by_name in pending.items() if by_name]
        due = [url for url, by_name in pending.items() if not by_name]
        if forced:
            self._start_refresh(forced, forced=True)
            for url in due:  # after the forced ones, as a due-only run
                self._pending_refresh.setdefault(url, False)
        elif due:
            self._start_refresh(due)
        if self._refreshing_urls is None and not message.error:
            self._start_auto_full_text([o.url for o in message.outcomes if not o.skipped])

    def _start_auto_full_text(self, urls: Sequence[str]) -> None:
        """After a refresh: the pages of new articles of feeds with full_text on."""
        service = self.nr_app.service
        wanted = [url for url in urls if service.full_text_enabled(url)]
        if wanted:
            self._auto_full_text_worker(wanted)

    @work(thread=True, group="auto-full-text", exclusive=True, exit_on_error=False)
    def _auto_full_text_worker(self, urls: list[str]) -> None:
        service = self.nr_app.service
        worker = get_current_worker()

        def progress(outcome: PageOutcome, done: int, total: int) -> None:
            self.post_message(FullTextProgress(done, total))

        pages, error = self._in_worker(
            lambda: service.fetch_new_full_texts(
                progress, lambda: worker.is_cancelled, feed_urls=urls
            ),
            "Full text not stored",
        )
        self.post_message(FullTextsFinished(pages or [], error, worker.is_cancelled))

    @on(FullTextsFinished)
    def _full_texts_finished(self, message: FullTextsFinished) -> None:
        if message.error:
            self._status(message.error, error=True)
            return
        if message.stopped or not message.pages or self.refreshing:
            return
        failed = sum(1 for page in message.pages if page.error)
        extracted = len(message.pages) - failed
        text = f"Full text of {extracted} new article{'s' if extracted != 1 else ''} stored"
        self._status(text + (f"; {failed} failed." if failed else "."))

    def _notify_moves(self, outcomes: Sequence[UpdateOutcome]) -> None:
        """A permanent redirect is worth telling once: the config can be updated."""
        pane = self.query_one(FeedPane)
        for outcome in outcomes:
            if outcome.moved_to:
                title = clean_line(pane.feed_title(outcome.url), 60)
                text = (
                    f"{title} moved permanently to {redact_credentials(outcome.moved_to)}; "
                    "it is fetched from there now. Update the URL in the config "
                    "(the articles stay)."
                )
                self.notify(clean_line(text, 500), markup=False, timeout=15)

    def _notify_problems(self, outcomes: Sequence[UpdateOutcome]) -> None:
        """Feeds the user refreshed by name that failed or were held back, as notifications."""
        pane = self.query_one(FeedPane)
        problems = [o for o in outcomes if o.error or o.skipped]
        for outcome in problems[:5]:
            title = clean_line(pane.feed_title(outcome.url), 60)
            severity: SeverityLevel = "error" if outcome.error else "warning"
            text = f"{title}: {outcome.error or skip_text(outcome)}"
            self.notify(clean_line(text, 500), markup=False, severity=severity, timeout=10)
        if len(problems) > 5:
            self.notify(f"… and {len(problems) - 5} more; see the feed list.", markup=False)

    # -- config ----------------------------------------------------------

    def _check_config_changed(self) -> None:
        mtime = self.nr_app.service.config_mtime()
        if mtime != self._config_mtime:
            self._config_mtime = mtime
            self.action_reload_config()

    def action_reload_config(self) -> None:
        service = self.nr_app.service
        self._config_mtime = self.nr_app.service.config_mtime()
        old_settings = service.config.settings
        try:
            added, removed = service.reload_config()
        except ConfigError as exc:
            self._status(f"Config not reloaded: {exc}", error=True)
            return
        settings = service.config.settings
        if settings.refresh_interval != old_settings.refresh_interval:
            self._schedule_auto_refresh()
        if settings != old_settings:
            self.nr_app.settings_changed()
        if settings.reading_width != old_settings.reading_width:
            article = self.query_one(ArticleView)
            article.set_reading_width(settings.reading_width)  # re-lays out the article
        if self.view.kind in ("feed", "tag") and not service.feed_urls(self.view):
            self.view = ALL
        self._reload_feeds()
        self.query_one(FeedPane).select_view(self.view)
        self._load_articles()
        parts = ["Config reloaded"]
        if added:
            parts.append(f"{len(added)} feed{'s' if len(added) != 1 else ''} added")
        if removed:
            parts.append(f"{len(removed)} removed")
        for warning in service.config.warnings:
            parts.append(f"warning: {warning}")
        self._status("; ".join(parts) + ".")
        if added:
            self._start_refresh(added)


def _summary(outcomes: Sequence[UpdateOutcome]) -> str:
    t = Tally.of(outcomes)
    fetched = t.feeds - t.skipped
    if not fetched:
        feeds = f"{t.skipped} feed{'s' if t.skipped != 1 else ''}"
        return f"Nothing fetched: {feeds} skipped ({_next_due(outcomes)}; i for details)."
    text = f"Refreshed {fetched} feed{'s' if fetched != 1 else ''}: {t.new_entries} new"
    if t.failed:
        text += f", {t.failed} failed (⚠ in the feed list; i for details)"
    if t.skipped:
        text += f", {t.skipped} skipped ({_next_due(outcomes)})"
    return text + "."


def _next_due(outcomes: Sequence[UpdateOutcome]) -> str:
    """When the first skipped feed becomes due, in words."""
    times = [o.skipped_until for o in outcomes if o.skipped and o.skipped_until is not None]
    if not times:
        return "gone; r on one tries it again"
    first = min(times)
    return f"not due yet or asked to wait; the first is due {short_date(first, datetime.now(UTC))}"
