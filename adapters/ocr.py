"""Text rows of a receipt photo, read on this machine by RapidOCR, whose ONNX models ship inside its wheel."""

from __future__ import annotations

import io
import logging
import os
import re
import statistics
import threading
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 52_000_000
"""A photo larger than this when decoded is refused before its pixels are read: a phone's 50 MP camera fits,
a decompression bomb (a few KB of PNG that inflate to gigabytes) does not."""
MAX_SIDE = 1600
"""Longer photos are scaled down to this before reading: receipt print stays legible, and the detector's time
grows with the pixels."""
_MAX_SKEW = 0.2
"""tan of the largest tilt corrected (about 11 degrees); a steeper estimate is noise from a few odd boxes."""
_ENGINE_LOGGERS = ("RapidOCR", "OrtInferSession")
_AMOUNT_RUN = re.compile(r"[A-Z$€£]{0,3}\s?-?[0-9][0-9.,]*[.,][0-9]{2}\s?[A-Z$€£]{0,3}")
"""A run that is an amount with maybe its sign: "58.35", "R$ 110,74", "-7,40", "12,00 EUR"."""

log = logging.getLogger(__name__)

Box = Sequence[Sequence[float]]
"""Four corners, clockwise from the top left, in pixels (floats are fine: positions, not money)."""


class UnreadableImage(Exception):
    """The bytes are not a picture we can read (not an image, absurdly large), or no text was found on it."""


class ReceiptOcr:
    """Reads the text of receipt photos. The engine loads on first use (about 0.3 s) and is kept; one read
    runs at a time, since its objects are not documented as thread-safe."""

    def __init__(self, threads: int | None = 1) -> None:
        """`threads`: the cores one read may use (None: all of them). One by default: onnxruntime's pool
        busy-waits on every core it has, and on a small machine that starved the event loop, PostgreSQL and
        Redis (a CI run of the suite saw Redis time out beside two OCR tests); a read takes ~25% longer."""
        self._engine: Any = None
        self._lock = threading.Lock()
        self._threads = threads

    def load(self) -> None:
        """Load the models now (start-up) rather than in the first read."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> Any:
        if self._engine is None:
            # onnxruntime (1.2x+) ships Microsoft telemetry that writes a device id under ~/.cache and would
            # upload to events.data.microsoft.com; the server reaches nothing but its messaging providers.
            # The variable is read when the library starts, so it is set before the first import.
            os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
            import onnxruntime
            from rapidocr_onnxruntime import RapidOCR

            onnxruntime.disable_telemetry_events()
            self._engine = RapidOCR(**({"intra_op_num_threads": self._threads} if self._threads else {}))
            # The engine's loggers print every result at INFO through handlers of their own.
            for name in _ENGINE_LOGGERS:
                logging.getLogger(name).setLevel(logging.WARNING)
        return self._engine

    def read_rows(self, image: bytes) -> list[str]:
        """The text rows of the photo, top to bottom, each row's runs joined left to right with a space.
        Raises UnreadableImage."""
        picture = decode(image)
        with self._lock:
            engine = self._load_locked()
            results, _ = engine(picture)
            if results and _sideways([box for box, _text, _score in results]):
                # A receipt shot sideways (no EXIF to say so): read it again turned a quarter. If that
                # leaves it upside down, the engine turns each run and group_rows turns the page.
                log.debug("receipt photo is sideways: reading it again turned")
                results, _ = engine(picture.rotate(90, expand=True))
        if not results:
            raise UnreadableImage("no text found in the image")
        return group_rows([(box, str(text)) for box, text, _score in results])


def decode(image: bytes) -> Image.Image:
    """The photo as RGB, upright (EXIF orientation applied), its longest side at most MAX_SIDE."""
    # Image.open reads only the header: the size is checked before any pixel is decoded. (Pillow's own bomb
    # check warns above 89 MP and refuses above 178 MP; ours is lower, and a warnings filter would not be
    # thread-safe.)
    try:
        opened = Image.open(io.BytesIO(image))
        width, height = opened.size
        if width * height > MAX_PIXELS or width < 1 or height < 1:
            raise UnreadableImage(f"image of {width}x{height} pixels refused")
        if opened.format == "JPEG":
            opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decodes at 1/2, 1/4 or 1/8 scale: far faster
        picture = (ImageOps.exif_transpose(opened) or opened).convert("RGB")
    except UnreadableImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or corrupt files
        raise UnreadableImage(f"undecodable image: {exc}") from exc
    if max(picture.size) > MAX_SIDE:
        picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return picture


def group_rows(boxes: Sequence[tuple[Box, str]]) -> list[str]:
    """Text runs grouped into printed lines. The photo's tilt is estimated from the runs' top edges and taken
    out before grouping by vertical centre, so on a receipt shot a few degrees askew a label and its amount at
    the two ends of one line still fall on one row."""
    if not boxes:
        return []
    skew = _skew([box for box, _ in boxes])
    placed = []
    for box, text in boxes:
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        height = (_distance(box[0], box[3]) + _distance(box[1], box[2])) / 2
        # Rotating by the small angle whose tangent is `skew`: y' = y - x*skew, x' = x + y*skew.
        placed.append((cy - cx * skew, cx + cy * skew, max(height, 1.0), text.strip()))
    placed.sort()
    tolerance = 0.5 * statistics.median(h for _, _, h, _ in placed)
    rows: list[list[tuple[float, float, float, str]]] = []
    for item in placed:
        if rows:
            row = rows[-1]
            centre = sum(i[0] for i in row) / len(row)
            if abs(item[0] - centre) <= tolerance:
                row.append(item)
                continue
        rows.append([item])
    lines = [[t for _, _, _, t in sorted(row, key=lambda i: i[1]) if t] for row in rows]
    if _upside_down(lines):
        lines = [line[::-1] for line in lines[::-1]]
    return [" ".join(line) for line in lines if line]


def _upside_down(lines: Sequence[Sequence[str]]) -> bool:
    """A receipt photographed upside down: the engine turns each run the right way up, but the rows come
    bottom first and each row's amount before its label. Receipts print amounts on the right, so when more
    rows start with an amount than end with one, the page is turned."""
    votes = 0
    for line in lines:
        if len(line) >= 2:
            first, last = _AMOUNT_RUN.fullmatch(line[0]), _AMOUNT_RUN.fullmatch(line[-1])
            votes += (bool(last) and not first) - (bool(first) and not last)
    return votes < 0


def _sideways(boxes: Sequence[Box]) -> bool:
    """Most runs are tall and narrow: the text runs up or down the photo."""
    tall = sum(_distance(box[0], box[3]) > 1.5 * _distance(box[0], box[1]) for box in boxes)
    return tall > len(boxes) / 2


def _skew(boxes: Sequence[Box]) -> float:
    """tan of the tilt of the text: the median slope of the top edges of runs wide enough to measure."""
    slopes = []
    for box in boxes:
        (x0, y0), (x1, y1) = (float(box[0][0]), float(box[0][1])), (float(box[1][0]), float(box[1][1]))
        height = _distance(box[0], box[3])
        if x1 - x0 > 2 * max(height, 1.0):
            slopes.append((y1 - y0) / (x1 - x0))
    if not slopes:
        return 0.0
    return max(-_MAX_SKEW, min(_MAX_SKEW, statistics.median(slopes)))


def _distance(a: Sequence[float], b: Sequence[float]) -> float:
    return float(((float(a[0]) - float(b[0])) ** 2 + (float(a[1]) - float(b[1])) ** 2) ** 0.5)
