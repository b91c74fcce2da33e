"""Docs that run: every command and request shown in README.md and docs/*.md is executed here.

Shell blocks (```bash, ```console, ```sh) run in order, one fresh copy of the bundled database per
document, through the real `alliances` entry point in a subprocess (pipes and `&&` as written); each must
exit 0 and print something. `GET /api/...` requests quoted in the text
are sent with a TestClient to the same database once the document's commands have run. Synopsis blocks
(no language tag) are checked against `--help`: every command they name exists and takes the options shown.
The skip list below is the only way out, and says why each entry cannot run in a test.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from alliances.store.db import Database

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL = {"bash", "console", "sh", "shell"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
OPTIONAL = re.compile(r"\[(--[^\]]+)\]")

# Commands that take minutes at the documented size: run with the same options at a small size instead.
SMALLER = {
    "alliances synth --organisations 200000 --alliances 1000000 --db postgresql+psycopg://…/observatory": (
        "alliances synth --organisations 200 --alliances 1000 --db fresh-synthetic.db"
    ),
    "alliances synth-docs --documents 100000 --out /srv/bench-press/": (
        "alliances synth-docs --documents 20 --out bench-press/"
    ),
}
# Commands that cannot run inside a test, by prefix. Everything else in the docs runs.
SKIP = {
    "pip install": "installs packages from the network",
    "bash scripts/test": "the test suite itself",
    "alliances serve": "serves until stopped (tests/test_web_cli.py starts it)",
    "sudo ": "system administration: users, apt-get, systemd, PostgreSQL roles",
    "set -a; . /etc/alliances/env": "reads the server's environment file (tests/test_deployment.py)",
    "15 2 * * *": "a cron line, not a command",
    "ALLIANCES_DB=postgresql": "needs the restored PostgreSQL database (tests/test_deployment.py)",
    "alliances ingest --dask tcp://": "needs a Dask scheduler on the network",
    "pytest ": "the test suite itself",
    "python bench/": "benchmarks take minutes; they print figures, they do not test",
}
# Requests the docs show as refused, with the status they document.
REFUSED = {"/api/v1/projects/abc": 422, "/api/v1/alliances/abc": 404}
# Routes a document only names, checked in the document whose commands create their data.
ELSEWHERE = {("docs/api.md", "/api/v1/alliances/5/health"): "docs/health.md imports the plan it reads"}
# Files the docs assume the reader has: written in the working folder before the commands run.
FILES = {"q1-2020.csv": "date,party,amount,note\n2020-02-14,Sanofi,2500000,quarterly call\n"}
# Values for the placeholders of documented routes, in the databases the documents' own commands leave.
PLACEHOLDERS = {
    "{id or name}": "Servier",
    "/alliances/{id}": "/alliances/5",  # the alliance the health examples import into
    "/organisations/{id}": "/organisations/Sanofi",
    "/projects/{id}": "/projects/1",
    "/candidates/{id}": "/candidates/1",
    "/assessments/{id}": "/assessments/1",
    "{organisation_id}": "1",
    "{name}": "escalation_of_commitment",  # the alert the onduo-like replay raises
}


@dataclass(frozen=True)
class Command:
    doc: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"


def blocks(path: Path) -> Iterator[tuple[str, int, str]]:
    """(language, line of the first content line, body) of each fenced block."""
    text = path.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        yield match.group(1), text[: match.start()].count("\n") + 2, match.group(2)


def commands(path: Path) -> list[Command]:
    """The shell commands of a document: `$ ` lines of console blocks, every line of bash/sh blocks."""
    found = []
    for lang, first, body in blocks(path):
        if lang not in SHELL:
            continue
        for offset, line in enumerate(body.splitlines()):
            if lang == "console":
                if not line.startswith("$ "):
                    continue  # printed output
                line = line[2:]
            line = OPTIONAL.sub(r"\1", strip_comment(line))  # `[--json]`: run with the option
            line = SMALLER.get(line, line)
            if line:
                found.append(Command(path.relative_to(REPO).as_posix(), first + offset, line))
    return found


def strip_comment(line: str) -> str:
    """The line without its trailing `# comment` (a `#` inside quotes or a word stays)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].strip()
    return line.strip()


def skip_reason(command: str) -> str | None:
    return next((why for prefix, why in SKIP.items() if command.startswith(prefix)), None)


def requests(path: Path) -> list[tuple[int, str]]:
    """`GET /...` requests (and the `/api/v1/...` addresses listed after one) quoted in the text."""
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for span in re.findall(r"`([^`]+)`", line):
            for placeholder, value in PLACEHOLDERS.items():
                span = span.replace(placeholder, value)
            method, _, address = span.rpartition(" ")
            if method and "GET" not in method.split("/"):
                continue  # POST, PATCH, PUT: review actions, covered by their own tests
            if not address.startswith("/api/") and not (method and address.startswith("/")):
                continue
            if "…" in address or address == "/api/v1":
                continue  # elided ("?…"), or the API's root named in prose
            found.extend((number, one) for one in expand(address))
    return found


def expand(address: str) -> list[str]:
    """One address per documented alternative (`by=degree\\|alliances` gives two), placeholders filled."""
    choices = []
    for piece in re.split(r"([?&])", address):
        key, equals, values = piece.partition("=")
        choices.append([f"{key}{equals}{value}" for value in values.split("\\|")] if equals else [piece])
    return ["".join(combo) for combo in itertools.product(*choices)]


DOC_IDS = [doc.relative_to(REPO).as_posix() for doc in DOCS]


@pytest.fixture(scope="module")
def alliances_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose `alliances` runs this checkout with this interpreter."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "alliances"
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -c "from alliances.cli import main; main()" "$@"\n')
    script.chmod(0o755)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_shell_command_runs(
    doc: Path, bundled_db_file: Path, alliances_bin: Path, tmp_path: Path
) -> None:
    """Needs nothing beyond the checkout (a newcomer has no ../shared): the README ingests examples/press."""
    db_path = tmp_path / "observatory.db"
    shutil.copy(bundled_db_file, db_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PATH": f"{alliances_bin}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "HOME": str(home),
        "ALLIANCES_DB": f"sqlite:///{db_path}",
        "COLUMNS": "200",
    }
    env.pop("ALLIANCES_CONFIG", None)
    (tmp_path / "examples").symlink_to(REPO / "examples")  # the docs' paths are relative to the checkout
    for name, content in FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    token = ""
    for command in commands(doc):
        if skip_reason(command.text):
            continue
        if command.text.startswith("curl "):
            curl(command, db_path, token)
            continue
        output = shell(command, tmp_path, env)
        assert output.strip(), f"{command}: printed nothing"
        token = next(iter(re.findall(r"\bao_[\w-]+", output)), token)
    if requests(doc):
        # Health plans and assessments are private: the requests are sent as an admin of the test's own.
        admin = Command(doc.name, 0, f"echo 'docs admin pass' | {ADMIN} && alliances tokens create {EMAIL}")
        check_requests(doc, db_path, re.findall(r"\bao_[\w-]+", shell(admin, tmp_path, env))[0])


EMAIL = "docs-admin@example.org"
ADMIN = f"alliances users add {EMAIL} --org Sanofi --role admin --password-stdin"


def shell(command: Command, cwd: Path, env: dict[str, str]) -> str:
    """Run one documented command line with bash; its standard output, once it exited 0."""
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command.text],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{command}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def curl(command: Command, db_path: Path, token: str) -> None:
    """`curl [-H 'Name: value'] http://host:port/path`, sent to the app with the token printed earlier."""
    words = shlex.split(command.text)
    headers = {}
    for flag, value in zip(words, words[1:], strict=False):
        if flag == "-H":
            name, _, content = value.partition(": ")
            headers[name] = content.replace("ao_…", token)
    address = "/" + words[-1].split("://", 1)[1].split("/", 1)[1]
    with client(db_path) as http:
        response = http.get(address, headers=headers)
    assert response.status_code == 200, f"{command}: {response.status_code} {response.text[:300]}"
    assert response.content


def client(db_path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from alliances.settings import Settings
    from alliances.web import create_app

    db = Database.open(f"sqlite:///{db_path}")
    return TestClient(create_app(Settings(db=db.url), database=db))


def check_requests(doc: Path, db_path: Path, token: str) -> None:
    with client(db_path) as http:
        for line, address in requests(doc):
            if (doc.relative_to(REPO).as_posix(), address) in ELSEWHERE:
                continue
            response = http.get(address, headers={"Authorization": f"Bearer {token}"})
            expected = REFUSED.get(address, 200)
            where = f"{doc.relative_to(REPO)}:{line}: GET {address}"
            assert "{" not in address, f"{where}: add its placeholder to PLACEHOLDERS"
            assert response.status_code == expected, f"{where}: {response.status_code} {response.text[:300]}"
            assert response.content, f"{where}: empty body"


# --- synopsis blocks ----------------------------------------------------------------------------------


def synopses() -> list[Command]:
    """Lines of untagged blocks that start with `alliances`: usage summaries with placeholders."""
    found = []
    for doc in DOCS:
        for lang, first, body in blocks(doc):
            if lang:
                continue
            for offset, line in enumerate(body.splitlines()):
                if line.startswith("alliances "):
                    found.append(Command(doc.relative_to(REPO).as_posix(), first + offset, line))
    return found


@pytest.mark.parametrize("synopsis", synopses(), ids=str)
def test_every_synopsis_matches_help(synopsis: Command, cli: Any) -> None:
    """`alliances review list | show ID | edit ID --set …`: each alternative's command and options exist."""
    line = synopsis.text.split("  #", 1)[0]
    first, *others = [part.strip() for part in line.split(" | ")]
    words = first.split()
    path = [w for w in itertools.takewhile(lambda w: re.fullmatch(r"[a-z][a-z-]*", w), words[1:])]
    variants = [first] + [" ".join(["alliances", *path[:-1], other]) for other in others]
    for variant in variants:
        tokens = variant.split()[1:]
        command = [w for w in itertools.takewhile(lambda w: re.fullmatch(r"[a-z][a-z-]*", w), tokens)]
        result = cli(*command, "--help")
        assert result.code == 0, f"{synopsis}: `alliances {' '.join(command)}` does not exist\n{result.err}"
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", variant):
            assert option in result.out, f"{synopsis}: `alliances {' '.join(command)}` has no {option}"


def test_documented_csv_columns_are_the_export_header(bundled_client: Any) -> None:
    """docs/api.md lists the columns of alliances.csv: they are the header the route sends, in order."""
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    listed = re.search(r"alliances\.csv\?…` — one row per alliance: `([^`]+)`", text.replace("\n  ", " "))
    assert listed, "docs/api.md no longer lists the CSV columns"
    header = bundled_client.get("/api/v1/alliances.csv").text.splitlines()[0]
    assert [c.strip() for c in listed.group(1).split(",")] == header.split(",")


def test_parsers_see_what_the_docs_show() -> None:
    """The extraction itself: a console block's output is not a command, comments go, alternatives expand."""
    readme = commands(REPO / "README.md")
    assert any(c.text.startswith("alliances list --technology ai") for c in readme)
    assert not any(c.text.startswith("Loaded ") for c in readme)
    assert strip_comment('alliances review edit 5 --amount "230M EUR"   # every field') == (
        'alliances review edit 5 --amount "230M EUR"'
    )
    assert expand("/api/v1/matrix?source=alliances\\|projects\\|both") == [
        "/api/v1/matrix?source=alliances",
        "/api/v1/matrix?source=projects",
        "/api/v1/matrix?source=both",
    ]
    assert ("/api/v1/alliances/5", 40) in [(a, n) for n, a in requests(REPO / "docs" / "api.md")]
    assert all(skip_reason(c.text) is None for c in readme if c.text.startswith("alliances list"))


@pytest.mark.parametrize("name", ["nodes", "edges"])
def test_documented_network_csv_columns_are_the_export_header(name: str, bundled_client: Any) -> None:
    """docs/api.md lists the columns of network.nodes.csv and network.edges.csv as the routes send them."""
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8").replace("\n  ", " ")
    listed = re.search(rf"network\.{name}\.csv` — [^`]*columns `([^`]+)`", text)
    assert listed, f"docs/api.md no longer lists the columns of network.{name}.csv"
    header = bundled_client.get(f"/api/v1/network.{name}.csv").text.splitlines()[0]
    assert [c.strip() for c in listed.group(1).split(",")] == header.split(",")
