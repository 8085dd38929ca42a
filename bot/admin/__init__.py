"""The admin REST API under /api/v1: operators' keys, resources, CSV export and the OpenAPI document."""

from __future__ import annotations

from functools import cache
from typing import Any

from aiohttp import web

from bot.admin import openapi
from bot.admin.api import PREFIX, Operation
from bot.admin.dispatch import AiohttpHandler, handler_for
from bot.admin.problems import Problem
from bot.admin.resources import RESOURCES

__all__ = ["api_errors", "operations", "setup_admin"]


def operations() -> list[Operation]:
    return [op for resource in RESOURCES for op in resource.operations]


@cache
def _document() -> dict[str, Any]:
    return openapi.document(operations())


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(_document())


def setup_admin(app: web.Application) -> None:
    """Add every operation's route and the OpenAPI document."""
    app.router.add_get(f"{PREFIX}/openapi.json", openapi_json)
    for op in operations():
        app.router.add_route(op.method, PREFIX + op.path, handler_for(op))


@web.middleware
async def api_errors(request: web.Request, handler: AiohttpHandler) -> web.StreamResponse:
    """aiohttp's own refusals under /api/v1 (no such path, method not allowed) as problem+json too."""
    if not request.path.startswith(PREFIX + "/"):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return Problem(exc.status, exc.reason, headers=headers).response()
