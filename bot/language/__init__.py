"""The Thai command language: normalise → tokenise (newmm + domain trie) → Command.

Pure: knows nothing of Flask, LINE or the database.  Build one :class:`Parser` per plan at
start-up (it builds the dictionary trie and warms the tokenizer), then call ``parse`` per message.
"""
from bot.language.command import PROVINCE, Command, Intent, Topic
from bot.language.parser import Parser

__all__ = ["Command", "Intent", "Topic", "PROVINCE", "Parser"]
