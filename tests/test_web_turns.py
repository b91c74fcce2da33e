"""Writes first (`web/turns.py`): a read waits while its worker writes, but never longer than its limit."""

from __future__ import annotations

import asyncio
import time

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
