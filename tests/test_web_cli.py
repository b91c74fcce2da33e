"""`alliances serve`: first run builds the database; a taken port or a read-only file is one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from alliances.cli.web import prepare_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_taken_port_is_one_line_and_non_zero(cli: Any, tmp_path: Path, web_db_file: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = cli("serve", "--db", str(web_db_file), "--port", str(port))
    assert result.code != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_read_only_database_is_one_line(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ro.db"
    path.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(path) else real_access(p, mode))
    result = cli("serve", "--db", str(path), "--port", str(free_port()))
    assert result.code != 0
    assert "read-only" in result.err and "Traceback" not in result.err


def test_first_run_loads_the_bundled_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'first.db'}"
    db = prepare_database(url)
    assert db.is_initialised()
    with db.session() as s:
        from alliances.store.projects import stats

        counts = stats(s).model_dump()
    assert counts["alliances"] > 250 and counts["organisations"] > 200 and counts["projects"] > 0
    prepare_database(url).dispose()  # a second run keeps the data as it is
    db.dispose()


@pytest.mark.slow
def test_serve_answers_on_localhost(tmp_path: Path, web_db_file: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from alliances.cli import main; main()",
            "serve",
            "--db",
            str(web_db_file),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # not a timing test: a fresh CI machine took over 10 s to import, migrate and warm up (5 s here)
        deadline = time.monotonic() + 90
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    pytest.fail(f"the server stopped: {proc.stderr.read() if proc.stderr else ''}")
                if time.monotonic() > deadline:
                    pytest.fail("the server did not answer within 90 s")
                time.sleep(0.1)
        assert response.json()["alliances"] == 10
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"http://localhost:{port}/" in out
