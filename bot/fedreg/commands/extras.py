"""The light install and its extras: which extra brings which library, and what a command says
when the library it needs is not installed (instead of a traceback)."""

from __future__ import annotations

import argparse

from ..errors import FedregError

# The top-level import names of the extras' libraries (pyproject.toml; a test keeps them equal).
EXTRA_BY_MODULE = {
    "httpx": "live",
    "dns": "live",
    "joserfc": "live",
    "github": "federation",
    "requests": "federation",
    "pymongo": "federation",
    "bson": "federation",
    "mongomock": "federation",
    "pyrage": "federation",
    "cryptography": "federation",
    "starlette": "federation",
    "uvicorn": "federation",
    # The partner space's sign-in and pages (`fedreg serve`) and signed releases (render,
    # deploy): their libraries belong to the federation extra too.
    "authlib": "federation",
    "itsdangerous": "federation",
    "jinja2": "federation",
    "securesystemslib": "federation",
}


class MissingExtra(FedregError):
    """A command of an extra run on an install without it."""

    def __init__(self, command: str, module: str, extra: str) -> None:
        self.extra = extra
        super().__init__(
            f"« fedreg {command} » a besoin de la bibliothèque {module}, absente de cette "
            f"installation de fedreg. Installez l'extra « {extra} » : "
            f"pip install 'fedreg[{extra}]' (depuis une copie du dépôt : "
            f"pip install -e '.[{extra}]')."
        )


def command_label(args: argparse.Namespace) -> str:
    """The command as typed, subcommand included (`bot pr`, `secret rotate`)."""
    words = [
        args.command,
        getattr(args, "bot_command", None),
        getattr(args, "secret_command", None),
    ]
    return " ".join(word for word in words if word)


def missing_extra(error: ModuleNotFoundError, args: argparse.Namespace) -> MissingExtra | None:
    """The user error for a library of an extra; None for any other missing module (a bug)."""
    module = (error.name or "").split(".")[0]
    extra = EXTRA_BY_MODULE.get(module)
    return None if extra is None else MissingExtra(command_label(args), module, extra)
