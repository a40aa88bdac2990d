"""Deployment names, pure: one environment on one network, built and split in one place."""

from __future__ import annotations

from fedreg.registry.layout import DEPLOYMENTS
from fedreg.registry.models import ENVIRONMENTS, NETWORKS, deployment_name, deployment_parts


def test_every_environment_on_every_network_is_a_deployment() -> None:
    assert DEPLOYMENTS == (
        "integration-internet",
        "integration-rie",
        "production-internet",
        "production-rie",
    )
    assert {deployment_parts(name) for name in DEPLOYMENTS} == {
        (environment, network) for environment in ENVIRONMENTS for network in NETWORKS
    }


def test_a_name_splits_back_into_its_parts() -> None:
    for environment in ENVIRONMENTS:
        for network in NETWORKS:
            assert deployment_parts(deployment_name(environment, network)) == (
                environment,
                network,
            )
