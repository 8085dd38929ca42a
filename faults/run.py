"""`make faults`: PostgreSQL stopped, then hung, then Redis stopped, under a live serve + worker: PASS/FAIL.

Everything runs on a PostgreSQL cluster (initdb + pg_ctl in a temporary directory) and a redis-server of its
own, on spare loopback ports: the shared servers are never touched. Exit status 1 when any case fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402

from bot.demo import DEMO_NUMBER, DEMO_PHONE  # noqa: E402
from bot.signed_request import twilio_form  # noqa: E402

TOKEN = "centavo-faults-token"
DEADLINE_S = 2.0
SLACK_S = 0.5
"""A 503 counts as "within the deadline" up to DEADLINE_S + SLACK_S (the client's own overhead)."""


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise SystemExit(f"{name} not found (PostgreSQL server binaries are needed)")
    return found[-1]


@dataclass
class Stack:
    """Our own PostgreSQL cluster and redis-server, and `centavo serve` + `centavo worker` on them."""

    tmp: Path
    pg_port: int = field(default_factory=spare_port)
    redis_port: int = field(default_factory=spare_port)
    http_port: int = field(default_factory=spare_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[BinaryIO] = field(default_factory=list)

    @property
    def pgdata(self) -> Path:
        return self.tmp / "pg"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def env(self, database_url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "META_", "CENTAVO_"))}
        env.update(
            PYTHONPATH=str(ROOT),
            DATABASE_URL=database_url,
            MIGRATION_DATABASE_URL=self.owner_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            TWILIO_AUTH_TOKEN=TOKEN,
            PUBLIC_BASE_URL=self.base,
            CENTAVO_APP_ROLE="centavo_app",
            CENTAVO_APP_PASSWORD="faults-app",
            CENTAVO_WEBHOOK_DEADLINE_S=str(DEADLINE_S),
            LOG_LEVEL="INFO",
        )
        return env

    @property
    def owner_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/centavo"

    @property
    def app_url(self) -> str:
        return f"postgresql://centavo_app:faults-app@127.0.0.1:{self.pg_port}/centavo"

    def centavo(self, *args: str, url: str | None = None) -> list[str]:
        return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args]

    def as_pg_user(self, command: list[str]) -> list[str]:
        """PostgreSQL refuses to run as root: as root, its programs run as the postgres account."""
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def pg_ctl(self, *args: str) -> None:
        command = self.as_pg_user([pg_bin("pg_ctl"), "-D", str(self.pgdata), *args])
        subprocess.run(command, check=True, capture_output=True)

    def start_pg(self) -> None:
        options = f"-p {self.pg_port} -k {self.pgdata} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-o", options, "-l", str(self.pgdata / "server.log"), "-w", "start")

    def stop_pg(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def pg_pids(self) -> list[int]:
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(postmaster)], capture_output=True, text=True
        )
        return [postmaster, *(int(p) for p in children.stdout.split())]

    def psql(self, sql: str) -> str:
        out = subprocess.run(
            [
                pg_bin("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg_port),
                "-U",
                "postgres",
                "centavo",
                "-Atc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def start_redis(self) -> None:
        args = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", ""]
        self.procs["redis"] = subprocess.Popen(
            [*args, "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(lambda: _connects(self.redis_port), 10, "redis-server")

    def stop_redis(self) -> None:
        proc = self.procs.pop("redis")
        proc.terminate()
        proc.wait(10)

    def spawn(self, name: str, *args: str) -> None:
        log = open(self.tmp / f"{name}.log", "wb")
        self.logs.append(log)
        self.procs[name] = subprocess.Popen(
            self.centavo(*args),
            env=self.env(self.app_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.tmp,
        )

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def up(self) -> None:
        self.pgdata.mkdir(mode=0o700)
        if os.geteuid() == 0:
            self.tmp.chmod(0o755)
            shutil.chown(self.pgdata, "postgres", "postgres")
        initdb = [pg_bin("initdb"), "-D", str(self.pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        subprocess.run(self.as_pg_user([*initdb, "--no-sync"]), check=True, capture_output=True)
        self.start_pg()
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "centavo"],
            check=True,
        )
        self.start_redis()
        owner = self.env(self.owner_url)
        for command in (("migrate",), ("demo",)):
            subprocess.run(self.centavo(*command), env=owner, check=True, capture_output=True, cwd=self.tmp)
        self.spawn("serve", "serve", "--host", "127.0.0.1", "--port", str(self.http_port))
        self.spawn("worker", "worker")
        wait_for(lambda: get(self.base + "/readyz")[0] == 200, 30, "centavo serve")

    def down(self) -> None:
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        for log in self.logs:
            log.close()
        if (self.pgdata / "postmaster.pid").exists():
            for pid in self.pg_pids():
                os.kill(pid, signal.SIGCONT)
            self.pg_ctl("-m", "immediate", "-w", "stop")


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds:.0f} s")


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read().decode()


@dataclass
class Answer:
    status: int
    seconds: float
    body: str
    retry_after: str | None = None


def post(stack: Stack, form: dict[str, str]) -> Answer:
    url = stack.base + "/webhooks/twilio"
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    request = urllib.request.Request(
        url, data=urlencode(form).encode(), headers={"X-Twilio-Signature": signature}, method="POST"
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return Answer(r.status, time.monotonic() - started, r.read().decode())
    except urllib.error.HTTPError as e:
        with e:
            return Answer(e.code, time.monotonic() - started, e.read().decode(), e.headers.get("Retry-After"))


def message(text: str = "spent 12 on coffee") -> dict[str, str]:
    return twilio_form(text, DEMO_PHONE, DEMO_NUMBER)


@dataclass
class Result:
    name: str
    ok: bool
    detail: str


def _summary(answers: list[Answer]) -> str:
    if not answers:
        return "none"
    statuses = sorted({a.status for a in answers})
    worst = max(a.seconds for a in answers)
    return f"{len(answers)} requests, statuses {statuses}, slowest {worst:.2f} s"


def _quick_503s(answers: list[Answer]) -> bool:
    return bool(answers) and all(
        a.status == 503 and a.retry_after and a.seconds <= DEADLINE_S + SLACK_S for a in answers
    )


def case_baseline(stack: Stack) -> Result:
    a = post(stack, message())
    return Result(
        "baseline", a.status == 200 and "<Message" in a.body, f"status {a.status} in {a.seconds:.2f} s"
    )


def case_pg_stopped(stack: Stack) -> Result:
    stack.stop_pg()
    stopped = time.monotonic()
    during: list[Answer] = []
    refused: list[dict[str, str]] = []
    ready_during = get(stack.base + "/readyz")
    while time.monotonic() - stopped < 5:
        form = message()
        answer = post(stack, form)
        during.append(answer)
        if answer.status != 200:
            refused.append(form)
        time.sleep(0.5)
    stack.start_pg()
    first = post(stack, message())
    # The provider's retries of what was refused: now stored and answered, once each.
    retried = [post(stack, form) for form in refused]
    ready_after = get(stack.base + "/readyz")
    # A message whose processor is gone (claimed, lease run out): the worker must answer it by itself.
    sid = refused[0]["MessageSid"] if refused else ""
    stack.psql(
        "UPDATE inbox SET status = 'processing', claim_token = 'gone',"
        f" lease_until = now() - interval '1 minute' WHERE provider_message_id = '{sid}'"
    )
    answered_by_worker = False
    waited = time.monotonic()
    while time.monotonic() - waited < 30 and not answered_by_worker:
        answered_by_worker = (
            stack.psql(f"SELECT status FROM inbox WHERE provider_message_id = '{sid}'") == "done"
        )
        time.sleep(0.5)
    worker_wait = time.monotonic() - waited
    outage_logs = stack.log("worker").count("unavailable (")
    ok = (
        _quick_503s(during)
        and ready_during[0] == 503
        and "database" in ready_during[1]
        and first.status == 200
        and all(a.status == 200 for a in retried)
        and ready_after[0] == 200
        and stack.alive("worker")
        and stack.alive("serve")
        and answered_by_worker
        and outage_logs <= 2
    )
    detail = (
        f"during: {_summary(during)}, Retry-After {during[0].retry_after if during else None}; "
        f"/readyz during {ready_during[0]} ({ready_during[1].strip()}), after {ready_after[0]}; "
        f"first after restart: {first.status} in {first.seconds:.2f} s; "
        f"retried: {_summary(retried)}; worker alive {stack.alive('worker')}, answered an abandoned message "
        f"{f'in {worker_wait:.1f} s' if answered_by_worker else 'NOT within 30 s'}; "
        f"worker outage log lines so far: {outage_logs}"
    )
    return Result("postgresql stopped 5 s", ok, detail)


@contextmanager
def hung(stack: Stack) -> Iterator[None]:
    pids = stack.pg_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def case_pg_hung(stack: Stack) -> Result:
    with hung(stack), ThreadPoolExecutor(4) as pool:
        during = list(pool.map(lambda _: post(stack, message()), range(4)))
        time.sleep(1)
        during.append(post(stack, message()))
        ready_during = get(stack.base + "/readyz")
    after = post(stack, message())
    ok = _quick_503s(during) and ready_during[0] == 503 and after.status == 200 and stack.alive("worker")
    detail = (
        f"during: {_summary(during)}; /readyz during {ready_during[0]}; "
        f"first after SIGCONT: {after.status} in {after.seconds:.2f} s; worker alive {stack.alive('worker')}"
    )
    return Result("postgresql hung (SIGSTOP)", ok, detail)


def case_redis_stopped(stack: Stack) -> Result:
    stack.stop_redis()
    during = [post(stack, message(f"spent {n} on lunch")) for n in range(3, 6)]
    ready_during = get(stack.base + "/readyz")
    stack.start_redis()
    time.sleep(0.5)
    after = post(stack, message())
    replied = all(a.status == 200 and "<Message" in a.body for a in during)
    ok = replied and after.status == 200 and stack.alive("worker") and stack.alive("serve")
    detail = (
        f"during: {_summary(during)}, every one answered with a reply: {replied}; /readyz during "
        f"{ready_during[0]} ({ready_during[1].strip()}); after restart: {after.status}; worker alive "
        f"{stack.alive('worker')}"
    )
    return Result("redis stopped", ok, detail)


CASES = (case_baseline, case_pg_stopped, case_pg_hung, case_redis_stopped)


def run_cases(stack: Stack) -> list[Result]:
    results = []
    for case in CASES:
        started = time.monotonic()
        try:
            result = case(stack)
        except Exception as exc:
            result = Result(case.__name__, False, f"raised {exc!r}")
        took = time.monotonic() - started
        print(f"{'PASS' if result.ok else 'FAIL'}  {result.name} ({took:.1f} s): {result.detail}", flush=True)
        results.append(result)
    return results


def main() -> int:
    keep = os.environ.get("FAULTS_KEEP") == "1"
    tmp = Path(tempfile.mkdtemp(prefix="centavo-faults-"))
    stack = Stack(tmp)
    try:
        stack.up()
        print(f"stack: postgresql :{stack.pg_port}, redis :{stack.redis_port}, serve :{stack.http_port}")
        results = run_cases(stack)
    finally:
        stack.down()
        if keep:
            print(f"logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = [r.name for r in results if not r.ok]
    print(
        f"{len(results) - len(failed)}/{len(results)} fault cases passed"
        + (f"; failed: {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
