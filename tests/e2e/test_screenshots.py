"""The README's screenshots script (``screenshots.py``): in Debian's Chromium, a representative
subset of its shots (the whole set takes about a minute) comes out at its viewport's size with a
chart drawn in it; and a large PNG is made smaller (no browser: not marked e2e).
tests/test_repository.py checks the README shows every shot."""

import io
import random

import pytest
from PIL import Image
from screenshots import HOME, MAX_BYTES, SHOTS, save_png, take_screenshots

#: A basin map (an image layer on a panel that takes the whole row, scrolled into view) at
#: desktop size, and a contour map with its 3D surface below on a phone.
SUBSET = ("basins", "surface-phone")
#: A pixel is coloured, not grey, when its channels differ by more than this.
GREY_SPREAD = 40
#: Distinct colours, not greys, a drawn chart shows at the least (paths, basins, a colour bar).
MIN_COLOURS = 100


def coloured(image: Image.Image) -> set[tuple[int, ...]]:
    """The distinct colours of ``image`` that are not a shade of grey."""
    return {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)
            if max(colour) - min(colour) > GREY_SPREAD}


@pytest.mark.e2e
def test_the_shots_come_out_at_their_size_with_their_chart_drawn(browser, streamlit_app,
                                                               tmp_path):
    shots = tuple(shot for shot in SHOTS if shot.name in SUBSET)
    taken = take_screenshots(browser, streamlit_app(HOME), tmp_path, shots)
    assert [item.path.name for item in taken] == [f"{name}.png" for name in SUBSET]
    for shot, (path, (x, y, width, height)) in zip(shots, taken, strict=True):
        image = Image.open(path)
        assert image.size == (shot.viewport["width"], shot.viewport["height"]), path.name
        assert width > 200 and height > 200, (path.name, "the chart is in view")
        chart = image.crop((x, y, x + width, y + height))
        assert len(coloured(chart)) >= MIN_COLOURS, (path.name, "the chart is drawn")


def test_a_png_over_the_size_limit_is_saved_as_a_smaller_palette_image(tmp_path):
    size = (400, 300)  # of noise: some 360 kB as a PNG
    image = Image.frombytes("RGB", size, random.Random(0).randbytes(size[0] * size[1] * 3))
    png = io.BytesIO()
    image.save(png, "PNG")
    assert len(png.getvalue()) > MAX_BYTES
    save_png(png.getvalue(), tmp_path / "big.png")
    saved = Image.open(tmp_path / "big.png")
    assert saved.size == size and saved.mode == "P"
    assert (tmp_path / "big.png").stat().st_size < len(png.getvalue())
