"""ReceiptOcr end to end on generated receipt photos, the refusals, the row grouping, and the proof that the
models ship with the package: a read with the network made impossible and an empty home directory."""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from adapters.ocr import MAX_SIDE, ReceiptOcr, UnreadableImage, decode, group_rows
from nlu import read_receipt
from nlu.normalize import fold
from tests.receipts.generate import case

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def ocr() -> ReceiptOcr:
    return ReceiptOcr()


def _same_name(read: str | None, truth: str) -> bool:
    """OCR loses spaces between words: names are compared folded, without spaces."""
    return fold(read or "").replace(" ", "") == fold(truth).replace(" ", "")


@pytest.mark.parametrize("name", ["pt-04-br", "es-10-mx", "en-07-us"])
def test_a_receipt_photo_is_read_end_to_end(ocr: ReceiptOcr, name: str) -> None:
    receipt = case(name)
    rows = ocr.read_rows(receipt.image)
    read = read_receipt(rows, currency=receipt.user_currency, today=receipt.today, lang=receipt.lang)
    assert read.total == receipt.total, rows
    assert _same_name(read.merchant, receipt.merchant), rows
    assert read.day == receipt.day, rows


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40])
def test_bytes_that_are_no_image_are_unreadable(ocr: ReceiptOcr, data: bytes) -> None:
    with pytest.raises(UnreadableImage):
        ocr.read_rows(data)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_blank_photo_is_unreadable(ocr: ReceiptOcr) -> None:
    with pytest.raises(UnreadableImage):
        ocr.read_rows(_png(Image.new("RGB", (480, 400), (245, 245, 240))))


# 60 million pixels, under Pillow's own limits (a warning at 89, refused at 178); 200 million, over them.
@pytest.mark.parametrize("size", [(10000, 6000), (20000, 10000)])
def test_a_decompression_bomb_is_refused_before_its_pixels_are_read(
    ocr: ReceiptOcr, size: tuple[int, int]
) -> None:
    bomb = _png(Image.new("1", size))  # a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(UnreadableImage):
        ocr.read_rows(bomb)


def _jpeg(image: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **params)
    return out.getvalue()


def test_a_large_photo_is_scaled_down_before_reading() -> None:
    picture = decode(_jpeg(Image.new("RGB", (3200, 2400), (250, 250, 250))))
    assert max(picture.size) == MAX_SIDE and picture.size == (1600, 1200)


def test_a_photo_is_turned_upright_by_its_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view": a phone held upright, its sensor sideways
    picture = decode(_jpeg(Image.new("RGB", (300, 200), (250, 250, 250)), exif=exif))
    assert picture.size == (200, 300) and picture.mode == "RGB"


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "1"])
def test_any_pixel_mode_is_read_as_rgb(mode: str) -> None:
    assert decode(_png(Image.new(mode, (40, 30)))).mode == "RGB"


def test_a_read_is_kept_to_one_core_by_default() -> None:
    """onnxruntime's pool busy-waits on every core it has: beside webhooks, PostgreSQL and Redis, one."""
    ocr = ReceiptOcr()
    ocr.load()
    engine = ocr._engine
    for session in (engine.text_det.infer, engine.text_cls.infer, engine.text_rec.session):
        assert session.session.get_session_options().intra_op_num_threads == 1


def test_threads_that_read_at_once_load_the_engine_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import rapidocr_onnxruntime

    built: list[object] = []

    class SlowEngine:
        def __init__(self, **options: object) -> None:
            time.sleep(0.05)  # long enough for every thread to arrive while the first one loads
            built.append(self)

    monkeypatch.setattr(rapidocr_onnxruntime, "RapidOCR", SlowEngine)
    ocr = ReceiptOcr()
    threads = [threading.Thread(target=ocr.load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1


def _box(x: float, y: float, width: float, height: float, tilt: float) -> list[list[float]]:
    """A text run's corners, rotated by `tilt` radians around the origin, as the detector returns them."""
    corners = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    cos, sin = math.cos(tilt), math.sin(tilt)
    return [[cx * cos - cy * sin, cx * sin + cy * cos] for cx, cy in corners]


@pytest.mark.parametrize("degrees", [-4.0, 0.0, 3.0, 4.0])
def test_a_tilted_line_keeps_its_label_and_amount_on_one_row(degrees: float) -> None:
    tilt = math.radians(degrees)
    # Lines 22 px apart; at 4 degrees the far end of a 480 px line drops 33 px, more than a line.
    runs = [
        (_box(20, 100, 150, 16, tilt), "SUBTOTAL"),
        (_box(400, 100, 80, 16, tilt), "87,40"),
        (_box(20, 122, 120, 16, tilt), "TOTAL"),
        (_box(400, 122, 80, 16, tilt), "97,40"),
        (_box(20, 144, 130, 16, tilt), "TROCO"),
        (_box(400, 144, 80, 16, tilt), "2,60"),
    ]
    assert group_rows(runs[::-1]) == ["SUBTOTAL 87,40", "TOTAL 97,40", "TROCO 2,60"]


def test_an_upside_down_page_is_turned_back() -> None:
    # What the engine returns for a receipt shot upside down: each run the right way up (it turns runs
    # itself), the page bottom first, so a row's amount comes before its label.
    runs = [
        (_box(20, 140, 80, 16, 0), "97,40"),
        (_box(360, 140, 120, 16, 0), "TOTAL"),
        (_box(20, 162, 80, 16, 0), "87,40"),
        (_box(330, 162, 150, 16, 0), "SUBTOTAL"),
        (_box(280, 184, 200, 16, 0), "MERCADO"),
    ]
    assert group_rows(runs) == ["MERCADO", "SUBTOTAL 87,40", "TOTAL 97,40"]


@pytest.mark.parametrize("degrees", [180, 90])
def test_a_photo_turned_upside_down_or_sideways_is_read(ocr: ReceiptOcr, degrees: int) -> None:
    receipt = case("en-07-us")
    turned = Image.open(io.BytesIO(receipt.image)).rotate(degrees, expand=True, fillcolor=(90, 90, 90))
    rows = ocr.read_rows(_jpeg(turned, quality=90))
    read = read_receipt(rows, currency=receipt.user_currency, today=receipt.today, lang=receipt.lang)
    assert (read.total, read.merchant) == (receipt.total, receipt.merchant), rows


OFFLINE = """
import json, socket, sys, urllib.request

def refuse(*args, **kwargs):
    raise OSError("the network is off in this test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
try:
    urllib.request.urlopen("http://example.com", timeout=2)
except OSError:
    pass
else:
    sys.exit("the network guard let a request through")

from adapters.ocr import ReceiptOcr

rows = ReceiptOcr().read_rows(open(sys.argv[1], "rb").read())
print(json.dumps(rows))
"""


def _can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_a_receipt_is_read_with_no_network_and_an_empty_home(tmp_path: Path) -> None:
    receipt = case("pt-04-br")
    photo = tmp_path / "receipt.jpg"
    photo.write_bytes(receipt.image)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MPL"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), PYTHONPATH=str(ROOT))
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the adapter must turn onnxruntime's telemetry off by itself
    # Where the machine allows it, a network namespace of its own with no interface but loopback also takes
    # the network from native code (onnxruntime's C++ telemetry client), which the Python guard cannot.
    isolate = ["unshare", "-rn"] if shutil.which("unshare") and _can_unshare() else []
    done = subprocess.run(
        [*isolate, sys.executable, "-c", OFFLINE, str(photo)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    read = read_receipt(rows, currency=receipt.user_currency, today=receipt.today, lang=receipt.lang)
    assert read.total == receipt.total
    assert list(home.rglob("*")) == [], "the read wrote under HOME (a model or cache fetched on first use?)"
