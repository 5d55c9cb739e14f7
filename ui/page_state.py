"""Where a page keeps its values: its session store and its URL.

A page's values live in a store of its own (``PageState``) that Streamlit's widget cleanup does
not touch: they are copied into the page's widget keys before the widgets are drawn, so a page
comes back exactly as it was left, and the pages' keys are prefixed with the page's name, so no
page hands another its values. The URL holds the values in use that differ from the page's
baseline (the control defaults and the function's opening configuration, ``ui.lessons``), so a
link reproduces the view. The values themselves are declared in ``ui.controls``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from ui.controls import Control, hyperparameter_defaults

#: Session key: which page wrote the URL last, and what.
_URL_WRITER = "_page_state.url_writer"
#: Session key prefix: this page has read its URL (``restore``) in this session.
_URL_READ = "_url_restored."
#: Session keys: the page the navigation ran last, and whether its last run entered it.
_CURRENT_PAGE = "_page_state.current_page"
_ENTERED = "_page_state.entered"


def note_page(url_path: str) -> None:
    """Called by the navigation before each run of a page: does this run enter it (the one
    before was of another page)?"""
    st.session_state[_ENTERED] = st.session_state.get(_CURRENT_PAGE) != url_path
    st.session_state[_CURRENT_PAGE] = url_path


class PageState:
    """The controls of one page and their values.

    ``opening(values)`` gives the values a page opens on for the function ``values`` name (its
    lesson's learning rate, steps, optimizer and starts); ``in_use(values)``, where given, names
    the controls the page shows for those values (a link carries no others; None: all).
    """

    def __init__(self, page: str, controls: Sequence[Control],
                 opening: Callable[[Mapping], dict] | None = None,
                 in_use: Callable[[Mapping], set[str] | None] | None = None):
        self.page = page
        # Views shared by a page declare some controls alike: the first declaration counts.
        self.controls: dict[str, Control] = {}
        for control in controls:
            self.controls.setdefault(control.name, control)
        self.aliases = {alias: control.name for control in self.controls.values()
                        for alias in control.aliases}
        self.opening = opening
        self.in_use = in_use

    def key(self, name: str) -> str:
        """The session key of this page's ``name`` (its widget's key, if it has one)."""
        return f"{self.page}.{name}"

    def __getitem__(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def __setitem__(self, name: str, value: Any) -> None:
        st.session_state[self.key(name)] = value

    def get(self, name: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(name), default)

    @property
    def _store(self) -> dict:
        name = f"_store.{self.page}"
        if name not in st.session_state:
            st.session_state[name] = {}
        return st.session_state[name]

    def baseline(self, values: Mapping) -> dict:
        """What each control holds unless set: its default, the opening configuration of the
        function ``values`` name, and the chosen optimizer's own hyperparameter defaults."""
        base = {name: control.default for name, control in self.controls.items()}
        if self.opening is not None:
            base.update(self.opening({**base, **values}))
        if "optimizer" in self.controls:
            base.update(hyperparameter_defaults(values.get("optimizer", base["optimizer"])))
        return base

    def restore(self) -> list[str]:
        """Put this page's values into its keys before its widgets are drawn.

        The first time the page runs (and after ``reread_urls``) a URL with parameters sets the
        whole view: what it leaves out is the baseline. Returns a notice for every URL parameter
        that could not be used.
        """
        store = self._store
        notices: list[str] = []
        marker = f"{_URL_READ}{self.page}"
        if marker not in st.session_state:
            st.session_state[marker] = True
            given, notices = self._read_url() if self._url_is_for_this_page() else ({}, [])
            if given or not store:
                store.clear()
                store.update(self.baseline(given))
                store.update(given)
                for name, value in store.items():
                    self[name] = value
        # On entering, every value is put back: Streamlit may keep the key of a widget the
        # page did not draw when it was left, holding an older value (ε, set before another
        # optimizer was chosen). Only once: a fragment's rerun keeps the viewer's new values.
        # (Keys that are gone are put back by ``check``, on every run.)
        if st.session_state.pop(_ENTERED, False):
            for name, value in store.items():
                self[name] = value
        return notices + self.check()

    def check(self) -> list[str]:
        """Put back the last accepted value of every control whose key is gone, or whose value
        the URL parser would refuse (a crafted widget message or chart event, a click off the
        map), before the page does any work with it; returns a notice for each refusal.

        A page's values all pass here first, so its caps (``ui.limits``) hold whatever the
        browser sends. Fragments call it at their start: they rerun without the page script.
        """
        notices = []
        store = self._store
        # A widget the fragment did not draw in its last run (hidden by another view) has lost
        # its key: drawn again it would show no value (a segmented control, None).
        for name, value in store.items():
            if self.key(name) not in st.session_state:
                self[name] = value
        for name, control in self.controls.items():
            value = self.get(name)
            # A value already accepted needs no second look (a typed formula's would cost a
            # parse, and SymPy's import on a page's first run).
            if name in store and _unchanged(value, store[name]):
                continue
            if value is None:
                # Some controls hold None (no pair picked yet); an emptied choice is refused.
                refusal = None if control.default is None else "no value"
            else:
                refusal = control.refusal(value)
            if refusal is None:
                continue
            kept = self._store.get(name, control.default)
            self[name] = kept
            if not self._in_use(control):
                # A control the view does not show: what Streamlit left in its key, not
                # something the viewer did (a minimum's name from the surface before).
                continue
            shown = "" if kept is None or isinstance(kept, bool) else f" ({control.dump(kept)})"
            notices.append(f"Ignored {control.label or name} = {_abridged(control, value)} "
                           f"({refusal}); kept the value in use{shown}.")
        return notices

    def _in_use(self, control: Control) -> bool:
        values = {name: self.get(name, each.default) for name, each in self.controls.items()}
        try:
            return bool(control.used(values))
        except (KeyError, TypeError, ValueError):  # another value not checked yet
            return True

    def _url_is_for_this_page(self) -> bool:
        """False when the URL still holds what another page wrote: Streamlit carries the query
        string along when the viewer switches pages, and those are that page's values."""
        writer = st.session_state.get(_URL_WRITER)
        return not (writer and writer[0] != self.page
                    and writer[1] == st.query_params.to_dict())

    def _read_url(self) -> tuple[dict, list[str]]:
        given, failed, notices = {}, {}, []
        for text_name, text in st.query_params.to_dict().items():
            name = self.aliases.get(text_name, text_name)
            control = self.controls.get(name)
            if control is None:
                notices.append(f"Ignored {text_name}={text[:40]} in the URL (this page has no "
                               "such setting).")
                continue
            try:
                given[name] = control.parse(text)
            except ValueError as error:
                failed[name] = (text_name, text, error)
        base = self.baseline(given)
        for name, (text_name, text, error) in failed.items():
            shown = base[name]
            default = "" if shown is None or isinstance(shown, bool) else (
                f" ({self.controls[name].dump(shown)})")
            notices.append(f"Ignored {text_name}={text[:40]} in the URL ({error}); using the "
                           f"default{default}.")
        return given, notices

    def save(self) -> None:
        """Keep the page's values in its store, and put those in use that differ from the
        baseline into the URL, so a link reproduces this view."""
        store = self._store
        for name in self.controls:
            if self.key(name) in st.session_state:
                store[name] = self[name]
        base = self.baseline(store)
        shown = (self.in_use(store) if self.in_use is not None else None) or self.controls
        wanted = {name: control.dump(store[name]) for name, control in self.controls.items()
                  if name in shown and control.used(store) and store[name] != base[name]}
        if st.query_params.to_dict() != wanted:
            st.query_params.from_dict(wanted)
        st.session_state[_URL_WRITER] = (self.page, wanted)

    def open_function(self) -> None:
        """Apply the opening configuration of the function now chosen (a picker's callback)."""
        # Callbacks run before Streamlit puts back a value no widget offers (a select box takes
        # any text in a crafted message): such a choice opens nothing.
        if self.check():
            return
        values = {name: self.get(name, control.default)
                  for name, control in self.controls.items()}
        self.apply(self.opening(values))

    def apply(self, values: Mapping) -> None:
        """Set several values at once (a function's opening configuration), from a callback."""
        for name, value in values.items():
            if name in self.controls:
                self[name] = value


def _abridged(control: Control, value: Any) -> str:
    """``value`` as a link writes it (as Python does, when it cannot be), its middle left out
    when long: the newest start point, last, stays in sight."""
    try:
        text = control.dump(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        text = repr(value)
    return text if len(text) <= 60 else f"{text[:20]}…{text[-39:]}"


def reread_urls() -> None:
    """Make every page read its URL again the next time it runs.

    ``PageState.restore`` reads the URL once per page and session; a link followed inside the
    app (``st.page_link`` with query parameters, as the home page's examples are) to a page
    already opened in this session would otherwise be ignored.
    """
    for key in [key for key in st.session_state if str(key).startswith(_URL_READ)]:
        del st.session_state[key]


def _unchanged(value: Any, accepted: Any) -> bool:
    try:
        return type(value) is type(accepted) and bool(value == accepted)
    except (TypeError, ValueError):  # an array compares element by element
        return False
