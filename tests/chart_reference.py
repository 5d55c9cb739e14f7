"""What the chart's JavaScript computes, written in Python for the tests to compare against:
derived channels (``ui/chart_component/channels.js``) and text templates (``templates.js``)."""

from __future__ import annotations

import math
import re

import numpy as np

from gd_core.formatting import format_number


def derive(channels: dict[str, np.ndarray], derived: dict[str, dict]) -> dict[str, np.ndarray]:
    """``channels`` plus the ``derived`` ones (as JSON), as channels.js computes them (float32
    results)."""
    out = dict(channels)
    with np.errstate(invalid="ignore"):
        for name, spec in derived.items():
            source = spec["of"]
            if spec["op"] == "shift":
                values = np.asarray(out[source], dtype=np.float32)
                pad = np.full((*values.shape[:-1], 1), np.nan, dtype=np.float32)
                result = np.concatenate([values[..., 1:], pad], axis=-1)
            elif spec["op"] == "sub":
                result = (np.asarray(out[source[0]], dtype=np.float32)
                          - np.asarray(out[source[1]], dtype=np.float32))
            elif spec["op"] == "add":
                result = np.asarray(out[source], dtype=np.float32) + np.float32(spec["value"])
            elif spec["op"] == "clip":
                result = np.clip(np.asarray(out[source], dtype=np.float32), *spec["range"])
            elif spec["op"] == "where":
                result = np.where(np.asarray(out[spec["if"]]) == spec["equals"],
                                  np.asarray(out[source], dtype=np.float32), np.nan)
            else:
                raise ValueError(f"unknown derived channel op {spec['op']!r}")
            out[name] = result.astype(np.float32)
    return out


def fill_template(
    template: str, spec: dict, channels: dict[str, np.ndarray], member: int, frame: int,
    fan_label: str = "", depth: int = 0,
) -> str:
    """A text TEMPLATE at one fan member and frame, as templates.js fills it (``spec`` as
    JSON, ``channels`` as ``derive`` returns them, each ``(members, frames)``)."""

    def value(name: str):
        array = np.asarray(channels[name])
        return array[min(member, array.shape[0] - 1), frame] if array.ndim == 2 else array[frame]

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "step":
            return str(frame)
        if name == "fan":
            return fan_label
        choice = spec.get("phrases", {}).get(name)
        if choice:
            code = float(value(choice["channel"]))
            whole = math.isfinite(code) and code == int(code) and 0 <= code < len(
                choice["options"])
            text = choice["options"][int(code)] if whole else ""
            if depth >= 3:
                return text
            return fill_template(text, spec, channels, member, frame, fan_label, depth + 1)
        if name not in channels:
            return match.group(0)
        return format_number(float(value(name)), spec.get("digits", 3))

    return re.sub(r"\{(\w+)\}", replace, template)
