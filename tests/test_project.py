"""project.yml as the map of the workflow and the tree as the map of the
code: the modules a command runs and imports are its code deps, no more, no
less; commands are thin CLIs over the nerkit package, which never imports
them nor any command-line framework; no sys.path manipulation; every library
module has its test module, stays small and registers its functions through
one helper that adds their pre-rename aliases; the corpus asset matches its
checksum, and every `--vars` override documented in the README and docs/
reaches a command."""

import ast
import re
import tomllib
from pathlib import Path

import pytest
from weasel.util import get_checksum, load_project_config, parse_config_overrides

ROOT = Path(__file__).resolve().parent.parent
PROJECT = load_project_config(ROOT)
SCRIPT_IN_COMMAND = re.compile(r"python (?:-m \S+ )?(scripts/\w+\.py)")
CODE_IN_COMMAND = re.compile(r"--code (\S+\.py)")
COMMANDS = sorted((ROOT / "scripts").glob("*.py"))
LIBRARY = sorted(path for path in (ROOT / "nerkit").rglob("*.py") if path.name != "__init__.py")
PACKAGES = sorted((ROOT / "nerkit").rglob("__init__.py"))


def imported_modules(path: Path) -> set:
    """Every module name an import of `path` names (`a.b` and, for `from a
    import b`, also `a.b`, which may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def local_imports(path: str) -> set:
    """The project's files that `path` imports, directly or not (nerkit
    modules), and the scripts it runs as processes (a string such as
    "serve.py" naming a file beside it)."""
    found, todo = set(), [path]
    while todo:
        current = ROOT / todo.pop()
        files = [ROOT / (name.replace(".", "/") + ".py") for name in imported_modules(current)]
        for node in ast.walk(ast.parse(current.read_text(encoding="utf8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".py"):
                files.append(current.parent / node.value)
        for file in files:
            name = file.relative_to(ROOT).as_posix()
            if file.is_file() and file.name != "__init__.py" and name not in found:
                found.add(name)
                todo.append(name)
    return found


def command_code(command: dict) -> set:
    code = set()
    for line in command["script"]:
        code.update(SCRIPT_IN_COMMAND.findall(line))
        code.update(CODE_IN_COMMAND.findall(line))
    return code


@pytest.mark.parametrize("command", PROJECT["commands"], ids=lambda c: c["name"])
def test_the_code_in_a_commands_deps_is_the_code_it_runs(command):
    code = command_code(command)
    needed = code | {module for path in code for module in local_imports(path)}
    code_deps = {dep for dep in command.get("deps", []) if dep.startswith(("scripts/", "nerkit/"))}
    assert code_deps == needed, {"missing": needed - code_deps, "not run": code_deps - needed}


def test_local_imports_follow_imports_through_modules():
    assert local_imports("nerkit/evaluation/training_log.py") == {"nerkit/common/atomic_files.py"}
    assert local_imports("scripts/evaluate_raw.py") == {
        "nerkit/common/atomic_files.py",
        "nerkit/common/entities.py",
        "nerkit/common/loading.py",
        "nerkit/common/machine.py",
        "nerkit/common/options.py",
        "nerkit/corpus/documents.py",
        "nerkit/corpus/files.py",
        "nerkit/corpus/repairs.py",
        "nerkit/corpus/spans.py",
        "nerkit/corpus/text_variants.py",
        "nerkit/errors.py",
        "nerkit/evaluation/raw_text.py",
        "nerkit/evaluation/scores.py",
        "nerkit/evaluation/sentence_sets.py",
        "nerkit/pipeline_functions.py",
    }


def test_local_imports_follow_the_scripts_a_module_runs_as_a_process():
    assert "scripts/serve.py" in local_imports("scripts/benchmark_serve.py")
    assert "nerkit/serving/batcher.py" in local_imports("scripts/benchmark_serve.py")


def test_training_only_code_is_not_a_dependency_of_conversion_or_packaging():
    commands = {command["name"]: command for command in PROJECT["commands"]}
    training_only = {"nerkit/train/functions.py"}
    for name in ("convert", "data-quality", "evaluate", "package"):
        assert not training_only & set(commands[name]["deps"]), name


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: p.name)
def test_each_command_is_a_thin_cli_over_the_library(path):
    """Arguments, a call, the summary it prints: one function, `main`, run
    by typer, and at most 80 lines; everything else lives in nerkit/."""
    source = path.read_text(encoding="utf8")
    tree = ast.parse(source)
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions == ["main"], functions
    assert source.rstrip().endswith('if __name__ == "__main__":\n    typer.run(main)')
    assert len(source.splitlines()) <= 80
    assert {name.split(".")[0] for name in imported_modules(path)} & {"nerkit"}


MEASURING = [p for p in COMMANDS if p.stem.startswith("benchmark_") or p.stem in ("evaluate_raw", "plan_training")]


@pytest.mark.parametrize("path", MEASURING, ids=lambda p: p.name)
def test_each_measuring_command_writes_the_record_of_its_run(path):
    """Its JSON carries when, where, at which commit, by which command and
    with which versions it was measured (nerkit.common.machine.run_record)."""
    assert "with_run_record(" in path.read_text(encoding="utf8")


def test_no_module_imports_a_command():
    commands = {path.stem for path in COMMANDS}
    for path in [*LIBRARY, *COMMANDS, *sorted((ROOT / "tests").rglob("*.py"))]:
        imported = {name.split(".")[0] for name in imported_modules(path)}
        assert not imported & (commands | {"scripts", "conftest"}), (path, imported & commands)


def test_nothing_changes_sys_path():
    changes = re.compile(r"sys\.path\s*(\.(insert|append|extend)|\[.*\]\s*=|\s*=)")
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in [*LIBRARY, *PACKAGES, *COMMANDS, *sorted((ROOT / "tests").rglob("*.py"))]
        if changes.search(path.read_text(encoding="utf8"))
    ]
    assert offenders == []


def function_nodes(path: Path):
    tree = ast.parse(path.read_text(encoding="utf8"))
    return [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def is_registered(node) -> bool:
    """Decorated with `registered(...)`: its parameters are the keys of a
    config block (confection refuses others), like a dataclass's fields."""
    return any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "registered" for d in node.decorator_list)


def parameters(node) -> int:
    args = node.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    return len([n for n in names if n not in ("self", "cls")]) + bool(args.vararg) + bool(args.kwarg)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.relative_to(ROOT / "nerkit").as_posix())
def test_library_modules_and_functions_stay_small(path):
    """At most 300 lines a module, 60 a function, 8 parameters a function
    (options that travel together are a dataclass)."""
    assert len(path.read_text(encoding="utf8").splitlines()) <= 300
    for node in function_nodes(path):
        assert node.end_lineno - node.lineno + 1 <= 60, f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        assert is_registered(node) or parameters(node) <= 8, f"{node.name}: {parameters(node)} parameters"


def test_the_size_rules_see_long_functions_and_long_parameter_lists(tmp_path):
    module = tmp_path / "m.py"
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    nine = "a, b, c, d, e, f, g, h, i"
    module.write_text(f"def long({nine}):\n{body}\n@registered(t, 'x')\ndef config({nine}):\n    pass\n")
    long_function, config_function = function_nodes(module)
    assert long_function.end_lineno - long_function.lineno + 1 == 61 and parameters(long_function) == 9
    assert is_registered(config_function) and not is_registered(long_function)


@pytest.mark.parametrize("path", [*LIBRARY, *PACKAGES], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_library_knows_no_command_line_framework_and_no_private_spacy_api(path):
    imported = imported_modules(path)
    assert not {name.split(".")[0] for name in imported} & {"typer", "click"}, imported
    private = [name for name in imported if name.startswith(("spacy.", "thinc.")) and "._" in name]
    assert not private, private


def test_every_registered_name_goes_through_the_helper_that_adds_its_alias():
    """No `@registry.<table>("...")` in the library: each function is
    registered once, by `registered`, as nerkit.* and its dlbook.* alias."""
    direct = []
    for path in LIBRARY:
        for node in function_nodes(path):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and getattr(target.value, "id", "") == "registry":
                    direct.append(f"{path.name}:{node.name}")
    assert direct == []


def test_each_library_class_has_a_name_of_its_own():
    names = [
        node.name
        for path in LIBRARY
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8")))
        if isinstance(node, ast.ClassDef)
    ]
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_ruff_knows_one_first_party_package():
    isort = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]["isort"]
    assert isort == {"known-first-party": ["nerkit"]}


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.parent.name)
def test_each_package_init_holds_its_docstring_only(path):
    tree = ast.parse(path.read_text(encoding="utf8"))
    assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant), path


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.relative_to(ROOT / "nerkit").as_posix())
def test_each_library_module_has_its_test_module(path):
    relative = path.relative_to(ROOT / "nerkit")
    test_module = ROOT / "tests" / relative.parent / f"test_{relative.name}"
    assert test_module.is_file(), f"no {test_module.relative_to(ROOT)} for nerkit/{relative}"


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
