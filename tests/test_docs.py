"""The project documents itself: docs/operations.md names every environment variable the code
reads, every URL rule of the app and every `flask` command, and names nothing the code lacks;
README.md stands on its own (no pointer outside the repository)."""
from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import click
import flask.cli
import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
from bot import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"
README = ROOT / "README.md"
# the project's own Python source (not tests/, bench/ or .venv)
SOURCES = ["bot", "handlers", "models", "reminders", "wsgi.py", "gunicorn.conf.py"]
# found by the scan, or the scan finds nothing and the test would pass for nothing
KNOWN = {"DATABASE_URL", "LINE_CHANNEL_SECRET", "BOT_TODAY", "PORT", "GUNICORN_CONTROL_SOCKET",
         "PYTHAINLP_OFFLINE", "REMINDER_UNTIL", "REMINDER_BACKOFF", "DASHBOARD_INSECURE_COOKIE"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# --------------------------------------------------------------------------- the code's env reads
def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or \
        (isinstance(node, ast.Name) and node.id == "environ")


def _env_key(node: ast.AST) -> ast.AST | None:
    """The expression naming the variable, when ``node`` reads (or sets a default for) one:
    os.environ.get/setdefault/pop(X), os.environ[X], os.getenv(X), X in os.environ."""
    if isinstance(node, ast.Call):
        f = node.func
        env_method = isinstance(f, ast.Attribute) and f.attr in ("get", "setdefault", "pop") \
            and _is_environ(f.value)
        getenv = (isinstance(f, ast.Attribute) and f.attr == "getenv") or \
            (isinstance(f, ast.Name) and f.id == "getenv")
        if env_method or getenv:
            if node.args:
                return node.args[0]
            return next((k.value for k in node.keywords if k.arg in ("key", "name")), None)
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        return node.slice
    if isinstance(node, ast.Compare) and len(node.ops) == 1 \
            and isinstance(node.ops[0], (ast.In, ast.NotIn)) and _is_environ(node.comparators[0]):
        return node.left
    return None


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def env_reads(sources: dict[str, str]) -> tuple[dict[str, set[str]], list[str]]:
    """{variable: {file, …}} of every variable read in ``sources`` ({path: text}), and the
    reads whose name cannot be told. A helper that reads the variable named by one of its
    parameters (``_num("REMINDER_BACKOFF", 0.5)``) counts at each call with a literal name."""
    trees = {path: ast.parse(text, path) for path, text in sources.items()}
    found: dict[str, set[str]] = {}
    unknown: list[str] = []
    wrappers: dict[str, tuple[int, str]] = {}     # function name → (parameter index, its name)
    for path, tree in trees.items():
        funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        owner = {}
        for fn in funcs:
            for sub in ast.walk(fn):
                owner[id(sub)] = fn          # innermost wins: ast.walk visits outer functions first
        for node in ast.walk(tree):
            key = _env_key(node)
            if key is None:
                continue
            name = _literal(key)
            if name is not None:
                found.setdefault(name, set()).add(path)
                continue
            fn = owner.get(id(node))
            params = [a.arg for a in fn.args.posonlyargs + fn.args.args] if fn else []
            if isinstance(key, ast.Name) and key.id in params:
                wrappers[fn.name] = (params.index(key.id), key.id)
            else:
                unknown.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            fname = node.func.id if isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node.func, ast.Attribute) else None
            if fname not in wrappers:
                continue
            index, pname = wrappers[fname]
            arg = node.args[index] if index < len(node.args) else \
                next((k.value for k in node.keywords if k.arg == pname), None)
            name = _literal(arg)
            if name is not None:
                found.setdefault(name, set()).add(path)
            elif arg is not None and not (isinstance(arg, ast.Name) and arg.id == pname):
                unknown.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found, unknown


def _python_files(names: list[str]) -> dict[str, str]:
    out = {}
    for name in names:
        p = ROOT / name
        files = [p] if p.is_file() else sorted(p.rglob("*.py")) if p.is_dir() else []
        for f in files:
            if "__pycache__" not in f.parts:
                out[str(f.relative_to(ROOT))] = f.read_text(encoding="utf-8")
    return out


# --------------------------------------------------------------------------- the docs
def _sections(text: str) -> dict[str, str]:
    """'## Title' → its text (with its ### subsections)."""
    parts = re.split(r"^## +(.+)$", text, flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2])}


def _rows(text: str) -> list[list[str]]:
    """Cells of the markdown table rows in ``text`` (an escaped \\| stays inside its cell)."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|") and not re.fullmatch(r"[|:\- ]+", line):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))])
    return rows


def _spans(text: str) -> list[str]:
    """Inline code spans (not fenced blocks)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return [re.sub(r"\s+", " ", s.replace("\\|", "|")).strip()
            for s in re.findall(r"`([^`]+)`", text)]


@pytest.fixture(scope="module")
def ops() -> str:
    assert OPERATIONS.is_file(), "docs/operations.md is the operators' reference"
    return OPERATIONS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sections(ops) -> dict[str, str]:
    s = _sections(ops)
    for title in ("Processes", "Environment", "HTTP", "Command line"):
        assert title in s, f"docs/operations.md has no '## {title}' section"
    return s


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    from bot.timeutil import fixed_clock
    from tests.conftest import NOW
    # the day the progress example is shown on (its status fields depend on the day)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp / 'nongpat.sqlite3'}",
                      "SPOOL_DIR": str(tmp / "spool"), "DASHBOARD_TOKEN": "docs-token",
                      "LINE_CHANNEL_ACCESS_TOKEN": None, "CLOCK": fixed_clock(NOW)})
    yield app
    app.extensions["nongpat"].line.drain()
    app.extensions["nongpat"].engine.dispose()


# --------------------------------------------------------------------------- environment
def test_the_scan_finds_every_form_of_env_read():
    src = {"x.py": (
        "import os\nfrom os import environ, getenv\n"
        "a = os.environ.get('A')\nb = os.environ['B']\nc = os.getenv('C', '1')\n"
        "d = environ.get('D')\nos.environ.setdefault('E', '1')\nf = getenv(key='F')\n"
        "g = 'G' in os.environ\nh = f\"{os.environ.get('H', '8000')}\"\n"
        "def _num(name, default):\n    return os.environ.get(name) or default\n"
        "i = _num('I', 1)\nj = _num(name='J', default=2)\n"
        "k = os.environ.get(PREFIX + 'K')\n")}
    found, unknown = env_reads(src)
    assert set(found) == set("ABCDEFGHIJ")
    assert len(unknown) == 1 and "PREFIX" in unknown[0]


def test_every_env_var_the_code_reads_is_documented(sections):
    found, unknown = env_reads(_python_files(SOURCES))
    assert KNOWN <= set(found), f"the scan missed {sorted(KNOWN - set(found))}"
    assert not unknown, ("environment reads whose variable cannot be told (name it with a "
                         f"literal so it can be documented): {unknown}")
    documented = {n for row in _rows(sections["Environment"]) for n in _spans(row[0])}
    missing = {n: sorted(found[n]) for n in sorted(set(found) - documented)}
    assert not missing, f"read by the code but not in docs/operations.md § Environment: {missing}"


def test_every_documented_env_var_is_read(sections):
    """No variable in the docs that nothing reads (the bot's code, the tests or .flaskenv)."""
    found, _ = env_reads(_python_files(SOURCES))
    tests, _ = env_reads(_python_files(["tests"]))
    flaskenv = ROOT / ".flaskenv"
    dotenv = {line.split("=", 1)[0].strip() for line in flaskenv.read_text().splitlines()
              if "=" in line} if flaskenv.is_file() else set()
    documented = {n for row in _rows(sections["Environment"]) for n in _spans(row[0])
                  if re.fullmatch(r"[A-Z][A-Z0-9_]+", n)}
    assert "DATABASE_URL" in documented
    stale = documented - set(found) - set(tests) - dotenv
    assert not stale, f"documented in docs/operations.md but read by nothing: {sorted(stale)}"


# --------------------------------------------------------------------------- HTTP
def _routes(app) -> set[str]:
    return {f"{m} {r.rule}" for r in app.url_map.iter_rules() if r.endpoint != "static"
            for m in sorted(r.methods - {"HEAD", "OPTIONS"})}


def _documented_routes(text: str) -> set[str]:
    return {s.split("?")[0] for s in _spans(text)
            if re.fullmatch(rf"(?:{'|'.join(METHODS)}) /\S*", s)}


def test_every_url_rule_is_documented(app, sections):
    routes = _routes(app)
    assert {"POST /callback", "GET /healthz", "GET /api/v1/progress"} <= routes
    missing = routes - _documented_routes(sections["HTTP"])
    assert not missing, f"routes of the app not in docs/operations.md § HTTP: {sorted(missing)}"


def test_every_documented_route_exists(app, ops):
    stale = _documented_routes(ops) - _routes(app)
    assert not stale, f"routes in docs/operations.md that the app does not have: {sorted(stale)}"


def test_the_progress_example_is_the_real_shape(app, sections):
    block = re.search(r"```json\n(.*?)```", sections["HTTP"], re.S)
    assert block, "docs/operations.md § HTTP shows the JSON of GET /api/v1/progress"
    doc = json.loads(block.group(1))
    resp = app.test_client().get("/api/v1/progress",
                                 headers={"Authorization": "Bearer docs-token"})
    assert resp.status_code == 200
    real = resp.get_json()
    assert set(doc) == set(real)
    assert {k: v for k, v in doc.items() if k != "indicators"} == \
        {k: v for k, v in real.items() if k != "indicators"}
    by_key = {i["key"]: i for i in real["indicators"]}
    assert [i["key"] for i in doc["indicators"]] == list(by_key), "every indicator, in order"
    for d in doc["indicators"]:
        r = by_key[d["key"]]
        assert set(d) == set(r), d["key"]
        assert {k: v for k, v in d.items() if k not in ("districts", "categories", "done")} == \
            {k: v for k, v in r.items() if k not in ("districts", "categories", "done")}
        for part in ("districts", "categories"):
            real_items = {x["key"]: x for x in r[part]}
            for x in d[part]:
                assert x["key"] in real_items, (d["key"], part, x["key"])
                y = real_items[x["key"]]
                assert set(x) == set(y), (d["key"], part, x["key"])
                assert {k: v for k, v in x.items() if k != "done"} == \
                    {k: v for k, v in y.items() if k != "done"}, (d["key"], part, x["key"])
    spans = set(_spans(sections["HTTP"]))
    category_keys = {c["key"] for i in real["indicators"] for c in i["categories"]}
    assert category_keys <= spans, f"category keys not listed: {sorted(category_keys - spans)}"


# --------------------------------------------------------------------------- command line
def _commands(app) -> dict[str, click.Command]:
    """'flask plan load' → the command, for every leaf command under app.cli."""
    out = {}

    def walk(cmd: click.Command, path: list[str]) -> None:
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), path + [name])
        else:
            out[" ".join(path)] = cmd
    walk(app.cli, ["flask"])
    return out


def test_every_cli_command_is_documented_with_its_parameters(app, sections):
    commands = _commands(app)
    assert {"flask plan load", "flask groups bind", "flask chat", "flask export",
            "flask reminders preview"} <= set(commands)
    rows = [row for row in _rows(sections["Command line"]) if row and _spans(row[0])]
    for path, cmd in commands.items():
        row = next((r for r in rows if re.match(rf"{re.escape(path)}(?: |$)", _spans(r[0])[0])),
                   None)
        assert row is not None, f"`{path}` is not in docs/operations.md § Command line"
        text = " ".join(row)
        for p in cmd.params:
            if isinstance(p, click.Argument):
                names = [p.human_readable_name]
            else:
                names = [o for o in p.opts if o.startswith("--") and o != "--help"]
            for name in names:
                assert name in text, f"`{path}`: {name} is not documented in its row"


def test_every_documented_cli_command_exists(app):
    """Every `flask …` named in README.md or docs/*.md is a command the app has."""
    builtin = {c.name for c in (flask.cli.run_command, flask.cli.shell_command,
                                flask.cli.routes_command)}
    ctx = click.Context(app.cli)
    stale = []
    for f in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for span in _spans(f.read_text(encoding="utf-8")):
            words = span.split()
            if not words or words[0] != "flask":
                continue
            cmd: click.Command = app.cli
            for i, word in enumerate(words[1:]):
                if not isinstance(cmd, click.Group) or word[0] in "-[<$|…":
                    break
                if i == 0 and word in builtin:
                    break
                sub = cmd.get_command(ctx, word)
                if sub is None:
                    stale.append(f"{f.name}: `{span}`")
                    break
                cmd = sub
    assert not stale, f"commands the app does not have: {stale}"


# --------------------------------------------------------------------------- README
def test_readme_stands_on_its_own():
    text = README.read_text(encoding="utf-8")
    assert "../shared" not in text and "shared/docs" not in text
    assert "docs/operations.md" in text


def test_relative_links_resolve():
    for f in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", f.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            assert (f.parent / target).exists(), f"{f.name} links to missing {target}"
    assert "operations.md" in (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
