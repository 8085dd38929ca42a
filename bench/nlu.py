"""NLU speed: messages per second, p50/p99 latency, cold start and peak memory, in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_CORPUS = 1000
BASELINE = os.environ.get("NLU_BASELINE", "87d8023")
"""The commit throughput is compared with (main before issue 13's money and date patterns): its nlu/ and
locales/ are taken from git and run on this checkout's corpus, alternating with this checkout."""
ROUNDS = 5


def corpus() -> list[dict]:
    """Requests from the language data and test tables, varied with the request hints, at least 1,000."""
    import yaml

    messages: list[dict] = []
    hints = {
        "en": ("USD", "America/New_York"),
        "es": ("MXN", "America/Mexico_City"),
        "pt": ("BRL", "America/Sao_Paulo"),
    }
    for lang, (currency, tz) in hints.items():
        intents = yaml.safe_load((ROOT / "locales" / lang / "intents.yaml").read_text(encoding="utf-8"))
        texts = [t for examples in intents["intents"].values() for t in examples]
        for path in sorted((ROOT / "tests" / "locales" / lang).glob("*.yaml")):
            texts += [c["text"] for c in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or []]
        messages += [{"text": t, "lang": lang, "currency": currency, "tz": tz} for t in texts]
    while len(messages) < MIN_CORPUS:
        messages += messages
    return messages


def child() -> None:
    """Runs in a fresh interpreter: cold start, then the corpus, then peak memory."""
    import resource

    # This file is itself called nlu.py: take its folder off the path so `import nlu` finds the package.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    sys.path.insert(0, os.environ.get("BENCH_NLU_ROOT") or str(ROOT))
    start = time.perf_counter()
    from datetime import datetime

    import nlu

    now = datetime.fromisoformat("2026-11-18T15:00:00-03:00")
    nlu.parse("gastei 45,90 no mercado ontem", now=now, lang="pt", currency="BRL", tz="America/Sao_Paulo")
    cold = time.perf_counter() - start

    requests = json.loads(sys.stdin.read())
    # Warm every language once (models and grammars build on first use): the figures are steady-state.
    if hasattr(nlu, "warm"):
        nlu.warm()  # what `centavo serve` does before its port opens
    warm = {r["lang"]: r for r in requests}
    for request in warm.values():
        nlu.parse(
            request["text"], now=now, lang=request["lang"], currency=request["currency"], tz=request["tz"]
        )
    # Date rules compile when a message first needs them (a few ms each, once per process): compile all of
    # them here, so p99 is the steady state's, not the first uses'.
    from nlu.date_grammar import grammar

    for lang in nlu.LANGUAGES:
        for rule in grammar(lang).rules:
            rule.regex  # noqa: B018 (the property compiles)
    latencies = []
    begin = time.perf_counter()
    for request in requests:
        t0 = time.perf_counter()
        nlu.parse(
            request["text"], now=now, lang=request["lang"], currency=request["currency"], tz=request["tz"]
        )
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - begin
    latencies.sort()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "messages": len(requests),
                "per_second": len(requests) / total,
                "p50_ms": latencies[len(latencies) // 2] * 1000,
                "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
                "cold_start_s": cold,
                "peak_mb": peak_mb,
            }
        )
    )


COLD_LOAD = (
    "import time; t = time.perf_counter(); import nlu; i = time.perf_counter() - t; nlu.warm(); "
    "print(i, time.perf_counter() - t)"
)
"""What `centavo serve` pays before its port opens: import nlu, then nlu.warm() (every model and table)."""


def cold_load(root: Path, runs: int) -> list[tuple[float, float]]:
    """(import, import + warm) seconds of `runs` fresh interpreters on the checkout at `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    figures = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", COLD_LOAD], cwd=root, env=env, capture_output=True, text=True, check=True
        )
        load, total = done.stdout.split()
        figures.append((float(load), float(total)))
    return figures


def report_cold_load(roots: list[Path], runs: int) -> None:
    """Runs alternate between the checkouts, so a busy machine slows each about as much."""
    figures: dict[Path, list[tuple[float, float]]] = {root: [] for root in roots}
    for _ in range(runs):
        for root in roots:
            figures[root] += cold_load(root, 1)
    for root, runs_of_root in figures.items():
        totals = sorted(total for _, total in runs_of_root)
        imports = sorted(load for load, _ in runs_of_root)
        median, median_import = totals[len(totals) // 2], imports[len(imports) // 2]
        print(
            f"nlu cold load (import + warm) {root}: median {median:.2f} s, min {totals[0]:.2f} s "
            f"over {len(totals)} fresh processes (import alone: median {median_import:.2f} s)"
        )


def run_child(requests: list[dict], root: Path) -> dict:
    """The child's figures for the NLU of the checkout at `root`, on `requests`."""
    env = {**os.environ, "PYTHONPATH": str(root), "BENCH_NLU_ROOT": str(root), "CENTAVO_LOCALES_DIR": ""}
    # taskset pins the child to one core, as the targets are stated for one core.
    command = [sys.executable, __file__, "--child"]
    if os.path.exists("/usr/bin/taskset"):
        command = ["taskset", "-c", "0", *command]
    done = subprocess.run(
        command, input=json.dumps(requests), capture_output=True, text=True, env=env, timeout=600, check=True
    )
    return json.loads(done.stdout)


def baseline_tree(ref: str, into: Path) -> Path | None:
    """nlu/ and locales/ of commit `ref` unpacked under `into`; None when git or the commit is missing
    (a tarball checkout, a shallow clone)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "nlu", "locales"], capture_output=True
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def report_against_baseline(requests: list[dict]) -> None:
    """Throughput of the baseline commit and of this checkout on the same corpus, in turns: the ratio of
    each pair is what counts on a shared machine (issue 13: no more than 20% slower)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nlu-baseline-") as folder:
        base = baseline_tree(BASELINE, Path(folder))
        if base is None:
            print(f"nlu before/after: baseline {BASELINE} not in this clone's history, skipped")
            return
        ratios = []
        for round_ in range(1, ROUNDS + 1):
            before, after = run_child(requests, base), run_child(requests, ROOT)
            ratio = after["per_second"] / before["per_second"]
            ratios.append(ratio)
            print(
                f"nlu before/after, round {round_}: {BASELINE} {before['per_second']:.0f}/s "
                f"(p99 {before['p99_ms']:.2f} ms), this checkout {after['per_second']:.0f}/s "
                f"(p99 {after['p99_ms']:.2f} ms): ratio {ratio:.2f}"
            )
        ratios.sort()
        print(f"nlu before/after: median ratio {ratios[len(ratios) // 2]:.2f} (at least 0.80 asked)")


def main() -> None:
    if "--cold" in sys.argv:
        # `--cold [OTHER_CHECKOUT ...]`: only the cold load, of this checkout and of others to compare.
        others = [Path(a).resolve() for a in sys.argv[sys.argv.index("--cold") + 1 :]]
        report_cold_load([ROOT, *others], runs=5)
        return
    requests = corpus()
    figures = run_child(requests, ROOT)
    print(
        f"nlu: {figures['messages']} messages, {figures['per_second']:.0f} messages/s on one core "
        f"(target 3000); p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms (target < 3); "
        f"cold start {figures['cold_start_s']:.2f} s (target < 3); peak memory {figures['peak_mb']:.0f} MB "
        f"(target < 250)"
    )
    report_cold_load([ROOT], runs=3)
    if "--no-baseline" not in sys.argv:
        report_against_baseline(requests)


if __name__ == "__main__":
    child() if "--child" in sys.argv else main()
