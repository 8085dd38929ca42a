"""Receipt photos made for the tests and bench/receipts.py: printed with Pillow in the DejaVu fonts matplotlib
ships, then shot badly (rotation, blur, uneven light, sensor noise, JPEG), from a fixed seed."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.receipts.countries import AR, BR, ES, MX, US, Country

SEED = 20261207
TODAY = date(2026, 11, 20)
"""The day the receipts are read: every printed date is on or before it."""
WIDTH = 40
"""Characters on a printed line, as on a 58 mm till roll."""
CENT = Decimal("0.01")


PLAN = (("pt", (BR,) * 12), ("es", (MX, ES, AR) * 4), ("en", (US,) * 12))
"""Which countries' receipts make each language's twelve."""


@dataclass(frozen=True, slots=True)
class ReceiptCase:
    """One generated receipt photo and what a reader should find on it."""

    name: str
    lang: str
    country: str
    user_currency: str
    """The currency of the person who sends it: what a bare "$" means."""
    total: Decimal
    currency: str
    """The receipt's currency: the one the expense is in."""
    currency_printed: bool
    """Whether a sign or code of it is printed ("R$", "€", "$"); when not, a reader finds none."""
    merchant: str
    """The canonical name of a known merchant, else the printed name in title case."""
    known: bool
    category: str | None
    day: date
    today: date
    lines: tuple[str, ...]
    """The text as printed, top to bottom."""
    image: bytes
    """The photo, JPEG."""


def money(value: Decimal, country: Country, sign: bool = False) -> str:
    """An amount the way the country's tills print it: "1.234,56", "1,234.56", with the sign when asked."""
    text = f"{value.quantize(CENT):,.2f}"
    if country.comma_decimal:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    if not sign:
        return text
    return f"{text} {country.sign}" if country.sign_after else f"{country.sign} {text}"


def _fill(template: str, rng: random.Random) -> str:
    digits = {f"d{n}": "".join(rng.choice("0123456789") for _ in range(n)) for n in (1, 2, 3, 4, 6)}
    letters = {f"L{n}": "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n)) for n in (2, 3)}
    return template.format(n=rng.randint(10, 2999), **digits, **letters)


def _row(left: str, right: str, width: int = WIDTH) -> str:
    gap = max(1, width - len(left) - len(right))
    return f"{left}{' ' * gap}{right}"


def _printed_day(day: date, country: Country, rng: random.Random) -> str:
    if country.month_first:
        return day.strftime(rng.choice(("%m/%d/%Y", "%m/%d/%y")))
    return day.strftime(rng.choice(("%d/%m/%Y", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y")))


@dataclass(frozen=True, slots=True)
class _Printed:
    lines: list[str]
    total: Decimal
    merchant: str
    known: bool
    category: str | None
    day: date
    sign_printed: bool


def _lines(country: Country, rng: random.Random) -> _Printed:
    """The printed text of one receipt and its truth."""
    known = rng.random() < 0.6
    if known:
        printed, merchant, category = rng.choice(country.known)
    else:
        printed = rng.choice(country.unknown)
        merchant, category = printed.title().replace("'S", "'s"), None
    day = TODAY - timedelta(days=rng.randint(0, 45))
    lines = [printed.center(WIDTH).rstrip()]
    if rng.random() < 0.5:
        lines.append(_fill(rng.choice(country.streets), rng))
    lines.append(_fill(rng.choice(country.tax_id), rng))
    clock = f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}"
    lines.append(_row(_printed_day(day, country, rng), clock))
    lines.append(_fill(rng.choice(country.titles), rng))
    lines.append("-" * WIDTH)
    subtotal = Decimal(0)
    count = rng.randint(3, 10)
    for number, product in enumerate(rng.sample(country.products, min(count, len(country.products))), 1):
        quantity = rng.choice((1, 1, 1, 2, 3))
        price = Decimal(rng.randint(150, 4999 if rng.random() < 0.9 else 39999)) / 100
        line_total = price * quantity
        subtotal += line_total
        label = f"{number:03d} {product}" if country.code == "BR" else product
        if quantity > 1:
            lines.append(label)
            lines.append(_row(f"  {quantity} x {money(price, country)}", money(line_total, country)))
        else:
            lines.append(_row(label[: WIDTH - 11], money(line_total, country)))
    lines.append("-" * WIDTH)
    if rng.random() < 0.7:
        lines.append(_row(f"{country.items_count}:", str(count)))
    lines.append(_row(country.subtotal, money(subtotal, country)))
    # A discount makes the total smaller than the subtotal: the largest amount is then not the total.
    discount = (subtotal * Decimal(rng.choice((5, 10, 15))) / 100).quantize(CENT) if rng.random() < 0.3 else 0
    if discount:
        lines.append(_row(country.discount, "-" + money(discount, country)))
    tax = ((subtotal - discount) * Decimal("0.08875")).quantize(CENT) if country.tax_added else Decimal(0)
    total = subtotal - discount + tax
    if country.tax and country.tax_added:
        lines.append(_row(country.tax, money(tax, country)))
    elif country.tax and country.code != "BR":
        included = (total - total / Decimal("1.16" if country.code == "MX" else "1.21")).quantize(CENT)
        lines.append(_row(country.tax, money(included, country)))
    label = rng.choice(country.total_labels)
    signed = country.sign not in label and rng.random() < 0.6
    amount = money(total, country, sign=signed)
    if rng.random() < 0.2:
        lines += [label, amount.rjust(WIDTH)]  # the amount on the next line, as wide tills print it
    else:
        lines.append(_row(label, amount))
    if rng.random() < 0.6:
        paid = (total / 10).to_integral_value(rounding="ROUND_CEILING") * 10 + rng.choice((0, 10, 50))
        lines.append(_row(country.cash, money(paid, country)))
        lines.append(_row(country.change, money(paid - total, country)))
    if country.tax and not country.tax_added and country.code == "BR" and rng.random() < 0.7:
        lines.append(_row(country.tax, money((total * Decimal("0.31")).quantize(CENT), country)))
    lines.append(rng.choice(country.footer).center(WIDTH).rstrip())
    sign_printed = signed or any(country.sign in line for line in lines)
    return _Printed(lines, total.quantize(CENT), merchant, known, category, day, sign_printed)


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), size)


def render(lines: list[str], rng: random.Random) -> bytes:
    """The lines printed on a paper strip, photographed on a table: JPEG bytes."""
    font = _font(rng.choice(("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf")), rng.randint(14, 18))
    left, top, right, bottom = font.getbbox("M" * WIDTH)
    char_w, line_h = right - left, int((bottom - top) * 1.55)
    paper_w, paper_h = char_w + 40, line_h * len(lines) + 40
    # A thermal print fades: some receipts are grey on cream rather than black on white.
    ink = rng.randint(80, 130) if rng.random() < 0.25 else rng.randint(10, 70)
    paper = Image.new("L", (paper_w, paper_h), rng.randint(225, 250))
    draw = ImageDraw.Draw(paper)
    for number, line in enumerate(lines):
        draw.text((20, 20 + number * line_h), line, font=font, fill=ink)
    table = Image.new("L", (paper_w + 80, paper_h + 80), rng.randint(60, 150))
    table.paste(paper, (40, 40))
    photo = table.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=90)
    if rng.random() < 0.4:
        # The phone not square over the paper: the far edge narrower, corners moved by a few per cent.
        width, height = photo.size
        jitter = [rng.uniform(0, 0.04) * (width if i % 2 == 0 else height) for i in range(8)]
        quad = (jitter[0], jitter[1], jitter[2], height - jitter[3],
                width - jitter[4], height - jitter[5], width - jitter[6], jitter[7])  # fmt: skip
        photo = photo.transform(
            photo.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=90
        )
    blur = rng.choice((0, 0.4, 0.7, 1.0))
    if blur:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(photo, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32))
    height, width = pixels.shape
    # Light from one side: a ramp across the photo, as a phone held over a receipt casts it.
    across = rng.random() < 0.5
    ramp = np.linspace(rng.uniform(0.6, 0.85), 1.0, width if across else height, dtype=np.float32)
    if rng.random() < 0.5:
        ramp = ramp[::-1]
    light = ramp[np.newaxis, :] if across else ramp[:, np.newaxis]
    if rng.random() < 0.3:
        # The phone's shadow: a soft-edged darker band over part of the receipt.
        edge = rng.uniform(0.3, 0.7) * height
        rows = np.arange(height, dtype=np.float32)[:, np.newaxis]
        shade = 1 - rng.uniform(0.25, 0.45) / (1 + np.exp((rows - edge) / 12))
        light = light * shade
    pixels = pixels * light + noise.normal(0, rng.uniform(3, 10), pixels.shape)
    shot = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    out = io.BytesIO()
    shot.save(out, "JPEG", quality=rng.randint(40, 90))
    return out.getvalue()


def _build(lang: str, number: int, country: Country) -> ReceiptCase:
    # A generator of its own per receipt: one can be made without the others, and the same on every run.
    rng = random.Random(f"{SEED}-{lang}-{number}")
    printed = _lines(country, rng)
    return ReceiptCase(
        name=f"{lang}-{number:02d}-{country.code.lower()}",
        lang=lang,
        country=country.code,
        user_currency=country.currency,
        total=printed.total,
        currency=country.currency,
        currency_printed=printed.sign_printed,
        merchant=printed.merchant,
        known=printed.known,
        category=printed.category,
        day=printed.day,
        today=TODAY,
        lines=tuple(printed.lines),
        image=render(printed.lines, rng),
    )


@cache
def cases() -> tuple[ReceiptCase, ...]:
    """Every generated receipt, twelve per language, the same on every run."""
    return tuple(
        _build(lang, number, country)
        for lang, countries in PLAN
        for number, country in enumerate(countries, 1)
    )


@cache
def case(name: str) -> ReceiptCase:
    """One generated receipt by name ("pt-01-br"), made alone."""
    lang, number, _ = name.split("-")
    return _build(lang, int(number), dict(PLAN)[lang][int(number) - 1])


if __name__ == "__main__":  # writes the photos for a look: python -m tests.receipts.generate /tmp/receipts
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "receipts")
    target.mkdir(parents=True, exist_ok=True)
    for item in cases():
        (target / f"{item.name}.jpg").write_bytes(item.image)
        print(item.name, item.total, item.currency, item.merchant, item.day, sep="\t")
