"""What the agent answers a message with: text, or text and a picture (light: the lifecycle imports it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Answer:
    """A reply with an image: its text (the caption) and where the image is."""

    text: str
    media_url: str | None = None
    """The image's public URL (bot/pictures.py), or its file path on the console; None for text alone."""


def answer_parts(answer: str | Answer | None) -> tuple[str | None, str | None]:
    """(text, media URL) of what the agent answered."""
    if isinstance(answer, Answer):
        return answer.text, answer.media_url
    return answer, None
