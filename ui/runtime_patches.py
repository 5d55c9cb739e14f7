"""Changes to how Python and Streamlit run the app, not part of any page: each is made from
``app.py`` or first thing on a page, for the reason its docstring gives."""

from __future__ import annotations

import gc

import streamlit as st

_startup_frozen = False


def freeze_startup_objects() -> None:
    """Leave what is alive after the first run (imported modules, registries, caches) out of
    Python's garbage collections from then on; called once the app has run.

    A full collection walks every tracked object: with SymPy, pandas and plotly loaded that is a
    noticeable pause, and it fell on whichever rerun happened to trigger it. Newer objects are
    collected as before.
    """
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.freeze()


def use_declared_navigation() -> None:
    """Hand a page opened before the app declared its navigation over to ``app.py``.

    Streamlit starts every server in its old multipage mode when a ``pages/`` folder exists, and
    leaves it only once ``st.navigation`` (in ``app.py``) has run. Until then a link straight to
    a page runs that page's file on its own, with Streamlit's file list ("app") as the sidebar
    and no home page. Called first by every page: in that mode it switches the mode off and
    reruns, so ``app.py`` runs and opens this same page (its URL path is the same in both modes).
    """
    # Private to Streamlit (checked against 1.67): the flag its script runner reads every run.
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
