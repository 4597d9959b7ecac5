"""Alembic environment: one script directory, version locations from the core and each plugin."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from ipgov.db.base import Base
from ipgov.db.session import make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # a revision waits at most this long for a table lock (then it is rolled back and
        # ``ipgov.db.migrate`` tries again), so requests never queue long behind it
        ms = int(config.attributes.get("ipgov_lock_timeout_ms", 2000))
        connection.exec_driver_sql(f"SET lock_timeout = '{ms}ms'")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # set by ``ipgov plugin revision``: autogenerate looks at one plugin's tables only
        include_object=config.attributes.get("include_object"),
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic: no sqlalchemy.url in the configuration")
    engine = make_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
