"""Items as DynamoDB stores them, read past the app: for tests that look at the tables themselves."""

from __future__ import annotations

from typing import Any

import boto3


def dynamodb(outputs: dict[str, str]) -> Any:
    """A plain DynamoDB client of the deployed stack."""
    return boto3.client("dynamodb", endpoint_url=outputs["endpoint_url"], region_name=outputs["region"])


def raw_ticket(outputs: dict[str, str], ticket_id: str) -> dict[str, Any]:
    """The ticket's Tickets item, attribute values as stored."""
    item: dict[str, Any] = dynamodb(outputs).get_item(
        TableName=outputs["tickets_table"], Key={"ticket_id": {"S": ticket_id}}
    )["Item"]
    return item


def raw_events(outputs: dict[str, str], ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's TicketEvents items, oldest first, attribute values as stored."""
    items: list[dict[str, Any]] = dynamodb(outputs).query(
        TableName=outputs["events_table"],
        KeyConditionExpression="ticket_id = :t",
        ExpressionAttributeValues={":t": {"S": ticket_id}},
    )["Items"]
    return items
