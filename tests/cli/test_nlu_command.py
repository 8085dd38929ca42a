"""`centavo nlu` as a process: JSON Lines in and out, one result per request, errors as lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CENTAVO = str(Path(sys.executable).with_name("centavo"))


def run_nlu(stdin: bytes) -> list[dict]:
    done = subprocess.run([CENTAVO, "nlu"], input=stdin, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]


def test_requests_and_malformed_lines_in_order() -> None:
    lines = [
        json.dumps(
            {
                "text": "gastei R$ 45,90 no mercado ontem",
                "now": "2026-11-18T15:00:00-03:00",
                "lang": "pt",
                "currency": "BRL",
                "tz": "America/Sao_Paulo",
            }
        ).encode(),
        b"{not json",
        json.dumps({"now": "2026-11-18T15:00:00-03:00"}).encode(),
        json.dumps({"text": "hi", "now": "yesterday-ish"}).encode(),
        json.dumps({"text": "hi", "tz": "Mars/Olympus"}).encode(),
        json.dumps({"text": "hi", "lang": "fr"}).encode(),
        b"\xff\xfe not utf-8",
        b"[1, 2]",
        json.dumps(
            {"text": "spent 25 at Starbucks", "now": "2026-11-18T15:00:00-05:00", "currency": "USD"}
        ).encode(),
    ]
    results = run_nlu(b"\n".join(lines) + b"\n")
    assert len(results) == len(lines)
    first = results[0]
    assert (first["intent"], first["amount"], first["currency"], first["date"]) == (
        "add_expense",
        "45.90",
        "BRL",
        "2026-11-17",
    )
    assert first["amounts"] == [{"amount": "45.90", "currency": "BRL", "text": "R$ 45,90"}]
    for bad in results[1:8]:
        assert set(bad) == {"error"} and bad["error"]
    assert "text" in results[2]["error"] and "now" in results[3]["error"] and "tz" in results[4]["error"]
    assert "lang" in results[5]["error"] and "UTF-8" in results[6]["error"]
    assert results[8]["intent"] == "add_expense" and results[8]["merchant"] == "Starbucks"


def test_empty_input_gives_no_output() -> None:
    assert run_nlu(b"") == []


def test_recurring_payments_and_goals_carry_their_name_day_and_date() -> None:
    now = "2026-11-18T15:00:00-03:00"
    requests = [
        {"text": "aluguel 1500 todo dia 5", "now": now, "lang": "pt", "currency": "BRL"},
        {"text": "quero juntar 5 mil pra viagem até julho", "now": now, "lang": "pt", "currency": "BRL"},
    ]
    rent, goal = run_nlu(b"\n".join(json.dumps(r).encode() for r in requests) + b"\n")
    assert (rent["intent"], rent["amount"], rent["recurrence"], rent["anchor"], rent["name"]) == (
        "add_recurring",
        "1500",
        "monthly",
        5,
        "aluguel",
    )
    assert (goal["intent"], goal["amount"], goal["date"], goal["name"], goal["anchor"]) == (
        "set_goal",
        "5000",
        "2027-07-31",
        "viagem",
        None,
    )
