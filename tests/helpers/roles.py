"""What a function's code calls, as IAM sees it: botocore hooks record every AWS request the app's clients make
(`recording`), and `required` names the IAM action and the stack resource (logical id) each one needs. Used by
tests/api/test_function_roles.py (against the packaged template) and tests/integration/test_template_on_moto.py
(against the roles deployed on moto)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SERVICES = ("kms", "s3", "cognito-idp", "sns", "sqs", "secretsmanager")
PERSONAL_PURPOSES = ("personal-data", "blind-index")  # sealed under the personal-data key (bootstrap.build)
UNAUTHENTICATED = {("cognito-idp", "InitiateAuth")}  # a public Cognito API: IAM does not evaluate it


class Recorder:
    """(endpoint prefix, operation, params) of each request while `on`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.on = False

    def __call__(self, model: Any = None, params: Any = None, **_: Any) -> None:
        if self.on and model is not None:
            self.calls.append((model.service_model.endpoint_prefix, model.name, dict(params or {})))


@contextmanager
def recording(deps: Any) -> Iterator[Recorder]:
    """A recorder on every client of the adapters; data keys forgotten first (a cold start: KMS is called)."""
    rec = Recorder()
    deps.envelope.forget()
    clients = [*deps.dynamodb_clients(), *(deps.clients(s) for s in SERVICES)]
    hook_id = f"roles-{uuid.uuid4().hex}"
    for client in clients:
        client.meta.events.register("provide-client-params", rec, unique_id=hook_id)
    try:
        yield rec
    finally:
        for client in clients:
            client.meta.events.unregister("provide-client-params", unique_id=hook_id)


def logical_ids(deps: Any) -> dict[str, str]:
    """Physical name of the tables and the archive bucket → their logical id in the template."""
    s = deps.settings
    return {
        s.tickets_table: "TicketsTable",
        s.events_table: "TicketEventsTable",
        s.counters_table: "CountersTable",
        s.directory_table: "DirectoryTable",
        s.archive_bucket: "ArchiveBucket",
    }


def required(deps: Any, service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """(IAM action, logical id of the resource) a recorded call needs."""
    names = logical_ids(deps)
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            kinds = {
                "Put": "PutItem",
                "Update": "UpdateItem",
                "Delete": "DeleteItem",
                "ConditionCheck": "ConditionCheckItem",
            }
            return [
                (f"dynamodb:{kinds[kind]}", names[body["TableName"]])
                for item in params["TransactItems"]
                for kind, body in item.items()
            ]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", names[t]) for t in params["RequestItems"]]
        return [(f"dynamodb:{operation}", names[params["TableName"]])]
    if service == "s3" and operation == "CreateBucket":
        # botocore builds a presigned POST on the CreateBucket model (the app creates no bucket): the browser's
        # upload is authorised as the function's PutObject, with the signed Object Lock fields
        return [("s3:PutObject", names[params["Bucket"]]), ("s3:PutObjectRetention", names[params["Bucket"]])]
    if service == "s3":
        renamed = {"ListObjectVersions": "ListBucketVersions", "ListObjectsV2": "ListBucket", "HeadObject": "GetObject"}
        action = renamed.get(operation, operation)
        if operation in ("GetObject", "HeadObject") and params.get("VersionId"):
            action = "GetObjectVersion"
        needs = [(f"s3:{action}", names[params["Bucket"]])]
        if operation == "PutObject" and params.get("ObjectLockMode"):
            needs.append(("s3:PutObjectRetention", names[params["Bucket"]]))
        if operation == "DeleteObject" and params.get("VersionId"):
            needs = [("s3:DeleteObjectVersion", names[params["Bucket"]])]
        if params.get("BypassGovernanceRetention"):
            needs.append(("s3:BypassGovernanceRetention", names[params["Bucket"]]))
        return needs
    if service == "kms":
        purpose = (params.get("EncryptionContext") or {}).get("purpose")
        personal = params.get("KeyId") == deps.settings.personal_data_key or purpose in PERSONAL_PURPOSES
        return [(f"kms:{operation}", "PiiKey" if personal else "DataKey")]
    if service == "cognito-idp":
        return [(f"cognito-idp:{operation}", "UserPool")]
    return [(f"{service}:{operation}", "*")]
