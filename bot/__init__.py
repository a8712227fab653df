"""chamber-qa's Telegram bot: a thin face over `retrieval` (python-telegram-bot v22, asyncio).

`bot.app.run(settings)` serves Telegram and `bot.app.build_application(bot_settings, archive)` builds
the PTB Application; both live in `bot.app` so that importing `bot` does not import telegram.
"""

from bot.settings import BotConfigError, BotSettings, TokenMissing

__all__ = ["BotConfigError", "BotSettings", "TokenMissing"]
