"""The Thai command language: normalise → tokenise (newmm + domain trie) → Command.

Pure: knows nothing of Flask, LINE or the database.  Build one :class:`Parser` per plan at
start-up (the first one builds the dictionary trie every plan shares and warms the tokenizer;
the others cost a few ms each), then call ``parse`` per message.
"""
from bot.language.command import DEPARTMENT, PROVINCE, Command, Intent, Topic
from bot.language.parser import Parser

__all__ = ["Command", "Intent", "Topic", "PROVINCE", "DEPARTMENT", "Parser"]
