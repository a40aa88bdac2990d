"""`fedreg edit`: the modification form applied to the working tree, in place."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..editing import Edit, edit_provider, parse_request
from ..errors import FedregError
from ..files import write_atomic
from ..layout import REGISTRY_DIR, RegistryDocument, iter_registry_files
from ..report import RENDERERS_BY_NAME
from ..validate import read_document
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail


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
    parser.add_argument("--format", choices=sorted(RENDERERS_BY_NAME), default="text")


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


def registry_documents(root: Path) -> list[RegistryDocument]:
    """Every registry file under `root`, read and parsed (not checked)."""
    registry = root / REGISTRY_DIR
    if not registry.is_dir():
        raise FedregError(f"pas de dossier {REGISTRY_DIR}/ dans {root}")
    return [read_document(path, root) for path in iter_registry_files([registry])]


def report_refusal(edit: Edit, output_format: str) -> int:
    sys.stdout.write(RENDERERS_BY_NAME[output_format](list(edit.diagnostics), 1, False))
    print("fedreg : rien n'est écrit.", file=sys.stderr)
    return EXIT_FAILED


def run_edit(fields: dict[str, Any], root: Path, output_format: str, policy_file: Path) -> int:
    policy = policy_or_fail(root / policy_file)
    request, problems = parse_request(fields)
    if request is None:
        return report_refusal(Edit(diagnostics=tuple(problems)), output_format)
    edit = edit_provider(registry_documents(root), request, policy)
    if not edit.ok:
        return report_refusal(edit, output_format)
    write_atomic(root / edit.path, edit.after)
    if output_format == "text":
        print(f"Modifié : {edit.path} ({', '.join(edit.changed)})")
    else:
        sys.stdout.write(RENDERERS_BY_NAME[output_format](list(edit.diagnostics), 1, False))
    return EXIT_OK
