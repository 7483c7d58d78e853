"""A China-jurisdiction stage refuses to start outside cn-* (PIPL art. 36; docs/deploy.md "Residency")."""

from __future__ import annotations

import pytest

from chalicelib import bootstrap
from chalicelib.config import Settings


def _settings(**env: str) -> Settings:
    return Settings.from_env({"STAGE": "prod-cn", "AWS_REGION": "cn-north-1", **env})


@pytest.mark.parametrize("region", ["us-east-1", "ap-east-1", "eu-west-1"])
def test_a_china_stage_refuses_to_build_outside_china(region: str) -> None:
    settings = _settings(AWS_REGION=region)
    assert settings.residency_violation() is not None
    with pytest.raises(bootstrap.ResidencyError, match=region):
        bootstrap.build(settings)


def test_the_jurisdiction_flag_binds_any_stage_name() -> None:
    assert _settings(STAGE="county-a", AWS_REGION="ap-east-1", DATA_JURISDICTION="cn").residency_violation()
    assert (
        _settings(STAGE="county-a", AWS_REGION="cn-northwest-1", DATA_JURISDICTION="cn").residency_violation() is None
    )


@pytest.mark.parametrize("region", ["cn-north-1", "cn-northwest-1"])
def test_a_china_stage_may_run_in_the_china_regions(region: str) -> None:
    assert _settings(AWS_REGION=region).residency_violation() is None


def test_stages_without_the_jurisdiction_run_anywhere() -> None:
    assert _settings(STAGE="dev", AWS_REGION="us-east-1").residency_violation() is None
    assert _settings(STAGE="local", AWS_REGION="us-east-1").residency_violation() is None
