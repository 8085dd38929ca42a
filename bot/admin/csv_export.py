"""Any listing as CSV: the item model's fields flattened to columns, streamed page by page."""

from __future__ import annotations

import csv
import io
import json
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Spreadsheets run a cell starting with these as a formula (CSV injection): such text gets a leading "'"."""


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Model` or `Model | None`, else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else None
    return None


def columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Column names: nested models become "parent.child"; lists stay one column (JSON)."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        nested = _nested_model(info.annotation)
        if nested is not None:
            names.extend(columns(nested, f"{prefix}{name}."))
        else:
            names.append(prefix + name)
    return names


def _flatten(value: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for name, item in value.items():
        if isinstance(item, dict):
            _flatten(item, f"{prefix}{name}.", out)
        else:
            out[prefix + name] = item


def _cell(value: Any, numeric: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if not numeric and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _is_number(text: Any) -> bool:
    if not isinstance(text, str | int):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


class CsvWriter:
    """Renders rows to CSV text chunks (the caller streams each chunk)."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.columns = columns(model)

    def header(self) -> str:
        return self._render([self.columns])

    def rows(self, items: Iterable[BaseModel]) -> str:
        lines = []
        for item in items:
            flat: dict[str, Any] = {}
            _flatten(item.model_dump(mode="json"), "", flat)
            lines.append([_cell(flat.get(c), _is_number(flat.get(c))) for c in self.columns])
        return self._render(lines)

    @staticmethod
    def _render(lines: list[list[str]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(lines)
        return buffer.getvalue()
