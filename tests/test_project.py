"""project.yml as the map of the workflow: the modules a command's scripts
import are its script deps, no more, no less; the corpus asset matches its
checksum, and every `--vars` override documented in the README and docs/ reaches a
command."""

import ast
import re

import pytest
from weasel.util import get_checksum, load_project_config, parse_config_overrides

from conftest import ROOT, SCRIPTS

PROJECT = load_project_config(ROOT)
SCRIPT_IN_COMMAND = re.compile(r"python (?:-m \S+ )?(scripts/\w+\.py)")
CODE_IN_COMMAND = re.compile(r"--code (scripts/\w+\.py)")


def local_imports(script: str) -> set:
    """scripts/*.py modules imported by `script`, directly or not, and the
    scripts it runs as processes (named by a string such as "serve.py")."""
    found, todo = set(), [script]
    while todo:
        tree = ast.parse((ROOT / todo.pop()).read_text(encoding="utf8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".py"):
                names = [node.value.removesuffix(".py")]
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
        scripts.update(CODE_IN_COMMAND.findall(line))
    return scripts


@pytest.mark.parametrize("command", PROJECT["commands"], ids=lambda c: c["name"])
def test_the_scripts_in_a_commands_deps_are_the_ones_it_runs(command):
    scripts = command_scripts(command)
    needed = scripts | {module for script in scripts for module in local_imports(script)}
    script_deps = {dep for dep in command.get("deps", []) if dep.startswith("scripts/")}
    assert script_deps == needed, {"missing": needed - script_deps, "not run": script_deps - needed}


def test_local_imports_follow_imports_through_modules():
    assert local_imports("scripts/training_log.py") == {"scripts/atomic_files.py"}
    assert local_imports("scripts/evaluate_raw.py") == {
        "scripts/atomic_files.py",
        "scripts/loading.py",
        "scripts/pipeline_functions.py",
        "scripts/text_variants.py",
    }


def test_local_imports_follow_the_scripts_a_module_runs_as_a_process():
    assert "scripts/serve.py" in local_imports("scripts/benchmark_serve.py")
    assert "scripts/request_batcher.py" in local_imports("scripts/benchmark_serve.py")


def test_training_only_code_is_not_a_dependency_of_conversion_or_packaging():
    commands = {command["name"]: command for command in PROJECT["commands"]}
    for name in ("convert", "data-quality", "evaluate", "package"):
        assert not {"scripts/training_functions.py", "scripts/text_variants.py"} & set(commands[name]["deps"]), name


def test_corpus_asset_matches_its_checksum():
    (asset,) = PROJECT["assets"]
    assert asset["dest"] == PROJECT["vars"]["corpus"]
    assert get_checksum(ROOT / asset["dest"]) == asset["checksum"]


def documented_overrides() -> list:
    """Each `--vars.NAME VALUE` the README and docs/ show, as the CLI
    arguments (a shell variable such as `$MINILM_PATH` stands for a folder)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(page.read_text(encoding="utf8") for page in pages)
    found = re.findall(r"(--vars\.\w+)[ =]([^\s`]+)", text)
    return sorted({(flag, "/opt/models/from-shell" if value.startswith("$") else value) for flag, value in found})


def test_readme_documents_overrides():
    names = {flag for flag, _ in documented_overrides()}
    assert {"--vars.config", "--vars.gpu_id", "--vars.text", "--vars.corpus", "--vars.label"} <= names


@pytest.mark.parametrize("flag,value", documented_overrides())
def test_documented_override_names_a_variable_and_reaches_a_command(flag, value):
    name = flag.removeprefix("--vars.")
    assert name in PROJECT["vars"], f"the docs show {flag}, which project.yml does not define"
    overrides = parse_config_overrides([flag, value])
    assert str(overrides[f"vars.{name}"]) == value.strip("\"'")  # taken as a value, not as a flag
    before, after = all_scripts(PROJECT), all_scripts(load_project_config(ROOT, overrides=overrides))
    assert after != before and value.strip("\"'") in after


def all_scripts(project: dict) -> str:
    return "\n".join(line for command in project["commands"] for line in command["script"])
