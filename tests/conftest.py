"""Fixtures for every test."""

import pytest

import ui.chart


@pytest.fixture(autouse=True)
def no_head_start(monkeypatch):
    """AppTest runs pages without a browser to give the chart a head start
    (``ui.chart.HEAD_START_S``): no pause after each chart."""
    monkeypatch.setattr(ui.chart, "HEAD_START_S", 0.0)
