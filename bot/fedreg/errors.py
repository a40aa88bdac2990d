"""The one base class for errors a user can act on; anything else reaching `main()` is a bug."""

from __future__ import annotations


class FedregError(Exception):
    """A user-facing failure (bad arguments, unknown git ref, unwritable output...).

    `exit_code` follows the CLI contract: 1 for a failed operation, 2 for a usage error.
    """

    exit_code = 1


class UsageError(FedregError):
    exit_code = 2
