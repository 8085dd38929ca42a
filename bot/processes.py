"""`centavo serve --processes N`: N server processes on one port (SO_REUSEPORT), under one supervisor.

One Python process answers on one core; a machine with more cores runs several. The kernel spreads new
connections over the processes' sockets. The supervisor serves nothing: it warms what the servers share
(the NLU, loaded once and shared copy-on-write), forks them, restarts one that dies (after a pause), stops
everything when one cannot even start, and passes SIGTERM / SIGINT on, waiting for them to finish.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

RESTART_PAUSE_S = 1.0
"""Between a server's death and its replacement."""
START_GRACE_S = 10.0
"""A server that fails sooner after its start could not start (a refused database role, a taken port):
starting another would fail the same way, so the supervisor stops them all and exits with its status."""


def supervise(count: int, serve_one: Callable[[], object], warm: Callable[[], None] | None = None) -> int:
    """Run `serve_one` in `count` forked processes until SIGTERM or SIGINT; the exit status is 0 when every
    server stopped cleanly."""
    if warm is not None:
        warm()
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    children: dict[int, float] = {}  # pid -> when it started
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(count):
        children[_fork(serve_one)] = time.monotonic()
    failed = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, time.monotonic())
        code = os.waitstatus_to_exitcode(status)
        if stopping:
            failed = failed or (code if code not in (0, -signal.SIGTERM) else 0)
            continue
        if code > 0 and time.monotonic() - started < START_GRACE_S:
            log.error("server process %d could not start (exit %d): stopping", pid, code)
            stop(signal.SIGTERM, None)
            failed = code
            continue
        log.error("server process %d exited (%d): starting another", pid, code)
        time.sleep(RESTART_PAUSE_S)
        if not stopping:
            children[_fork(serve_one)] = time.monotonic()
    return 1 if failed < 0 else failed


def _fork(serve_one: Callable[[], object]) -> int:
    pid = os.fork()
    if pid:
        return pid
    # The child: the supervisor's handlers would only forward signals to nobody; aiohttp installs its own.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    code = 0
    try:
        serve_one()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("server process failed")
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
