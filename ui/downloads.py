"""The CSV download every view offers."""

from __future__ import annotations

import streamlit as st


def download_csv(**download) -> None:
    """A CSV download button (``download`` are ``st.download_button``'s arguments) that does
    not rerun the page when clicked. Pass ``data`` as a callable: the file is then made only
    when someone asks for it, not on every rerun."""
    st.download_button(on_click="ignore", mime="text/csv", **download)
