"""Writes first (`web/turns.py`): a read waits while its worker writes, but never longer than its limit."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from alliances.web import turns

LIMIT = turns.read_wait("sqlite")


def test_a_read_waits_for_the_write_in_progress_then_goes() -> None:
    async def scenario() -> tuple[bool, bool, float]:
        async with turns.writing_first():
            read = asyncio.create_task(turns.reads_turn(LIMIT))
            await asyncio.sleep(LIMIT / 5)
            waiting = not read.done()
        started = time.perf_counter()
        await read
        return waiting, read.done(), time.perf_counter() - started

    waiting, done, after = asyncio.run(scenario())
    assert waiting and done
    assert after < LIMIT / 2  # released as soon as the write ended


def test_a_read_never_waits_longer_than_its_limit_behind_a_long_write() -> None:
    async def scenario() -> float:
        async with turns.writing_first():
            started = time.perf_counter()
            await turns.reads_turn(LIMIT)
            return time.perf_counter() - started

    waited = asyncio.run(scenario())
    assert LIMIT * 0.9 <= waited < LIMIT + 1.0


def test_two_writes_keep_reads_waiting_until_the_last_ends() -> None:
    async def scenario() -> tuple[bool, bool]:
        first, second = turns.writing_first(), turns.writing_first()
        await first.__aenter__()
        await second.__aenter__()
        await first.__aexit__(None, None, None)
        read = asyncio.create_task(turns.reads_turn(LIMIT))
        await asyncio.sleep(0.005)
        still = not read.done()
        await second.__aexit__(None, None, None)
        await asyncio.sleep(0.005)
        return still, read.done()

    still, done = asyncio.run(scenario())
    assert still and done


def test_no_write_no_wait() -> None:
    async def scenario() -> float:
        started = time.perf_counter()
        await turns.reads_turn(LIMIT)
        return time.perf_counter() - started

    assert asyncio.run(scenario()) < 0.01


def test_reads_wait_longer_on_a_server_database() -> None:
    """A write on PostgreSQL makes more round trips: reads hold back longer for it (measured in turns.py)."""
    assert turns.read_wait("postgresql") > turns.read_wait("sqlite") > 0


PAUSE = 0.2  # long enough to tell a pause from none on a loaded machine


def _engine_statement_seconds(engine: Engine) -> float:
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return time.perf_counter() - started


def test_a_read_under_way_pauses_at_its_next_statement_while_its_worker_writes(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    turns.install(engine)

    async def scenario() -> tuple[float, float, float]:
        await turns.reads_turn(LIMIT, PAUSE)  # the read begins: no write yet
        calm = await asyncio.to_thread(_engine_statement_seconds, engine)
        async with turns.writing_first():  # a write begins while the read is under way
            paused = await asyncio.to_thread(_engine_statement_seconds, engine)
            spent = await asyncio.to_thread(_engine_statement_seconds, engine)  # its pause is used up
        return calm, paused, spent

    calm, paused, spent = asyncio.run(scenario())
    assert calm < PAUSE / 4 and spent < PAUSE / 4
    assert PAUSE * 0.9 <= paused < PAUSE + 1.0


def test_a_paused_read_goes_as_soon_as_the_write_ends(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    turns.install(engine)

    async def scenario() -> float:
        await turns.reads_turn(LIMIT, 5.0)
        async with turns.writing_first():
            statement = asyncio.create_task(asyncio.to_thread(_engine_statement_seconds, engine))
            await asyncio.sleep(PAUSE)
        return await statement

    assert PAUSE * 0.9 <= asyncio.run(scenario()) < 2.5


def test_writes_and_the_event_loop_never_pause(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    turns.install(engine)
    turns.install(engine)  # once per engine, however often asked

    async def write() -> float:
        async with turns.writing_first():  # the write's own statements, in a thread
            return await asyncio.to_thread(_engine_statement_seconds, engine)

    async def on_the_loop() -> float:
        await turns.reads_turn(LIMIT, PAUSE)
        async with turns.writing_first():
            return _engine_statement_seconds(engine)  # the loop's thread runs the write's steps

    assert asyncio.run(write()) < PAUSE / 4
    assert asyncio.run(on_the_loop()) < PAUSE / 4


def test_reads_pause_for_writes_only_on_a_server_database() -> None:
    assert turns.read_pause("postgresql") > 0 == turns.read_pause("sqlite")
