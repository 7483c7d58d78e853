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
    archive_retention_years: int  # Object Lock COMPLIANCE retention of archived records (R-12345-17)
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
    # deadlines & notifications (issue #3)
    office_hours: str = "08:30-12:00,14:00-17:30"  # Asia/Shanghai; admins may override (CONFIG/office_hours)
    sms_daily_cap_fen: int = 20000  # daily SMS spend cap in fen (200 yuan)
    sms_price_fen: int = 5  # price of one SMS segment in fen
    sms_sign_name: str = ""  # mainland gateway signature (签名)
    sms_template_codes: str = "{}"  # JSON {template: gateway template code} for the mainland gateway
    aliyun_sms_endpoint: str = "dysmsapi.aliyuncs.com"
    aliyun_sms_protocol: str = "https"
    aliyun_access_key_id: str = ""
    aliyun_access_key_secret: str = ""
    # partner integration (issue #5)
    partner_rate_per_minute: int = 120  # default per-partner request limit (fixed 1-minute window)
    public_base_url: str = ""  # absolute API base advertised by Open311 discovery (empty: relative)

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
        archive_retention_years=int(_env("ARCHIVE_RETENTION_YEARS", "10") or 10),
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
        office_hours=_env("OFFICE_HOURS", "08:30-12:00,14:00-17:30"),
        sms_daily_cap_fen=int(_env("SMS_DAILY_CAP_FEN", "20000")),
        sms_price_fen=int(_env("SMS_PRICE_FEN", "5")),
        sms_sign_name=_env("SMS_SIGN_NAME"),
        sms_template_codes=_env("SMS_TEMPLATE_CODES", "{}"),
        aliyun_sms_endpoint=_env("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"),
        aliyun_sms_protocol=_env("ALIYUN_SMS_PROTOCOL", "https"),
        aliyun_access_key_id=_env("ALIYUN_ACCESS_KEY_ID"),
        aliyun_access_key_secret=_env("ALIYUN_ACCESS_KEY_SECRET"),
        partner_rate_per_minute=int(_env("PARTNER_RATE_PER_MINUTE", "120") or 120),
        public_base_url=_env("PUBLIC_BASE_URL"),
    )
    return settings
