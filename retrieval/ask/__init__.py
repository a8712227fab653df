"""Question -> Answer: read the question (English too), search, judge coverage and typed answers, pick the
cited passages, or refuse with what is near. The Answer is assembled once, in answer.py."""
