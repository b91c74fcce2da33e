"""Typed settings, loaded once: CLI flag > ALLIANCES_* environment variable > config file > default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from alliances.errors import InvalidInput


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "alliance-observatory"


def database_url(value: str | None) -> str:
    """Accept a SQLAlchemy URL or a plain file path (which means SQLite)."""
    if not value:
        return f"sqlite:///{default_data_dir() / 'observatory.db'}"
    if "://" in value:
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


@dataclass(frozen=True)
class Settings:
    db: str = field(default_factory=lambda: database_url(None))
    host: str = "127.0.0.1"
    port: int = 8000
    lang: str = "en"
    anonymous: str = "public"  # what visitors without an account see: "public" data or "none" (issue 13)

    def with_overrides(self, **values: Any) -> Settings:
        clean = {k: v for k, v in values.items() if v is not None}
        if "db" in clean:
            clean["db"] = database_url(clean["db"])
        return replace(self, **clean)


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Build settings from a TOML config file, the environment, then explicit flags."""
    values: dict[str, Any] = {}
    path = config or (Path(os.environ["ALLIANCES_CONFIG"]) if os.environ.get("ALLIANCES_CONFIG") else None)
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"{path}: cannot read config file ({exc})") from exc
    for name in ("db", "host", "port", "lang", "anonymous"):
        env = os.environ.get(f"ALLIANCES_{name.upper()}")
        if env:
            values[name] = env
    values.update({k: v for k, v in flags.items() if v is not None})
    if "port" in values:
        try:
            values["port"] = int(values["port"])
        except ValueError as exc:
            raise InvalidInput(f"port must be a number, not {values['port']!r}") from exc
    if values.get("anonymous") not in (None, "public", "none"):
        raise InvalidInput(f"anonymous must be 'public' or 'none', not {values['anonymous']!r}")
    return Settings().with_overrides(**values)
