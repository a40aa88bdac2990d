"""The modification form's fields as command-line options, shared by `edit` and `propose`.

Kept apart from the commands so that building the parser imports no YAML writer.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..validation.report import RENDERERS_BY_NAME


def add_request_arguments(parser: argparse.ArgumentParser) -> None:
    """The form's fields as options (shared by `edit` and `propose`)."""
    parser.add_argument("--env", required=True, help="integration ou production")
    parser.add_argument("--network", required=True, help="internet ou rie")
    parser.add_argument("--client-id", help="client_id du FS")
    parser.add_argument("--uid", help="uid du FI")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        help="nouvelle URL de redirection après connexion (répétable ; la liste remplace "
        "l'ancienne ; absente : inchangée)",
    )
    parser.add_argument(
        "--post-logout-uri",
        action="append",
        default=[],
        help="nouvelle URL de redirection après déconnexion (répétable, remplace la liste)",
    )
    parser.add_argument(
        "--ip-range", action="append", default=[], help="plage IP (répétable, remplace la liste)"
    )
    parser.add_argument(
        "--email-domain",
        action="append",
        default=[],
        help="domaine e-mail rattaché à un FI (répétable, remplace la liste)",
    )
    parser.add_argument("--root", type=Path, default=Path("."), help="racine du dépôt")
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS_BY_NAME),
        default="text",
        help="format des diagnostics quand la demande est refusée",
    )


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "environment": args.env,
        "network": args.network,
        "redirect_uris": args.redirect_uri,
        "post_logout_redirect_uris": args.post_logout_uri,
        "ip_ranges": args.ip_range,
        "email_domains": args.email_domain,
    }
    if args.client_id is not None:
        fields["client_id"] = args.client_id
    if args.uid is not None:
        fields["uid"] = args.uid
    return fields
