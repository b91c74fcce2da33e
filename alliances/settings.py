"""Typed settings, loaded once, with pydantic-settings.

Precedence, highest first: command-line flag > `ALLIANCES_*` environment variable > TOML config file
(`--config` or `ALLIANCES_CONFIG`) > default. An unknown key or a bad value, wherever it comes from, is one
line naming it (exit code 2 on the command line).
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from alliances.errors import InvalidInput

ENV_PREFIX = "ALLIANCES_"


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


class Settings(BaseSettings):
    """Where the data lives, where the server listens, the default language of pages."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid", frozen=True, validate_default=True
    )

    db: str = Field("", description="Database URL or SQLite file path")
    host: str = Field("127.0.0.1", min_length=1, description="Address the server listens on")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on")
    lang: Literal["en", "fr"] = Field("en", description="Default interface language")
    warm_up: bool = Field(True, description="Compute the costly analytics before the server opens its port")
    anonymous: Literal["public", "none"] = Field(
        "public", description="What visitors without an account see: public data, or nothing"
    )

    @field_validator("db")
    @classmethod
    def _url(cls, value: str) -> str:
        return database_url(value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init arguments), then the environment, then the config file; no .env, no secrets dir."""
        path = _CONFIG.get()
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        if path is not None:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=path),)
        return sources

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with some values replaced (None leaves a value as it is), validated again."""
        clean = {k: v for k, v in values.items() if v is not None}
        return Settings.model_validate({**self.model_dump(), **clean})


# The config file of the settings being loaded: pydantic-settings asks the class for its sources.
_CONFIG: ContextVar[Path | None] = ContextVar("alliances_config", default=None)


def _explain(exc: ValidationError, path: Path | None) -> str:
    """One line naming each bad setting and where it may come from."""
    parts = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err.get("loc", ()))
        if err.get("type") == "extra_forbidden":
            known = ", ".join(Settings.model_fields)
            parts.append(f"{path or 'settings'}: unknown setting {name!r} (known: {known})")
        else:
            env = f"{ENV_PREFIX}{name.upper()}"
            parts.append(f"setting {name} (flag, {env} or config file): {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Build settings from flags, the environment and a TOML config file, in that order of precedence."""
    env_config = os.environ.get(f"{ENV_PREFIX}CONFIG")
    path = config or (Path(env_config) if env_config else None)
    if path is not None:
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"{path}: cannot read config file ({exc})") from exc
    token = _CONFIG.set(path)
    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        raise InvalidInput(_explain(exc, path)) from exc
    finally:
        _CONFIG.reset(token)
