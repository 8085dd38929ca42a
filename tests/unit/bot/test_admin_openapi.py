"""The OpenAPI document's links (what the stateful fuzzer follows): derived from paths, or explicit."""

from __future__ import annotations

import uuid

import pytest
from pydantic import BaseModel

from bot.admin import openapi
from bot.admin.api import Call, Operation
from bot.admin.schemas import ListQuery, Strict


class ThingIn(Strict):
    name: str


class ThingOut(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID


class PartIn(Strict):
    thing_id: uuid.UUID


class PartQuery(ListQuery):
    thing_id: uuid.UUID | None = None


def op(method: str, path: str, name: str, **options) -> Operation:
    async def handler(call: Call) -> None:
        return None

    handler.__name__ = name
    return Operation(method, path, handler, summary=name, tag="things", **options)  # type: ignore[arg-type]


OPERATIONS = [
    op("POST", "/things", "create_thing", body=ThingIn, response=ThingOut, status=201),
    op("GET", "/things/{thing_id}", "get_thing", response=ThingOut),
    op("DELETE", "/things/{thing_id}", "delete_thing", status=204),
    op("GET", "/things/{thing_id}/parts", "list_parts", response=ThingOut, query=ListQuery, listing=True),
    op("POST", "/parts", "create_part", body=PartIn, response=ThingOut, status=201),
    op("GET", "/parts", "search_parts", response=ThingOut, query=PartQuery, listing=True),
    op("GET", "/owners/{owner_id}", "get_owner", response=ThingOut),
    op("GET", "/elsewhere/{elsewhere_id}", "get_elsewhere", response=ThingOut),
]


def links_of(document: dict, path: str, method: str = "post", status: str = "201") -> dict:
    return document["paths"]["/api/v1" + path][method]["responses"][status].get("links", {})


def test_a_creation_links_to_its_item_its_children_and_whatever_takes_its_id() -> None:
    links = links_of(openapi.document(OPERATIONS), "/things")
    assert links["get_thing"]["parameters"] == {"path.thing_id": "$response.body#/id"}
    assert links["delete_thing"]["parameters"] == {"path.thing_id": "$response.body#/id"}
    assert links["list_parts"]["parameters"] == {"path.thing_id": "$response.body#/id"}
    assert links["create_part"] == {
        "operationId": "create_part",
        "parameters": {},
        "requestBody": {"thing_id": "$response.body#/id"},
    }
    assert links["search_parts"]["parameters"] == {"query.thing_id": "$response.body#/id"}
    # owner_id in the answer feeds {owner_id}; nothing in it names {elsewhere_id}.
    assert links["get_owner"]["parameters"] == {"path.owner_id": "$response.body#/owner_id"}
    assert "get_elsewhere" not in links and "create_thing" not in links


def test_reads_link_nowhere_and_explicit_links_are_added() -> None:
    explicit = op(
        "POST",
        "/things/{thing_id}/copies",
        "copy_thing",
        response=ThingOut,
        status=201,
        links={"get_elsewhere": {"elsewhere_id": "$response.body#/id"}},
    )
    copy = op("GET", "/things/{thing_id}/copies/{copy_id}", "get_copy", response=ThingOut)
    document = openapi.document([*OPERATIONS, explicit, copy])
    assert links_of(document, "/things/{thing_id}", "get", "200") == {}
    links = links_of(document, "/things/{thing_id}/copies")
    assert links["get_elsewhere"]["parameters"] == {"path.elsewhere_id": "$response.body#/id"}
    # The source's own path parameters carry over to targets that also take them.
    assert links["get_copy"]["parameters"] == {
        "path.thing_id": "$request.path.thing_id",
        "path.copy_id": "$response.body#/id",
    }


def test_an_explicit_link_that_leaves_a_path_parameter_unset_is_a_mistake() -> None:
    broken = op("POST", "/others", "create_other", response=ThingOut, status=201, links={"get_elsewhere": {}})
    with pytest.raises(ValueError, match="get_elsewhere"):
        openapi.document([*OPERATIONS, broken])
