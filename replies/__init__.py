"""Replies: Answer -> what a person reads. The product's words (words.py) and the pieces around a passage
(citation.py), with the plain-text and JSON skins of the CLI; the bot's HTML skin is bot/replies.py."""
