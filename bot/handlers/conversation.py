"""Small talk and fallbacks: greeting, help, unknown, and a yes/no with nothing pending."""

from __future__ import annotations

from bot.handlers import Context, handles


@handles("greeting")
async def greeting(ctx: Context) -> str:
    return ctx.render("greeting")


@handles("help")
async def help_(ctx: Context) -> str:
    return ctx.render("help")


@handles("deny")
async def deny(ctx: Context) -> str:
    return ctx.render("cancelled")


@handles("unknown", "affirm")
async def unknown(ctx: Context) -> str:
    return ctx.render("unknown")
