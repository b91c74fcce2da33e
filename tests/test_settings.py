"""Settings: flag > ALLIANCES_* environment > TOML config file > default; bad input is one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliances.errors import InvalidInput
from alliances.settings import load_settings

SETTINGS_ENV = ("ALLIANCES_DB", "ALLIANCES_HOST", "ALLIANCES_PORT", "ALLIANCES_LANG", "ALLIANCES_CONFIG")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "alliances.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    settings = load_settings()
    assert (settings.host, settings.port, settings.lang) == ("127.0.0.1", 8000, "en")
    assert settings.db.startswith("sqlite:///") and settings.db.endswith("observatory.db")


def test_precedence_flag_over_env_over_file_over_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, 'port = 9000\nlang = "fr"\nhost = "0.0.0.0"\n')
    assert load_settings(path).port == 9000  # file over default
    monkeypatch.setenv("ALLIANCES_PORT", "9100")
    from_env = load_settings(path)
    assert (from_env.port, from_env.lang, from_env.host) == (9100, "fr", "0.0.0.0")  # env over file
    assert load_settings(path, port=9200, host=None).port == 9200  # flag over env; None is "not given"
    monkeypatch.setenv("ALLIANCES_CONFIG", str(path))
    assert load_settings().lang == "fr"  # the file named by the environment


def test_a_file_path_means_sqlite(tmp_path: Path) -> None:
    assert load_settings(db=str(tmp_path / "x.db")).db == f"sqlite:///{tmp_path / 'x.db'}"
    assert load_settings(db="postgresql://u@h/d").db == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize(
    ("env", "text", "message"),
    [
        ({"ALLIANCES_LANG": "de"}, "", "setting lang (flag, ALLIANCES_LANG or config file): Input should be"),
        ({"ALLIANCES_PORT": "eighty"}, "", "setting port"),
        ({"ALLIANCES_PORT": "70000"}, "", "setting port"),
        ({}, 'colour = "red"\n', "unknown setting 'colour'"),
        ({}, "port = [", "cannot read config file"),
        ({}, 'lang = "de"\n', "setting lang"),
    ],
)
def test_bad_settings_are_one_line_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], text: str, message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = config(tmp_path, text) if text else None
    with pytest.raises(InvalidInput) as caught:
        load_settings(path)
    assert message in caught.value.message and "\n" not in caught.value.message


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("stats",), {"ALLIANCES_LANG": "de"}, "ALLIANCES_LANG"),
        (("--config", "{cfg}", "stats"), {}, "unknown setting 'colour'"),
    ],
)
def test_cli_reports_bad_settings_and_exits_2(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    path = config(tmp_path, 'colour = "red"\n')
    full_env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV} | env
    result = subprocess.run(
        [sys.executable, "-c", "from alliances.cli import main; main()", *(a.format(cfg=path) for a in args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
