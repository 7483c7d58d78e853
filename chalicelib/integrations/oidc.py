"""OIDC: token verification by issuer + JWKS (Cognito, moto's Cognito, or any OIDC provider), and the
password grant that logs in at a provider other than Cognito."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from chalicelib.domain.errors import Unauthenticated

JWKS_TTL = 3600.0
REFETCH_MIN_INTERVAL = 30.0
# R-SEC-07: `amr` values (RFC 8176) that show a second factor at the OIDC provider
MFA_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "totp"})


def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON document (the JWKS) with a short timeout."""
    # the URL is the configured JWKS address (deployment settings), never request input
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310  # nosec B310
        data: dict[str, Any] = json.loads(resp.read())
        return data


class JwksVerifier:
    """Verifies RS256 JWTs: signature by a key of the JWKS, issuer, audience, expiry."""

    def __init__(
        self,
        issuer: str,
        jwks_url: str,
        audience: str | None,
        fetch: Callable[[str], dict[str, Any]] = fetch_json,
        *,
        audience_optional: bool = False,
        require_mfa: bool = False,
        mfa_acr: tuple[str, ...] = (),
    ) -> None:
        """`audience` is mandatory unless `audience_optional` (local stages only, R-SEC-07); `require_mfa`
        (the OIDC provider path) refuses tokens whose `amr` / `acr` shows no second factor."""
        if not audience and not audience_optional:
            raise ValueError("OIDC_AUDIENCE is required outside local stages (R-SEC-07)")
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.audience = audience or None
        self.require_mfa = require_mfa
        self.mfa_acr = frozenset(mfa_acr)
        self._fetch = fetch
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _key(self, kid: str | None) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > JWKS_TTL
            unknown = kid not in self._keys and time.monotonic() - self._fetched_at > REFETCH_MIN_INTERVAL
            if stale or unknown or not self._keys:
                try:
                    jwks = self._fetch(self.jwks_url)
                except OSError as exc:
                    raise Unauthenticated("无法获取身份提供方公钥，请稍后重试") from exc
                import jwt  # loaded by the first token, not at import (stream and schedule functions never need it)

                self._keys = {k.get("kid"): jwt.PyJWK(k).key for k in jwks.get("keys", [])}
                self._fetched_at = time.monotonic()
            key = self._keys.get(kid) if kid is not None else next(iter(self._keys.values()), None)
        if key is None:
            raise Unauthenticated("令牌签名密钥未知")
        return key

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or Unauthenticated with the reason."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("令牌格式无效") from exc
        if header.get("alg") != "RS256":
            raise Unauthenticated("令牌签名算法不被接受")
        key = self._key(header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "iss"], "verify_aud": self.audience is not None},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("登录已过期，请重新登录", reason="expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"令牌无效：{exc}") from exc
        if self.require_mfa and not shows_mfa(claims, self.mfa_acr):
            raise Unauthenticated(
                "身份令牌未表明已完成多因素认证（amr/acr），请使用动态口令等第二因素登录", reason="mfa"
            )
        return claims


def shows_mfa(claims: dict[str, Any], mfa_acr: frozenset[str] = frozenset()) -> bool:
    """Whether the token's `amr` names a second factor, or its `acr` is one the stage counts as MFA."""
    amr = claims.get("amr")
    methods = {amr} if isinstance(amr, str) else set(amr) if isinstance(amr, list) else set()
    return bool(methods & MFA_AMR) or (isinstance(claims.get("acr"), str) and claims["acr"] in mfa_acr)


def password_grant(
    token_url: str,
    client_id: str,
    client_secret: str,
    username: str,
    password: str,
    post: Callable[[urllib.request.Request], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Resource-owner password grant at an OIDC provider's token endpoint (the login port where there is
    no Cognito, e.g. aws-cn) → the same tokens as the user pool login. Wrong credentials are 401 without
    saying which part was wrong; a provider that cannot be reached is a 401 asking to retry."""
    form = urllib.parse.urlencode(
        {"grant_type": "password", "scope": "openid profile", "username": username, "password": password}
    ).encode()
    basic = base64.b64encode(
        f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(client_secret, safe='')}".encode()
    ).decode()
    request = urllib.request.Request(  # noqa: S310 - URL comes from the stage's configuration
        token_url,
        data=form,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Basic {basic}"},
    )
    try:
        doc = (post or _post_json)(request)
    except urllib.error.HTTPError as exc:
        if exc.code in (400, 401):  # invalid_grant / invalid_client (RFC 6749 §5.2)
            raise Unauthenticated("用户名或密码错误") from exc
        raise Unauthenticated("统一身份认证平台暂时不可用，请稍后重试") from exc
    except OSError as exc:
        raise Unauthenticated("统一身份认证平台暂时不可用，请稍后重试") from exc
    if not isinstance(doc.get("id_token"), str):
        raise Unauthenticated("统一身份认证平台未返回身份令牌（需启用 openid 范围）")
    return {
        "id_token": doc["id_token"],
        "access_token": doc.get("access_token"),
        "expires_in": doc.get("expires_in", 3600),
    }


def _post_json(request: urllib.request.Request) -> dict[str, Any]:
    # the URL is the configured OIDC token endpoint (deployment settings), never request input
    with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310  # nosec B310
        data: dict[str, Any] = json.loads(resp.read())
        return data
