"""`fedreg new`: write a valid skeleton for a new provider."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..adapters.files import write_atomic
from ..authoring.scaffold import NewProvider, relative_path, render_skeleton
from ..errors import FedregError, UsageError
from ..registry.layout import classify
from ..registry.policy import POLICY_FILE_NAME
from ..validation.policycheck import load_policy
from .common import EXIT_OK


def run_new(spec: NewProvider, *, root: Path) -> int:
    _, _, _, layout_findings = classify(root / relative_path(spec))
    if layout_findings:
        raise UsageError(
            f"nom « {spec.slug} » invalide : minuscules, chiffres et tirets, "
            "2 à 63 caractères, en commençant par une lettre ou un chiffre"
        )
    path = root / relative_path(spec)
    policy, _ = load_policy(root / POLICY_FILE_NAME)  # its problems are validate's to report
    recipient = policy.age_recipient(spec.environment)
    spec = dataclasses.replace(spec, federation_age_recipient=recipient)
    try:
        write_atomic(path, render_skeleton(spec), exclusive=True)
    except FileExistsError as error:
        raise FedregError(f"{path} existe déjà : choisissez un autre nom") from error
    print(f"Créé : {relative_path(spec)} — complétez les valeurs marquées « À REMPLACER ».")
    return EXIT_OK
