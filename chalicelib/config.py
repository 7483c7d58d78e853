"""Settings: typed configuration of one stage, read from an environment mapping (never at import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


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
    office_hours: str = "08:30-12:00,14:00-17:30"  # Asia/Shanghai; admins may override (CONFIG/office_hours)
    sms_daily_cap_fen: int = 20000  # daily SMS spend cap in fen (200 yuan)
    sms_price_fen: int = 5  # price of one SMS segment in fen
    sms_retry_after_s: int = 600  # an unfinished send (claimed, never answered) is due for the sweep after this
    sms_max_attempts: int = 3  # attempts per message (the stream's first one included), then failed
    env_spot_check_rate: float = 0.1  # R-12369-08: share of a month's signed 12369 reports called back
    sms_sign_name: str = ""  # mainland gateway signature (签名)
    sms_template_codes: str = "{}"  # JSON {template: gateway template code} for the mainland gateway
    aliyun_sms_endpoint: str = "dysmsapi.aliyuncs.com"
    aliyun_sms_protocol: str = "https"
    aliyun_access_key_id: str = ""  # from the secret SMS_SECRET_ARN names (integrations/secrets.py), never env
    aliyun_access_key_secret: str = ""
    sms_secret_arn: str = ""
    oidc_client_secret_arn: str = ""  # the OIDC client secret (password grant of the login port)
    oidc_client_secret: str = ""
    oidc_token_url: str = ""  # token endpoint of the OIDC provider; set = login by password grant there
    partner_rate_per_minute: int = 120  # default per-partner request limit (fixed 1-minute window)
    caller_lookups_per_minute: int = 20  # lookups by caller phone per staff user (R-12345-11, fixed 1-minute window)
    public_base_url: str = ""  # absolute public API base (Open311 discovery); empty: the URL the request came in on
    open311_grid_m: int = 500  # Open311 GETs publish locations snapped to this grid (metres; 0: exact)
    open311_descriptions: str = "approved"  # Open311 GETs publish "approved" public texts only, or "never"
    open311_get_requires_key: bool = False  # Open311 GETs need an api_key too
    stream_status_file: str = ""  # embedded mode: where the local stream pump reports its progress
    sweep_workers: int = 16  # due tickets the deadline sweep commits at once (one transaction each)
    api_surface: str = ""  # deployed API function's surface (chalicelib/api/surface.py); "" = every route
    data_jurisdiction: str = ""  # "cn": personal data stays in the AWS China regions (PIPL art. 36)
    cors_origins: tuple[
        str, ...
    ] = ()  # the SPA's origin(s) browsers may call the API from (CORS_ORIGINS, comma-separated)
    pii_kms_key_id: str = ""  # KMS key of the personal-data envelopes, apart from the storage key; "" = kms_key_id
    envelope_algorithm: str = "AES-256-GCM"  # or "SM4-GCM" (aws-cn stages): the envelopes' data-key cipher
    blind_index_hash: str = "sha256"  # or "sm3" (aws-cn stages): the caller blind index's HMAC (R-12345-11)
    envelope_key_ttl_s: int = 300  # a data key is reused, and a decrypted one cached, this long
    pii_retention_days: int = 1825  # a closed ticket's personal data is destroyed this long after its close
    duplicate_window_days: int = 30  # R-12345-18: duplicates are looked for among tickets received this close
    login_max_failures: int = 5  # R-SEC-04: failed logins of one user in the window that lock it
    login_failure_window_s: int = 900  # R-SEC-04: the fixed window failures are counted in (15 min)
    login_lock_s: int = 900  # R-SEC-04: how long a locked user stays locked (15 min)
    login_ip_max_failures: int = 30  # R-SEC-04: failed logins from one address in the window, then 429
    mfa_required: bool = True  # R-SEC-06: user-pool logins need a TOTP code (MFA_REQUIRED=0 turns it off)
    oidc_mfa_acr: tuple[str, ...] = ()  # R-SEC-07: `acr` values that show MFA at the OIDC provider
    totp_single_use: bool = True  # R-SEC-06: a TOTP code logs in once (local/test stages: off, demo logins repeat)
    duty_fallback_phone: str = ""  # R-12345-12: the office's main number when no one is on duty (CONFIG overrides)

    @property
    def personal_data_key(self) -> str:
        """The KMS key personal data is sealed under (R-12345-11)."""
        return self.pii_kms_key_id or self.kms_key_id

    @property
    def spa_origin(self) -> str:
        """Where people open the SPA (links in SMS, R-WORK-04): the first of `cors_origins`; "" when none."""
        return self.cors_origins[0] if self.cors_origins else ""

    @property
    def is_local(self) -> bool:
        """Local/test stages run against moto."""
        return self.stage in ("local", "test")

    def residency_violation(self) -> str | None:
        """Why this stage must not run here: a China-jurisdiction stage (`DATA_JURISDICTION=cn` or a stage
        named `*-cn`) in a region outside `cn-*` (PIPL art. 36: a state organ's personal data stays in
        China). None when it may."""
        china = self.data_jurisdiction == "cn" or self.stage.endswith("-cn")
        if china and not self.region.startswith("cn-"):
            return f"stage {self.stage!r} keeps personal data in China and must run in cn-*, not {self.region!r}"
        return None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from an environment mapping (the composition root passes `os.environ`)."""

        def env(name: str, default: str = "") -> str:
            return environ.get(name, default)

        stage = env("STAGE", "local")
        region = env("AWS_REGION") or env("AWS_DEFAULT_REGION", "cn-north-1")
        return cls(
            stage=stage,
            region=region,
            endpoint_url=env("AWS_ENDPOINT_URL") or None,
            tickets_table=env("TICKETS_TABLE", f"hotline-{stage}-tickets"),
            events_table=env("EVENTS_TABLE", f"hotline-{stage}-ticket-events"),
            counters_table=env("COUNTERS_TABLE", f"hotline-{stage}-counters"),
            directory_table=env("DIRECTORY_TABLE", f"hotline-{stage}-directory"),
            events_stream_arn=env("EVENTS_STREAM_ARN"),
            archive_bucket=env("ARCHIVE_BUCKET"),
            archive_retention_years=int(env("ARCHIVE_RETENTION_YEARS", "10") or 10),
            topic_arn=env("TOPIC_ARN"),
            kms_key_id=env("KMS_KEY_ID"),
            cognito_region=env("COGNITO_REGION") or region,
            user_pool_id=env("USER_POOL_ID"),
            user_pool_client_id=env("USER_POOL_CLIENT_ID"),
            oidc_issuer=env("OIDC_ISSUER"),
            oidc_jwks_url=env("OIDC_JWKS_URL"),
            oidc_audience=env("OIDC_AUDIENCE"),
            sms_backend=env("SMS_BACKEND", "recorder" if stage in ("local", "test") else "sns"),
            allow_demo_endpoints=stage in ("local", "test"),
            office_hours=env("OFFICE_HOURS", "08:30-12:00,14:00-17:30"),
            sms_daily_cap_fen=int(env("SMS_DAILY_CAP_FEN", "20000")),
            sms_price_fen=int(env("SMS_PRICE_FEN", "5")),
            sms_retry_after_s=int(env("SMS_RETRY_AFTER_S", "600") or 600),
            sms_max_attempts=int(env("SMS_MAX_ATTEMPTS", "3") or 3),
            env_spot_check_rate=float(env("ENV_SPOT_CHECK_RATE", "0.1") or 0.1),
            sms_sign_name=env("SMS_SIGN_NAME"),
            sms_template_codes=env("SMS_TEMPLATE_CODES", "{}"),
            aliyun_sms_endpoint=env("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"),
            aliyun_sms_protocol=env("ALIYUN_SMS_PROTOCOL", "https"),
            sms_secret_arn=env("SMS_SECRET_ARN"),
            oidc_client_secret_arn=env("OIDC_CLIENT_SECRET_ARN"),
            oidc_token_url=env("OIDC_TOKEN_URL"),
            partner_rate_per_minute=int(env("PARTNER_RATE_PER_MINUTE", "120") or 120),
            caller_lookups_per_minute=int(env("CALLER_LOOKUPS_PER_MINUTE", "20") or 20),
            public_base_url=env("PUBLIC_BASE_URL"),
            open311_grid_m=max(0, int(env("OPEN311_GRID_M") or "500")),
            open311_descriptions="never" if env("OPEN311_DESCRIPTIONS") == "never" else "approved",
            open311_get_requires_key=env("OPEN311_GET_REQUIRES_KEY").lower() in ("1", "true", "yes"),
            stream_status_file=env("STREAM_STATUS_FILE"),
            sweep_workers=max(1, int(env("SWEEP_WORKERS", "16") or 16)),
            api_surface=env("API_SURFACE"),
            data_jurisdiction=env("DATA_JURISDICTION"),
            cors_origins=origins(env("CORS_ORIGINS")),
            pii_kms_key_id=env("PII_KMS_KEY_ID"),
            envelope_algorithm=env("ENVELOPE_ALGORITHM") or "AES-256-GCM",
            blind_index_hash=blind_index_hash(env("BLIND_INDEX_HASH")),
            envelope_key_ttl_s=max(1, int(env("ENVELOPE_KEY_TTL_S", "300") or 300)),
            pii_retention_days=max(30, int(env("PII_RETENTION_DAYS", "1825") or 1825)),
            duplicate_window_days=min(365, max(1, int(env("DUPLICATE_WINDOW_DAYS", "30") or 30))),
            login_max_failures=max(1, int(env("LOGIN_MAX_FAILURES", "5") or 5)),
            login_failure_window_s=max(60, int(env("LOGIN_FAILURE_WINDOW_S", "900") or 900)),
            login_lock_s=max(60, int(env("LOGIN_LOCK_S", "900") or 900)),
            login_ip_max_failures=max(1, int(env("LOGIN_IP_MAX_FAILURES", "30") or 30)),
            mfa_required=env("MFA_REQUIRED", "1").lower() not in ("0", "false", "no"),
            oidc_mfa_acr=tuple(a.strip() for a in env("OIDC_MFA_ACR").split(",") if a.strip()),
            totp_single_use=env("TOTP_SINGLE_USE", "0" if stage in ("local", "test") else "1").lower()
            not in ("0", "false", "no"),
            duty_fallback_phone=env("DUTY_FALLBACK_PHONE"),
        )


def blind_index_hash(text: str) -> str:
    """`BLIND_INDEX_HASH`: `sha256` (the default when unset) or `sm3`; anything else stops the stage at start
    rather than tag callers under a hash nobody chose (R-12345-11)."""
    name = text.strip().lower() or "sha256"
    if name not in ("sha256", "sm3"):
        raise ValueError(f"BLIND_INDEX_HASH must be sha256 or sm3, not {text!r}")
    return name


def origins(text: str) -> tuple[str, ...]:
    """`https://a.example, http://127.0.0.1:5173` → the origins, without a trailing slash; never `*`."""
    found = (o.strip().rstrip("/") for o in text.split(","))
    return tuple(o for o in found if o and o != "*")
