"""Where a reply's picture goes (bot/conversation/media.py): published when it can be, its numbers as text
when it cannot (SMS, or nowhere to publish it), never a caption without what it captions."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

from PIL import Image

from adapters.cache import connect
from adapters.charts import ChartRenderer
from adapters.ocr import ReceiptOcr
from bot.answer import Answer
from bot.conversation import Agent
from domain.messages import InboundMessage
from domain.model import Channel
from nlu.normalize import fold
from tests.unit.bot.test_charts_chat import Recorder
from tests.unit.bot.test_dialogues import Conversation
from tests.unit.fake_media import FakeMedia


class Published:
    """A publisher that gives every picture an address and remembers what it published."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.pngs: list[bytes] = []

    async def publish(
        self, tenant_id: uuid.UUID, message: InboundMessage, png: bytes, name: str
    ) -> str | None:
        self.names.append(name)
        self.pngs.append(png)
        return f"https://centavo.example.com/media/{len(self.names)}.png"


async def _asking(
    publisher: object, channel: Channel, charts: object = None
) -> tuple[str | Answer | None, Conversation]:
    conversation = await Conversation("pt").setup()
    media = FakeMedia(charts=charts or Recorder())
    media.pictures = publisher  # type: ignore[assignment]
    conversation.agent = Agent(
        unit_of_work=conversation.db.uow, state=connect(None).state, clock=conversation.clock, media=media
    )
    await conversation.say("gastei 560 no mercado")
    await conversation.say("gastei 230 de uber")
    message = InboundMessage(
        channel=channel,
        provider="twilio",
        sender=conversation.phone,
        recipient="+15550000000",
        text="grafico de gastos",
        provider_message_id="SM-chart",
        received_at=datetime(2026, 12, 6, 15, 0, tzinfo=UTC),
    )
    return await conversation.agent.handle(conversation.tenant, message), conversation


async def test_a_published_picture_goes_with_its_caption_alone() -> None:
    publisher = Published()
    answer, _ = await _asking(publisher, Channel.WHATSAPP)
    assert isinstance(answer, Answer) and answer.media_url == "https://centavo.example.com/media/1.png"
    assert "R$ 790,00" in answer.text and "R$ 560,00" not in answer.text  # the bars are in the picture
    assert publisher.names == ["chart-categories-2026-12-01-2026-12-31"]


async def test_a_picture_with_nowhere_to_go_is_sent_as_its_numbers() -> None:
    answer, _ = await _asking(FakeMedia(charts=None).pictures, Channel.WHATSAPP)  # publishes nothing
    assert isinstance(answer, str)
    assert "R$ 790,00" in answer and "R$ 560,00" in answer and "R$ 230,00" in answer


async def test_by_sms_nothing_is_published_and_the_numbers_are_the_reply() -> None:
    publisher = Published()
    answer, _ = await _asking(publisher, Channel.SMS)
    assert isinstance(answer, str) and "R$ 560,00" in answer
    assert publisher.names == []


async def test_the_chart_of_a_known_ledger_shows_its_title_and_largest_amount() -> None:
    """Drawn for real from the ledger (R$ 560 groceries, R$ 230 transport) and read back with the OCR that
    reads receipts: a phone-wide PNG whose words are the reader's."""
    publisher, renderer = Published(), ChartRenderer()
    try:
        await _asking(publisher, Channel.WHATSAPP, charts=renderer)
    finally:
        renderer.close()
    [png] = publisher.pngs
    width, height = Image.open(io.BytesIO(png)).size
    assert width == 1080 and 300 < height < 2000
    text = plain(" ".join(ReceiptOcr(threads=1).read_rows(png)))
    assert plain("Gastos por categoria") in text
    assert plain("R$ 560,00") in text and plain("mercado") in text


def plain(text: str) -> str:
    """Compared as the OCR reads: no spaces (it drops them), no accents, lower case."""
    return "".join(ch for ch in fold(text) if not ch.isspace())
