"""300 concurrent slow 1 MB unsigned uploads do not grow a `centavo serve` process's memory (issue 11: they
pushed it from 107 to 460 MB). Each connection can make the server hold at most the route's limit (64 KB for
Twilio) for the read deadline (5 s): 300 x 64 KB is under 20 MB, whatever the senders declare or trickle."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from tests.cli.test_serve import env, free_port, serving, wait_healthy

__all__ = ["env"]  # the fixture, re-used

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 300
MB = 1024 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def upload(port: int, *, chunked: bool, chunk: int, every_s: float) -> bytes:
    """POST 1 MB to /webhooks/twilio a chunk at a time, unsigned; the server's status line (b"" if none)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {MB}"
    writer.write(
        f"POST /webhooks/twilio HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"{framing}\r\n\r\n".encode()
    )
    answer = asyncio.ensure_future(reader.readline())
    try:
        for _ in range(MB // chunk):
            if answer.done():
                break
            data = b"a" * chunk
            writer.write(f"{chunk:x}\r\n".encode() + data + b"\r\n" if chunked else data)
            await writer.drain()
            await asyncio.sleep(every_s)
        return await asyncio.wait_for(answer, 10)
    except (ConnectionError, TimeoutError):
        finished = answer.done() and not answer.cancelled() and answer.exception() is None
        return answer.result() if finished else b""
    finally:
        answer.cancel()
        writer.close()


async def attack(port: int, pid: int) -> tuple[list[bytes], float]:
    """Half declare 1 MB (refused from the header), half send it chunked, 1 KB every 100 ms (cut at the limit
    or the deadline); the peak RSS while they run."""
    peak = 0.0

    async def sample() -> None:
        nonlocal peak
        while True:
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.05)

    sampler = asyncio.ensure_future(sample())
    answers = await asyncio.gather(
        *(upload(port, chunked=i % 2 == 0, chunk=1024, every_s=0.1) for i in range(UPLOADS))
    )
    sampler.cancel()
    return list(answers), peak


def test_300_slow_1_mb_uploads_do_not_grow_the_server(env: dict[str, str]) -> None:
    port = free_port()
    env = {**env, "PORT": str(port), "PYTHONPATH": str(ROOT)}  # this checkout's code, not the installed one
    with serving(env) as process:
        wait_healthy(port, process)
        before = rss_mb(process.pid)
        started = time.monotonic()
        answers, peak = asyncio.run(attack(port, process.pid))
        elapsed = time.monotonic() - started
        after = rss_mb(process.pid)
        wait_healthy(port, process)  # still answering
    statuses = sorted({line.split(b" ")[1].decode() for line in answers if line})
    print(f"RSS before {before:.0f} MB, peak {peak:.0f} MB, after {after:.0f} MB; {elapsed:.1f} s {statuses}")
    assert set(statuses) <= {"408", "413"} and len([a for a in answers if a]) == UPLOADS
    assert peak - before < 40, (before, peak)  # the bound is 300 x 64 KB = 19 MB of bodies, plus connections
    assert os.environ.get("CI") is None or elapsed < 30
