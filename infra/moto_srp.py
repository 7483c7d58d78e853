"""The user pool's half of USER_SRP_AUTH in moto, which otherwise accepts any PASSWORD_CLAIM_SIGNATURE.

moto 5.x answers `InitiateAuth(USER_SRP_AUTH)` with a random SALT and SRP_B and lets every
`RespondToAuthChallenge(PASSWORD_VERIFIER)` through: on the local stack and in the tests a wrong password would
log in. `apply()` (called by `emulator.start_moto`, idempotent) makes the emulated pool compute B from the
user's password verifier and check the client's signature with `chalicelib.integrations.srp.Verifier`, as
Cognito does; a wrong proof is `NotAuthorizedException`. The SECRET_BLOCK doubles as moto's session id (moto
finds the session of PASSWORD_VERIFIER by `PASSWORD_CLAIM_SECRET_BLOCK`). USER_ID_FOR_SRP is the username,
as in a Cognito pool without username attributes.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections import OrderedDict
from typing import Any

from chalicelib.integrations import srp

MAX_PENDING = 2000  # logins between the two steps; the oldest are forgotten (their proof is refused)
_PENDING: OrderedDict[str, srp.Verifier] = OrderedDict()
_LOCK = threading.Lock()
_APPLIED = False


def apply() -> None:
    """Patch moto's Cognito backend (once)."""
    global _APPLIED
    if _APPLIED:
        return
    from moto.cognitoidp import models
    from moto.cognitoidp.exceptions import NotAuthorizedError

    backend = models.CognitoIdpBackend
    initiate, respond = backend.initiate_auth, backend.respond_to_auth_challenge

    def initiate_auth(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        result = initiate(self, client_id, auth_flow, auth_parameters)
        if auth_flow != "USER_SRP_AUTH" or result.get("ChallengeName") != "PASSWORD_VERIFIER":
            return result
        username, pool = self.sessions.pop(result["Session"])
        user = pool._get_user(username)
        try:
            verifier = srp.Verifier(pool.id, user.username, user.password or "", auth_parameters["SRP_A"])
        except ValueError as exc:  # A ≡ 0 mod N: refused as Cognito does
            raise NotAuthorizedError("Incorrect username or password.") from exc
        block = base64.b64encode(secrets.token_bytes(48)).decode()
        self.sessions[block] = (username, pool)
        with _LOCK:
            _PENDING[block] = verifier
            while len(_PENDING) > MAX_PENDING:
                _PENDING.popitem(last=False)
        params = {
            "SALT": verifier.salt,
            "SRP_B": verifier.srp_b,
            "USERNAME": user.username,
            "USER_ID_FOR_SRP": user.username,
            "SECRET_BLOCK": block,
        }
        return dict(result, Session=block, ChallengeParameters=params)

    def respond_to_auth_challenge(
        self: Any, session: str, client_id: str, challenge_name: str, responses: dict[str, str]
    ) -> Any:
        if challenge_name == "PASSWORD_VERIFIER":
            block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
            with _LOCK:
                verifier = _PENDING.pop(block, None)
            stamp, signature = responses.get("TIMESTAMP") or "", responses.get("PASSWORD_CLAIM_SIGNATURE") or ""
            if verifier is None or not verifier.verify(block, stamp, signature):
                self.sessions.pop(block, None)
                raise NotAuthorizedError("Incorrect username or password.")
        return respond(self, session, client_id, challenge_name, responses)

    backend.initiate_auth = initiate_auth  # type: ignore[method-assign]
    backend.respond_to_auth_challenge = respond_to_auth_challenge  # type: ignore[method-assign]
    _APPLIED = True
