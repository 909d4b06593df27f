"""project.yml as the map of the workflow: every module a command's script
imports is in its deps, the corpus asset matches its checksum, and every
`--vars` override documented in the README reaches a command."""

import ast
import re

import pytest
from weasel.util import get_checksum, load_project_config, parse_config_overrides

from conftest import ROOT, SCRIPTS

PROJECT = load_project_config(ROOT)
SCRIPT_IN_COMMAND = re.compile(r"python (?:-m \S+ )?(scripts/\w+\.py)")


def local_imports(script: str) -> set:
    """scripts/*.py modules imported by `script`, directly or not."""
    found, todo = set(), [script]
    while todo:
        tree = ast.parse((ROOT / todo.pop()).read_text(encoding="utf8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                path = f"scripts/{name}.py"
                if (SCRIPTS / f"{name}.py").exists() and path not in found:
                    found.add(path)
                    todo.append(path)
    return found


def command_scripts(command: dict) -> set:
    scripts = set()
    for line in command["script"]:
        scripts.update(SCRIPT_IN_COMMAND.findall(line))
        if "--code scripts/functions.py" in line:
            scripts.add("scripts/functions.py")
    return scripts


@pytest.mark.parametrize("command", PROJECT["commands"], ids=lambda c: c["name"])
def test_every_script_and_module_a_command_runs_is_in_its_deps(command):
    scripts = command_scripts(command)
    needed = scripts | {module for script in scripts for module in local_imports(script)}
    assert needed <= set(command.get("deps", [])), needed - set(command.get("deps", []))


def test_local_imports_follow_imports_through_modules():
    assert local_imports("scripts/report.py") == {"scripts/evaluate_raw.py", "scripts/functions.py"}


def test_corpus_asset_matches_its_checksum():
    (asset,) = PROJECT["assets"]
    assert asset["dest"] == PROJECT["vars"]["corpus"]
    assert get_checksum(ROOT / asset["dest"]) == asset["checksum"]


def documented_overrides() -> list:
    """Each `--vars.NAME VALUE` the README shows, as the CLI arguments (a
    shell variable such as `$MINILM_PATH` stands for a folder)."""
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    found = re.findall(r"(--vars\.\w+)[ =]([^\s`]+)", readme)
    return sorted({(flag, "/opt/models/from-shell" if value.startswith("$") else value) for flag, value in found})


def test_readme_documents_overrides():
    names = {flag for flag, _ in documented_overrides()}
    assert {"--vars.config", "--vars.gpu_id", "--vars.text", "--vars.corpus", "--vars.label"} <= names


@pytest.mark.parametrize("flag,value", documented_overrides())
def test_documented_override_names_a_variable_and_reaches_a_command(flag, value):
    name = flag.removeprefix("--vars.")
    assert name in PROJECT["vars"], f"README documents {flag}, which project.yml does not define"
    overrides = parse_config_overrides([flag, value])
    assert str(overrides[f"vars.{name}"]) == value.strip("\"'")  # taken as a value, not as a flag
    before, after = all_scripts(PROJECT), all_scripts(load_project_config(ROOT, overrides=overrides))
    assert after != before and value.strip("\"'") in after


def all_scripts(project: dict) -> str:
    return "\n".join(line for command in project["commands"] for line in command["script"])
