"""A softer "how many": (question) -> the amount it asks for, when no answer type claims it (多少 with no
unit, 几年); a passage holding a number in the unit asked counts as covering one more of its words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.ask.answer_types import AMOUNT, HOW_MANY


@dataclass(frozen=True)
class AmountAsked:
    """A softer "how many" check, for a question no answer type claims (多少 with no unit, 几年): a passage
    holding a number (in the unit asked, if any) counts as covering one more of the question's words."""

    pattern: re.Pattern[str]
    weight: float

    def match(self, text: str) -> float:
        """Return 1 when the text holds an amount of the asked kind."""
        return 1.0 if self.pattern.search(text) else 0.0


_AMOUNT_Q = re.compile(HOW_MANY + r"(个|家|名|人|次|场|项|户|条|万元|亿元|元|钱|年|天|期|平方米)?")
_UNIT_ALIASES = {"钱": "万?元|亿元", "人": "人|名", None: ""}


def amount_asked(question: str, weight: float) -> AmountAsked | None:
    """Return the amount a question asks for, if it asks "how many"."""
    m = _AMOUNT_Q.search(question)
    if not m:
        return None
    unit = m.group(1)
    units = _UNIT_ALIASES.get(unit, re.escape(unit) if unit else "")
    return AmountAsked(re.compile(AMOUNT + (f"(?:{units})" if units else "")), weight)
