"""`python -m bot`: serve the archive in ./seeds on Telegram, with settings from the environment or .env."""

from __future__ import annotations

import logging
import sys

from bot.settings import BotConfigError, BotSettings


def main() -> int:
    """Read the settings, configure logging and run the bot until interrupted; 2 on bad settings."""
    try:
        bot_settings = BotSettings.from_env()
    except BotConfigError as error:
        print(f"python -m bot: {error} See .env.example.", file=sys.stderr)
        return 2
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    from bot.app import run
    from retrieval import Settings

    run(Settings(), bot_settings)  # the default pages folder (./seeds) and index folder
    return 0


if __name__ == "__main__":
    sys.exit(main())
