"""Alembic environment: runs migrations on the engine the application hands over."""

from alembic import context
from sqlalchemy import Engine, create_engine

from alliances.store.models import Base
from alliances.store.search import is_index_table

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=is_index_table,
    )
    context.run_migrations()
