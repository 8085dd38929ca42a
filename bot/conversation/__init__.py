"""The conversation layer: the agent, its forms and handlers, the structured Reply; I/O only via ports."""

from bot.conversation.agent import Agent, agent_factory
from bot.conversation.reply import Reply

__all__ = ["Agent", "Reply", "agent_factory"]
