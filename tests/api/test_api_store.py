"""The store API over real HTTP with the official ``langgraph_sdk`` client: put, get, search,
delete, namespaces; shared with the graphs; TTL; bad input; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client

from core.settings import Settings
from runtime.checkpoints import open_graph_store
from tests.support.assistant_graphs import assistant_graph_specs
from tests.support.credentials import headers_for, key_for
from tests.support.fake_graphs import FakeServices
from tests.support.postgres import fresh_database, postgres_problem

pytestmark = pytest.mark.anyio


@pytest.fixture
def server(serve_graphs: Callable[..., Any]) -> Iterator[str]:
    with serve_graphs(assistant_graph_specs(), FakeServices()) as url:
        yield url


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == code, body
    return str(body["detail"])


async def _items_flow(url: str) -> None:
    async with get_client(url=url, api_key=key_for(url)) as client:
        await client.store.put_item(["accounts", "ruijin"], "contact", {"name": "Dr Li", "rank": 1})
        await client.store.put_item(["accounts", "ruijin"], "budget", {"cny": 1_200_000, "rank": 2})
        await client.store.put_item(["accounts", "huashan", "notes"], "visit", {"rank": 1})

        item = await client.store.get_item(["accounts", "ruijin"], "contact")
        assert item["namespace"] == ["accounts", "ruijin"] and item["key"] == "contact"
        assert item["value"] == {"name": "Dr Li", "rank": 1}
        assert item["created_at"].endswith("+00:00") and item["updated_at"].endswith("+00:00")
        assert await client.store.get_item(["accounts", "ruijin"], "ghost") is None

        await client.store.put_item(["accounts", "ruijin"], "contact", {"name": "Dr Li", "rank": 3})
        assert (await client.store.get_item(["accounts", "ruijin"], "contact"))["value"][
            "rank"
        ] == 3

        everything = (await client.store.search_items(["accounts"], limit=10))["items"]
        assert {i["key"] for i in everything} == {"contact", "budget", "visit"}
        ruijin = await client.store.search_items(["accounts", "ruijin"])
        assert {i["key"] for i in ruijin["items"]} == {"contact", "budget"}
        ranked_one = await client.store.search_items(["accounts"], filter={"rank": 1})
        assert [i["key"] for i in ranked_one["items"]] == ["visit"]
        first = (await client.store.search_items(["accounts"], limit=2))["items"]
        second = (await client.store.search_items(["accounts"], limit=2, offset=2))["items"]
        assert len(first) == 2 and len(second) == 1
        assert {i["key"] for i in first + second} == {"contact", "budget", "visit"}
        queried = await client.store.search_items(["accounts", "ruijin"], query="budget")
        assert {i["key"] for i in queried["items"]} == {"contact", "budget"}

        namespaces = (await client.store.list_namespaces())["namespaces"]
        assert sorted(namespaces) == [["accounts", "huashan", "notes"], ["accounts", "ruijin"]]
        shallow = await client.store.list_namespaces(prefix=["accounts"], max_depth=2)
        assert sorted(shallow["namespaces"]) == [["accounts", "huashan"], ["accounts", "ruijin"]]
        notes = await client.store.list_namespaces(suffix=["notes"])
        assert notes["namespaces"] == [["accounts", "huashan", "notes"]]
        assert len((await client.store.list_namespaces(limit=1))["namespaces"]) == 1

        await client.store.delete_item(["accounts", "ruijin"], "budget")
        assert await client.store.get_item(["accounts", "ruijin"], "budget") is None
        await client.store.delete_item(["accounts", "ruijin"], "budget")  # already gone: fine


async def test_sdk_puts_gets_searches_and_deletes_items(server: str) -> None:
    await _items_flow(server)


async def test_graphs_and_the_api_share_one_store(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        await client.store.put_item(["memos", "rep"], "from-api", {"text": "from the API"})
        values = await client.runs.wait(None, "memo", input={"note": "from-graph"})
        assert values["recalled"] == ["from-api", "from-graph"]
        item = await client.store.get_item(["memos", "rep"], "from-graph")
        assert item["value"] == {"text": "from-graph"}


async def test_repeated_namespace_parameters_name_the_labels(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        await client.store.put_item(["a", "b"], "k", {"v": 1})
    async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
        dotted = await http.get("/store/items", params={"namespace": "a.b", "key": "k"})
        repeated = await http.get(
            "/store/items", params=[("namespace", "a"), ("namespace", "b"), ("key", "k")]
        )
        assert dotted.json() == repeated.json() and dotted.json()["value"] == {"v": 1}


async def test_bad_namespaces_keys_and_values_are_422s(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
        for body, field in (
            ({"namespace": ["a.b"], "key": "k", "value": {}}, "namespace"),
            ({"namespace": ["a", ""], "key": "k", "value": {}}, "namespace"),
            ({"namespace": [], "key": "k", "value": {}}, "namespace"),
            ({"namespace": ["langgraph"], "key": "k", "value": {}}, "namespace"),
            ({"namespace": "a", "key": "k", "value": {}}, "namespace"),
            ({"namespace": ["a"], "value": {}}, "key"),
            ({"namespace": ["a"], "key": "", "value": {}}, "key"),
            ({"namespace": ["a"], "key": "k", "value": [1, 2]}, "value"),
            ({"namespace": ["a"], "key": "k"}, "value"),
            ({"namespace": ["a"], "key": "k", "value": {}, "ttl": -1}, "ttl"),
            ({"namespace": ["a"], "key": "k", "value": {}, "index": True}, "index"),
        ):
            detail = _error(await http.put("/store/items", json=body), 422, "invalid_request")
            assert field in detail, detail
        assert "period" in _error(
            await http.request("DELETE", "/store/items", json={"namespace": ["x.y"], "key": "k"}),
            422,
            "invalid_request",
        )
        for params, field in (
            ({"namespace": "a..b", "key": "k"}, "namespace"),
            ({"namespace": "", "key": "k"}, "namespace"),
            ({"key": "k"}, "namespace"),
            ({"namespace": "a"}, "key"),
            ({"namespace": "a", "key": "k", "refresh_ttl": "maybe"}, "refresh_ttl"),
        ):
            response = await http.get("/store/items", params=params)
            assert response.status_code == 422 and field in response.json()["detail"], response.text
        for path, body, field in (
            ("/store/items/search", {"namespace_prefix": ["a.b"]}, "namespace_prefix"),
            ("/store/items/search", {"limit": 0}, "limit"),
            ("/store/items/search", {"filter": "rank=1"}, "filter"),
            ("/store/namespaces", {"prefix": [""]}, "prefix"),
            ("/store/namespaces", {"max_depth": 0}, "max_depth"),
            ("/store/namespaces", {"suffix": "notes"}, "suffix"),
        ):
            assert field in _error(await http.post(path, json=body), 422, "invalid_request")
        # Bodies are JSON and bounded on DELETE as on the other methods.
        _error(
            await http.request(
                "DELETE",
                "/store/items",
                content=b"namespace=a",
                headers={"content-type": "text/plain"},
            ),
            415,
            "unsupported_media_type",
        )
        nothing = await http.post("/store/items/search")
        assert nothing.status_code == 200 and nothing.json() == {"items": []}


async def test_items_with_a_ttl_expire(settings: Settings) -> None:
    async with open_graph_store(settings) as store:
        await store.aput(("t",), "short", {"v": 1}, ttl=0.001)  # 60 ms
        await store.aput(("t",), "long", {"v": 2}, ttl=60)
        # SQLite compares expiry with CURRENT_TIMESTAMP, which has whole seconds.
        await asyncio.sleep(1.1)
        await store.sweep_ttl()
        assert await store.aget(("t",), "short") is None
        assert (await store.aget(("t",), "long")).value == {"v": 2}


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    with fresh_database("crm_agents_store") as url:
        yield url


async def test_store_on_postgresql(
    serve_graphs: Callable[..., Any], settings: Settings, postgres_url: str
) -> None:
    on_postgres = settings.model_copy(update={"database_url": postgres_url})
    with serve_graphs(assistant_graph_specs(), FakeServices(), settings=on_postgres) as url:
        await _items_flow(url)
        async with get_client(url=url, api_key=key_for(url)) as client:
            values = await client.runs.wait(None, "memo", input={"note": "pg"})
            assert values["recalled"] == ["pg"]
    async with open_graph_store(on_postgres) as store:
        assert (await store.aget(("memos", "rep"), "pg")).value == {"text": "pg"}
        # PostgreSQL hides expired items even before the sweeper deletes them.
        await store.aput(("t",), "short", {"v": 1}, ttl=0.001)
        await asyncio.sleep(0.2)
        assert await store.aget(("t",), "short") is None
