"""Charts: how long one spending picture takes to draw (adapters/charts.py), per kind of chart.

    python bench/charts.py [--renders 20]

Draws a category chart (8 bars, Portuguese labels, R$ amounts) and a monthly chart (12 months with a budget
line) through ChartRenderer, as the conversation does: each render runs in the renderer's worker thread and
is awaited from the event loop. The first render of each kind is shown apart (it loads matplotlib and the
fonts); then median and p90 of --renders more, and the PNG's size. Meanwhile a task on the event loop wakes
every 5 ms: its worst lateness is how long the loop was kept waiting by the drawing thread (which holds the
GIL while matplotlib runs Python code; the interpreter switches threads every 5 ms). Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.charts import ChartRenderer
from domain.charts import CategoryChart, Chart, MonthlyChart

CATEGORIES = CategoryChart(
    title="Gastos por categoria",
    subtitle="1 de dez. – 31 de dez. · total R$ 2.365,67",
    labels=(
        "moradia",
        "mercado",
        "transporte",
        "restaurante",
        "assinaturas",
        "saúde",
        "lazer",
        "todo o resto",
    ),
    values=tuple(Decimal(v) for v in ("1200", "560.50", "230", "180.17", "55.90", "40", "30", "69.10")),
    value_labels=(
        "R$ 1.200,00",
        "R$ 560,50",
        "R$ 230,00",
        "R$ 180,17",
        "R$ 55,90",
        "R$ 40,00",
        "R$ 30,00",
        "R$ 69,10",
    ),
)
MONTHS = MonthlyChart(
    title="Gastos por mês",
    subtitle="jan. 2026 – dez. 2026 · total R$ 18.594,00",
    months=("jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."),
    values=tuple(Decimal(1000 + 97 * i) for i in range(12)),
    value_labels=tuple(f"R$ {1000 + 97 * i:,},00".replace(",", ".", 1) for i in range(12)),
    budget=Decimal(1500),
    budget_label="Orçamento mensal R$ 1.500,00",
)


async def timed(renderer: ChartRenderer, chart: Chart) -> tuple[float, int]:
    started = time.perf_counter()
    png = await renderer.render(chart)
    return time.perf_counter() - started, len(png)


async def ticker(lateness: list[float]) -> None:
    """Wakes every 5 ms and records how late each wake-up was."""
    while True:
        due = time.perf_counter() + 0.005
        await asyncio.sleep(0.005)
        lateness.append(time.perf_counter() - due)


async def main(renders: int) -> None:
    renderer = ChartRenderer()
    lateness: list[float] = []
    cold: list[float] = []
    ticking = asyncio.create_task(ticker(lateness))
    try:
        for name, chart in (("category chart (8 bars)", CATEGORIES), ("monthly chart (12 months)", MONTHS)):
            first, size = await timed(renderer, chart)
            if not cold:
                # The very first render imports matplotlib in the worker: its stalls are counted apart.
                cold, lateness[:] = list(lateness), []
            times = sorted([(await timed(renderer, chart))[0] for _ in range(renders)])
            p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
            print(
                f"{name}: first {first * 1000:.0f} ms; then median {statistics.median(times) * 1000:.0f} ms, "
                f"p90 {p90 * 1000:.0f} ms over {renders} renders; PNG {size / 1024:.0f} KiB"
            )
        print(
            f"event loop during the process's first render: worst {max(cold, default=0) * 1000:.1f} ms late"
        )
        ordered = sorted(ms * 1000 for ms in lateness)
        p99 = ordered[int(0.99 * (len(ordered) - 1))]
        print(
            f"event loop while drawing after that: {len(ordered)} wake-ups every 5 ms, late by median "
            f"{statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, worst {ordered[-1]:.1f} ms"
        )
    finally:
        ticking.cancel()
        renderer.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    asyncio.run(main(parser.parse_args().renders))
