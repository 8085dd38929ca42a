"""Chart pictures (adapters/charts.py): phone-wide PNGs whose words read back, drawn off the event loop."""

from __future__ import annotations

import asyncio
import io
import threading
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

import adapters.charts
from adapters.charts import WIDTH_PX, ChartRenderer, draw
from domain.charts import MAX_BARS, CategoryChart, Chart, MonthlyChart, largest_with_rest

CATEGORIES = CategoryChart(
    title="Gastos por categoría",
    subtitle="1 nov – 30 nov · total $2,345.67",
    labels=("vivienda", "súper", "transporte", "comida", "todo lo demás"),
    values=(Decimal("560.50"), Decimal("1200.00"), Decimal("230.00"), Decimal("180.17"), Decimal("175.00")),
    value_labels=("$560.50", "$1,200.00", "$230.00", "$180.17", "$175.00"),
)
MONTHS = MonthlyChart(
    title="Spending per month",
    subtitle="Jul 2026 – Dec 2026 · total $8,171.39",
    months=("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    values=(
        Decimal("1320"),
        Decimal("1610.40"),
        Decimal("1200"),
        Decimal("1490"),
        Decimal("1720.99"),
        Decimal("830"),
    ),
    value_labels=("$1,320.00", "$1,610.40", "$1,200.00", "$1,490.00", "$1,720.99", "$830.00"),
    budget=Decimal("1500"),
    budget_label="Monthly budget $1,500.00",
)


def _plain(text: str) -> str:
    """What OCR and the chart can agree on: lower case, no spaces, no accents (OCR drops both)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch) and not ch.isspace())


@pytest.fixture(scope="module")
def read_text() -> Any:
    """The picture's words as OCR reads them, joined (one engine for the module: loading it costs ~1 s)."""
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(intra_op_num_threads=1)  # one core: the other test process keeps the other

    def read(png: bytes) -> str:
        found, _ = engine(png)
        return _plain(" ".join(text for _, text, _ in found or ()))

    return read


def _size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def test_a_category_chart_is_phone_wide_and_shows_its_title_and_largest_amount(read_text: Any) -> None:
    png = draw(CATEGORIES)
    width, height = _size(png)
    assert width == WIDTH_PX and 400 < height < 2000
    text = read_text(png)
    assert _plain(CATEGORIES.title) in text
    assert _plain("$1,200.00") in text and _plain("súper") in text


def test_a_monthly_chart_shows_its_title_and_the_budget_line_label(read_text: Any) -> None:
    png = draw(MONTHS)
    assert _size(png)[0] == WIDTH_PX
    text = read_text(png)
    assert _plain(MONTHS.title) in text
    assert _plain(MONTHS.budget_label) in text and _plain("$1,720.99") in text


def test_a_monthly_chart_without_budget_and_many_months_draws() -> None:
    twelve = MonthlyChart("t", "s", tuple("abcdefghijkl"), tuple(range(12)), tuple(str(i) for i in range(12)))
    assert _size(draw(twelve))[0] == WIDTH_PX


def test_a_chart_refuses_mismatched_or_too_many_bars() -> None:
    with pytest.raises(ValueError):
        CategoryChart("t", "s", ("a", "b"), (1,), ("1",))
    many = tuple(str(i) for i in range(MAX_BARS + 1))
    with pytest.raises(ValueError):
        CategoryChart("t", "s", many, tuple(range(MAX_BARS + 1)), many)
    with pytest.raises(ValueError):
        MonthlyChart("t", "s", (), (), ())


def test_the_smallest_rows_past_the_limit_fold_into_the_rest() -> None:
    rows = [(f"c{i}", Decimal(i)) for i in range(1, 11)]  # 1..10
    folded = largest_with_rest(rows, "rest", lambda a, b: a + b, lambda d: d, limit=4)
    assert folded == [("c10", Decimal(10)), ("c9", Decimal(9)), ("c8", Decimal(8)), ("rest", Decimal(28))]
    assert largest_with_rest(rows[:3], "rest", lambda a, b: a + b, lambda d: d, limit=4) == rows[:3][::-1]


async def test_rendering_runs_in_its_own_thread_and_not_on_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn_in: list[int] = []

    def fake_draw(chart: Chart) -> bytes:
        drawn_in.append(threading.get_ident())
        return b"png"

    monkeypatch.setattr(adapters.charts, "draw", fake_draw)
    renderer = ChartRenderer()
    try:
        assert await renderer.render(CATEGORIES) == b"png"
        assert await asyncio.gather(renderer.render(MONTHS), renderer.render(MONTHS)) == [b"png", b"png"]
    finally:
        renderer.close()
    loop_thread = threading.get_ident()
    assert len(drawn_in) == 3 and loop_thread not in drawn_in
    assert len(set(drawn_in)) == 1  # one dedicated thread
    assert await renderer.render(CATEGORIES) == b"png"  # closed: a new thread starts on demand
    renderer.close()
