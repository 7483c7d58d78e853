"""Password login against the user pool (Cognito locally and in global regions)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import Unauthenticated


def password_login(cognito: Any, client_id: str, username: str, password: str) -> dict[str, Any]:
    """USER_PASSWORD_AUTH → tokens; wrong credentials are 401 without saying which part was wrong."""
    try:
        resp = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"):
            raise Unauthenticated("用户名或密码错误") from exc
        raise
    result = resp.get("AuthenticationResult")
    if not result:
        raise Unauthenticated("需要完成额外的登录步骤", challenge=resp.get("ChallengeName"))
    return {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result.get("RefreshToken"),
        "expires_in": result.get("ExpiresIn", 3600),
    }
