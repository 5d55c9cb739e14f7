"""The repository keeps its promises to a newcomer: the README's commands are the ones CI runs."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

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


def test_core_never_imports_ui_libraries_or_evaluates_text():
    for path in (ROOT / "gd_core").glob("*.py"):
        source = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(streamlit|plotly)", source, flags=re.M), path
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
    pure = ["animated", "caches", "channels", "decode", "svg-paths", "templates"]
    assert all((folder / f"{name}.test.js").is_file() for name in pure)
