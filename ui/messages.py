"""What a page tells the viewer in a box: a notice or an error, its text shown exactly as given."""

from __future__ import annotations

import re

import streamlit as st

#: Streamlit renders message text as Markdown (with :directives: and $math$): every ASCII
#: punctuation character may mean something there.
_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: str) -> str:
    """``text`` escaped so that Markdown shows it exactly as typed (``3*x`` keeps its star)."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", text)


def show_notice(text: str) -> None:
    """A warning in plain words; ``text`` is shown literally."""
    st.warning(literal(text), icon=":material/warning:")


def show_error(text: str) -> None:
    """An error in plain words; ``text`` is shown literally."""
    st.error(literal(text), icon=":material/error:")
