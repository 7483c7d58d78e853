"""Settings: the only reader of os.environ. Read lazily, never failing at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    """Typed configuration for one stage."""

    stage: str
    region: str
    endpoint_url: str | None
    tickets_table: str
    events_table: str
    counters_table: str
    directory_table: str
    events_stream_arn: str
    tickets_stream_arn: str
    archive_bucket: str
    topic_arn: str
    kms_key_id: str
    cognito_region: str
    user_pool_id: str
    user_pool_client_id: str
    oidc_issuer: str
    oidc_jwks_url: str
    oidc_audience: str
    sms_backend: str
    allow_demo_endpoints: bool

    @property
    def is_local(self) -> bool:
        """Local/test stages run against moto."""
        return self.stage in ("local", "test")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment (cached; tests call `get_settings.cache_clear()`)."""
    stage = _env("STAGE", "local")
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION", "cn-north-1")
    settings = Settings(
        stage=stage,
        region=region,
        endpoint_url=_env("AWS_ENDPOINT_URL") or None,
        tickets_table=_env("TICKETS_TABLE", f"hotline-{stage}-tickets"),
        events_table=_env("EVENTS_TABLE", f"hotline-{stage}-ticket-events"),
        counters_table=_env("COUNTERS_TABLE", f"hotline-{stage}-counters"),
        directory_table=_env("DIRECTORY_TABLE", f"hotline-{stage}-directory"),
        events_stream_arn=_env("EVENTS_STREAM_ARN"),
        tickets_stream_arn=_env("TICKETS_STREAM_ARN"),
        archive_bucket=_env("ARCHIVE_BUCKET"),
        topic_arn=_env("TOPIC_ARN"),
        kms_key_id=_env("KMS_KEY_ID"),
        cognito_region=_env("COGNITO_REGION") or region,
        user_pool_id=_env("USER_POOL_ID"),
        user_pool_client_id=_env("USER_POOL_CLIENT_ID"),
        oidc_issuer=_env("OIDC_ISSUER"),
        oidc_jwks_url=_env("OIDC_JWKS_URL"),
        oidc_audience=_env("OIDC_AUDIENCE"),
        sms_backend=_env("SMS_BACKEND", "recorder" if stage in ("local", "test") else "sns"),
        allow_demo_endpoints=stage in ("local", "test"),
    )
    if not settings.is_local and not (settings.oidc_issuer and settings.oidc_jwks_url):
        raise RuntimeError("OIDC_ISSUER and OIDC_JWKS_URL must be set outside local stages")
    return settings
