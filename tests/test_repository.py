"""The repository keeps its promises to a newcomer: the README's commands are the ones CI runs."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [block.strip() for block in _bash_blocks(setup)]
    assert len(commands) == 2
    run_app, run_tests = commands
    assert "streamlit run app.py" in run_app
    assert "pytest" in run_tests
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert run_tests in ci_lines


def test_readme_python_example_runs():
    readme = (ROOT / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", readme, flags=re.S).group(1)
    result = subprocess.run(
        [sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


#: What each layer must never import, by top-level name: the core knows nothing of the app, and
#: the views know nothing of the pages that use them.
FORBIDDEN_IMPORTS = {
    "gd_core": {"streamlit", "plotly", "ui", "pages", "app"},
    "ui": {"pages", "app"},
}


def imported_modules(source: str, package: str) -> set[str]:
    """Every module the code ``source`` of a module in ``package`` imports, as an absolute dotted
    name, wherever the import stands (a function body too); a relative import is resolved
    against ``package``, and ``from m import n`` counts both ``m`` and ``m.n`` (n may be a
    module)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[:max(0, len(parts) - node.level + 1)] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module:
                found.add(module)
            found.update(".".join(filter(None, [module, alias.name])) for alias in node.names)
    return found


def layering_violations(source: str, package: str) -> set[str]:
    """The imports of ``source`` (a module of ``package``) that ``FORBIDDEN_IMPORTS`` forbids."""
    forbidden = FORBIDDEN_IMPORTS[package.split(".")[0]]
    return {name for name in imported_modules(source, package)
            if name.split(".")[0] in forbidden}


@pytest.mark.parametrize("source", [
    "import ui", "import ui.chart", "import ui.chart as chart", "import numpy, pages",
    "import streamlit as st", "import plotly.graph_objects as go", "import app",
    "from ui import chart", "from ui.chart import chart", "from pages import x",
    "from app import home", "from streamlit import session_state",
    "from .. import ui", "from ..ui import lessons", "from ..ui.chart import chart",
    "from .. import app", "def later():\n    from ui import lessons\n",
    "if True:\n    import ui\n",
])
def test_the_layering_check_catches_every_form_of_import(source):
    assert layering_violations(source, "gd_core")


@pytest.mark.parametrize("source", [
    "import numpy as np", "from gd_core.formula import parse_surface", "from . import formula",
    "from .surfaces import Surface", "import uix", "from gd_core import ui_text",
    "text = 'import ui'", "# from ui import chart",
])
def test_the_layering_check_lets_the_core_import_numpy_and_itself(source):
    assert not layering_violations(source, "gd_core")


def test_the_layering_check_keeps_pages_out_of_ui():
    assert layering_violations("from pages import x", "ui")
    assert layering_violations("from .. import pages", "ui")
    assert not layering_violations("import streamlit as st\nfrom ui.chart import chart", "ui")


@pytest.mark.parametrize("layer", list(FORBIDDEN_IMPORTS))
def test_each_layer_imports_only_what_it_may(layer):
    paths = list((ROOT / layer).rglob("*.py"))
    assert paths
    for path in paths:
        package = ".".join(path.relative_to(ROOT).parent.parts)
        assert not layering_violations(path.read_text(), package), path


def test_core_never_evaluates_text():
    for path in (ROOT / "gd_core").glob("*.py"):
        source = path.read_text()
        assert not re.search(r"\b(eval|exec|sympify|parse_expr)\(", source), path


def test_learners_see_the_app_in_viewer_mode_without_the_developer_toolbar():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"


def test_icons_are_the_material_ones_streamlit_ships_never_emoji():
    # Linux without an emoji font draws ✋, 👆, ⚠️ and ⛰️ as empty boxes.
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    for path in sources:
        text = path.read_text()
        for icon in re.findall(r"""icon=(["'])(.*?)\1""", text):
            assert re.fullmatch(r":material/[a-z_]+:", icon[1]), (path.name, icon[1])
        assert not re.search("[\U0001F300-\U0001FAFF✋⚠⛰]", text), path.name


def test_the_chart_code_is_small_modules_and_third_party_code_is_vendored_with_its_licence():
    folder = ROOT / "ui" / "chart_component"
    vendor = folder / "vendor"
    ours = [path for path in folder.rglob("*.js") if vendor not in path.parents]
    assert len(ours) > 10
    for path in ours:
        assert len(path.read_text().splitlines()) <= 600, path.name
    for library in vendor.iterdir():
        assert (library / "LICENSE").is_file(), library.name
        assert library.name in (ROOT / "README.md").read_text(), "the README names it"


def test_the_pure_chart_modules_have_node_tests_the_readme_command_runs():
    readme = (ROOT / "README.md").read_text()
    assert "node --test ui/chart_component/*.test.js" in readme
    folder = ROOT / "ui" / "chart_component"
    pure = ["animated", "caches", "channels", "data-traces", "decode", "expression",
            "image-pixels", "legend", "static-traces", "svg-paths", "templates"]
    assert all((folder / f"{name}.test.js").is_file() for name in pure)


def test_the_readme_shows_each_screenshot_the_script_takes_and_assets_holds_only_those():
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the script's folder, as when it runs
    from screenshots import HOME, SHOTS

    from app import PAGES

    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"assets/[\w.-]+\.png", readme))
    taken = {f"assets/{shot.name}.png" for shot in SHOTS}
    assert shown == taken, "the README shows what the script takes, no more, no less"
    assert {path.relative_to(ROOT).as_posix() for path in (ROOT / "assets").glob("*")} == taken
    assert {shot.page for shot in SHOTS} == {HOME, *(page.path for page in PAGES)}, (
        "a screenshot of every page")
    assert "python3 tests/e2e/screenshots.py" in readme, "how to take them again"
