"""chamber-qa: the command line that runs retrieval, the terminal chat and the bot."""
