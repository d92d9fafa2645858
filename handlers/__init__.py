"""The handlers: importing the package registers every one of them in handlers.base's tables
(each module's ``@handles`` / ``@postback`` lines). The one list of handler modules is here."""
from handlers import bind, confirm, help, log, mute, officers, query, roles, undo  # noqa: F401
