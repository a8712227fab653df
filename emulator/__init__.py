"""A small Bot API emulator for end-to-end tests of the bot (no maintained PyPI package does this job).

`BotApiEmulator` serves HTTP on 127.0.0.1 (`server`); `rules` holds Telegram's checks; `api` the methods;
`inject` what users do (messages, files, button presses, adding the bot to groups); `files` the files they
send. The bot's tests and the load benchmark (benchmarks/load.py) import it from the repository root; it is
not part of the installed product.
"""

from emulator.rules import ApiError, check_text, parse_html
from emulator.server import BotApiEmulator, Call

__all__ = ["ApiError", "BotApiEmulator", "Call", "check_text", "parse_html"]
