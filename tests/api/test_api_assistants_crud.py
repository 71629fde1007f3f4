"""Assistants over real HTTP with the official ``langgraph_sdk`` client: create, read, search,
count, versions, latest, delete; runs with a user assistant; the read-only defaults; errors;
SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import ConflictError, NotFoundError

from core.settings import Settings
from graphs.registry import assistant_id_for
from tests.support.assistant_graphs import assistant_graph_specs
from tests.support.credentials import headers_for, key_for
from tests.support.fake_graphs import FakeServices
from tests.support.postgres import fresh_database, postgres_problem

pytestmark = pytest.mark.anyio

REGISTERED = ["chat", "failing", "approval", "gated", "configured", "family", "memo"]


@pytest.fixture
def server(serve_graphs: Callable[..., Any]) -> Iterator[str]:
    with serve_graphs(assistant_graph_specs(), FakeServices()) as url:
        yield url


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == code, body
    return str(body["detail"])


async def _lifecycle(url: str) -> None:
    """Create -> read -> search -> count -> patch (v2) -> versions -> latest(v1) -> delete."""
    async with get_client(url=url, api_key=key_for(url)) as client:
        created = await client.assistants.create(
            "configured",
            config={"configurable": {"tone": "warm"}, "tags": ["crm"]},
            context={"audience": "cfo"},
            metadata={"team": "sales", "region": "east"},
            name="Warm CFO helper",
            description="Talks to CFOs warmly.",
        )
        assistant_id = created["assistant_id"]
        assert uuid.UUID(assistant_id) and created["version"] == 1
        assert created["graph_id"] == "configured" and created["name"] == "Warm CFO helper"
        assert created["config"] == {"configurable": {"tone": "warm"}, "tags": ["crm"]}
        assert created["context"] == {"audience": "cfo"}
        assert await client.assistants.get(assistant_id) == created

        assert [a["assistant_id"] for a in await client.assistants.search(name="cfo helper")] == [
            assistant_id
        ]
        by_graph = await client.assistants.search(graph_id="configured")
        assert {a["assistant_id"] for a in by_graph} == {
            assistant_id,
            assistant_id_for("configured"),
        }
        assert [
            a["assistant_id"] for a in await client.assistants.search(metadata={"team": "sales"})
        ] == [assistant_id]
        assert await client.assistants.count(metadata={"region": "east"}) == 1
        assert await client.assistants.count(graph_id="configured") == 2
        assert await client.assistants.count() == len(REGISTERED) + 1

        updated = await client.assistants.update(
            assistant_id, config={"configurable": {"tone": "crisp"}}, metadata={"region": "west"}
        )
        assert updated["version"] == 2 and updated["config"] == {"configurable": {"tone": "crisp"}}
        assert updated["metadata"] == {"team": "sales", "region": "west"}
        assert updated["context"] == {"audience": "cfo"} and updated["name"] == "Warm CFO helper"
        versions = await client.assistants.get_versions(assistant_id)
        assert [v["version"] for v in versions] == [2, 1]
        assert versions[1]["config"]["configurable"] == {"tone": "warm"}
        only_east = await client.assistants.get_versions(assistant_id, metadata={"region": "east"})
        assert [v["version"] for v in only_east] == [1]

        back = await client.assistants.set_latest(assistant_id, 1)
        assert back["version"] == 1 and back["config"]["configurable"] == {"tone": "warm"}
        assert (await client.assistants.get(assistant_id))["metadata"]["region"] == "east"
        # A patch after going back saves version 3, never overwrites 2.
        assert (await client.assistants.update(assistant_id, name="Renamed"))["version"] == 3

        await client.assistants.delete(assistant_id)
        with pytest.raises(NotFoundError):
            await client.assistants.get(assistant_id)


async def test_sdk_assistant_lifecycle(server: str) -> None:
    await _lifecycle(server)


async def test_runs_use_the_assistants_config_and_context_under_their_own(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        assistant = await client.assistants.create(
            "configured", config={"configurable": {"tone": "warm"}}, context={"audience": "cfo"}
        )
        assistant_id = assistant["assistant_id"]
        thread = await client.threads.create()
        values = await client.runs.wait(thread["thread_id"], assistant_id, input={"question": "q"})
        assert values["seen"] == {
            "tone": "warm",
            "assistant_id": assistant_id,
            "context": {"audience": "cfo"},
        }
        run = (await client.runs.list(thread["thread_id"]))[0]
        assert run["assistant_id"] == assistant_id
        assert (await client.threads.get(thread["thread_id"]))["metadata"][
            "assistant_id"
        ] == assistant_id

        # The run's own values win, key by key; the rest still comes from the assistant.
        values = await client.runs.wait(
            None,
            assistant_id,
            input={"question": "q"},
            config={"configurable": {"tone": "dry"}},
            context={"tone": "x"},
        )
        assert values["seen"]["tone"] == "dry"
        assert values["seen"]["context"] == {"audience": "cfo", "tone": "x"}

        # The graph id still names the default assistant, which adds nothing.
        values = await client.runs.wait(None, "configured", input={"question": "q"})
        assert values["seen"] == {
            "tone": None,
            "assistant_id": assistant_id_for("configured"),
            "context": {},
        }


async def test_default_assistants_are_read_only_and_listed_in_registry_order(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        defaults = await client.assistants.search(limit=100)
        assert [a["graph_id"] for a in defaults] == REGISTERED
        assert all(a["metadata"]["created_by"] == "system" for a in defaults)
        mine = await client.assistants.create("chat", name="mine")
        # Newest first: a user assistant comes before the registry's.
        assert (await client.assistants.search(limit=1))[0]["assistant_id"] == mine["assistant_id"]
        async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
            for ref in ("chat", assistant_id_for("chat")):
                detail = _error(
                    await http.patch(f"/assistants/{ref}", json={"name": "x"}),
                    409,
                    "assistant_read_only",
                )
                assert "chat" in detail
                _error(await http.delete(f"/assistants/{ref}"), 409, "assistant_read_only")
                _error(
                    await http.post(f"/assistants/{ref}/latest", json={"version": 1}),
                    409,
                    "assistant_read_only",
                )
            versions = (await http.post("/assistants/chat/versions", json={})).json()
            assert [v["version"] for v in versions] == [1]
        assert (await client.assistants.get("chat"))["name"] == "chat"


async def test_conflicts_unknown_ids_and_bad_bodies(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        fixed = str(uuid.uuid4())
        first = await client.assistants.create("chat", assistant_id=fixed, name="first")
        with pytest.raises(ConflictError):
            await client.assistants.create("chat", assistant_id=fixed)
        same = await client.assistants.create("chat", assistant_id=fixed, if_exists="do_nothing")
        assert same == first

    ghost = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=server, headers=headers_for(server)) as http:
        _error(
            await http.post(
                "/assistants", json={"graph_id": "chat", "assistant_id": assistant_id_for("chat")}
            ),
            409,
            "assistant_exists",
        )
        assert "nope" in _error(
            await http.post("/assistants", json={"graph_id": "nope"}), 404, "graph_not_found"
        )
        _error(
            await http.patch(f"/assistants/{fixed}", json={"graph_id": "nope"}),
            404,
            "graph_not_found",
        )
        _error(
            await http.post("/assistants/search", json={"graph_id": "nope"}), 404, "graph_not_found"
        )
        for response in (
            await http.get(f"/assistants/{ghost}"),
            await http.patch(f"/assistants/{ghost}", json={"name": "x"}),
            await http.delete(f"/assistants/{ghost}"),
            await http.post(f"/assistants/{ghost}/versions", json={}),
            await http.post(f"/assistants/{ghost}/latest", json={"version": 1}),
            await http.get(f"/assistants/{ghost}/graph"),
            await http.get(f"/assistants/{ghost}/schemas"),
            await http.get(f"/assistants/{ghost}/subgraphs"),
        ):
            assert ghost in _error(response, 404, "assistant_not_found")
        assert "version 7" in _error(
            await http.post(f"/assistants/{fixed}/latest", json={"version": 7}),
            404,
            "assistant_version_not_found",
        )
        for body, field in (
            ({}, "graph_id"),
            ({"graph_id": "chat", "assistant_id": "not-a-uuid"}, "assistant_id"),
            ({"graph_id": "chat", "name": ""}, "name"),
            ({"graph_id": "chat", "config": {"recursion_limit": 0}}, "config.recursion_limit"),
            ({"graph_id": "chat", "metadata": [1]}, "metadata"),
            ({"graph_id": "chat", "if_exists": "update"}, "if_exists"),
        ):
            assert field in _error(
                await http.post("/assistants", json=body), 422, "invalid_request"
            )
        for path, body, field in (
            ("/assistants/search", {"limit": 0}, "limit"),
            ("/assistants/search", {"sort_by": "colour"}, "sort_by"),
            ("/assistants/search", {"select": ["secret"]}, "select"),
            ("/assistants/count", {"metadata": "x"}, "metadata"),
            (f"/assistants/{fixed}/versions", {"offset": -1}, "offset"),
            (f"/assistants/{fixed}/latest", {}, "version"),
            (f"/assistants/{fixed}/latest", {"version": 0}, "version"),
        ):
            assert field in _error(await http.post(path, json=body), 422, "invalid_request")
        assert "xray" in _error(
            await http.get("/assistants/chat/graph?xray=-1"), 422, "invalid_request"
        )
        assert (await http.get(f"/assistants/{fixed}")).json()["name"] == "first"


async def test_drawings_schemas_and_subgraphs_of_defaults_and_user_assistants(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        mine = await client.assistants.create("family", name="tree")
        for ref in ("family", mine["assistant_id"]):
            flat = await client.assistants.get_graph(ref)
            assert {node["id"] for node in flat["nodes"]} >= {"parent", "child", "done"}
            deep = await client.assistants.get_graph(ref, xray=True)
            assert any(node["id"].startswith("child:") for node in deep["nodes"])
            subgraphs = await client.assistants.get_subgraphs(ref)
            assert list(subgraphs) == ["child"]
            assert "trail" in subgraphs["child"]["input_schema"]["properties"]
            assert list(await client.assistants.get_subgraphs(ref, namespace="child")) == ["child"]
            schemas = await client.assistants.get_schemas(ref)
            assert (
                schemas["graph_id"] == "family" and "trail" in schemas["state_schema"]["properties"]
            )
        assert await client.assistants.get_subgraphs("chat") == {}
        context = (await client.assistants.get_schemas("configured"))["context_schema"]
        assert set(context["properties"]) == {"tone", "audience"}


async def test_search_pages_sorts_and_selects(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        for name in ("beta", "alpha", "gamma"):
            await client.assistants.create("chat", name=name, metadata={"batch": 1})
        page = await client.assistants.search(
            metadata={"batch": 1}, limit=2, response_format="object"
        )
        assert [a["name"] for a in page["assistants"]] == ["gamma", "alpha"] and page["next"] == "2"
        rest = await client.assistants.search(
            metadata={"batch": 1}, limit=2, offset=2, response_format="object"
        )
        assert [a["name"] for a in rest["assistants"]] == ["beta"] and rest["next"] is None
        by_name = await client.assistants.search(
            metadata={"batch": 1}, sort_by="name", sort_order="asc", select=["name", "version"]
        )
        assert by_name == [
            {"name": "alpha", "version": 1},
            {"name": "beta", "version": 1},
            {"name": "gamma", "version": 1},
        ]


async def test_deleting_with_threads_removes_the_threads_it_ran_on(server: str) -> None:
    async with get_client(url=server, api_key=key_for(server)) as client:
        mine = await client.assistants.create("chat")
        used = await client.threads.create()
        other = await client.threads.create()
        await client.runs.wait(used["thread_id"], mine["assistant_id"], input={"messages": []})
        await client.runs.wait(other["thread_id"], "chat", input={"messages": []})
        await client.assistants.delete(mine["assistant_id"], delete_threads=True)
        with pytest.raises(NotFoundError):
            await client.threads.get(used["thread_id"])
        assert (await client.threads.get(other["thread_id"]))["status"] == "idle"
        # The deleted assistant cannot run any more (runs.wait raises httpx's own error).
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.wait(other["thread_id"], mine["assistant_id"], input={"messages": []})
        assert refused.value.response.status_code == 404


async def test_assistants_survive_a_restart(serve_graphs: Callable[..., Any]) -> None:
    with serve_graphs(assistant_graph_specs(), FakeServices()) as url:
        async with get_client(url=url, api_key=key_for(url)) as client:
            mine = await client.assistants.create(
                "configured", config={"configurable": {"tone": "t"}}
            )
            await client.assistants.update(mine["assistant_id"], name="kept")
    with serve_graphs(assistant_graph_specs(), FakeServices()) as url:
        async with get_client(url=url, api_key=key_for(url)) as client:
            kept = await client.assistants.get(mine["assistant_id"])
            assert kept["name"] == "kept" and kept["version"] == 2
            defaults = await client.assistants.search(metadata={"created_by": "system"}, limit=100)
            assert [a["graph_id"] for a in defaults] == REGISTERED
            values = await client.runs.wait(None, mine["assistant_id"], input={"question": "q"})
            assert values["seen"]["tone"] == "t"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    with fresh_database("crm_agents_assistants") as url:
        yield url


async def test_assistants_on_postgresql(
    serve_graphs: Callable[..., Any], settings: Settings, postgres_url: str
) -> None:
    on_postgres = settings.model_copy(update={"database_url": postgres_url})
    with serve_graphs(assistant_graph_specs(), FakeServices(), settings=on_postgres) as url:
        await _lifecycle(url)
        async with get_client(url=url, api_key=key_for(url)) as client:
            mine = await client.assistants.create("configured", context={"audience": "board"})
            values = await client.runs.wait(None, mine["assistant_id"], input={"question": "q"})
            assert values["seen"]["context"] == {"audience": "board"}
    with serve_graphs(assistant_graph_specs(), FakeServices(), settings=on_postgres) as url:
        async with get_client(url=url, api_key=key_for(url)) as client:
            assert (await client.assistants.get(mine["assistant_id"]))["context"] == {
                "audience": "board"
            }
            assert await client.assistants.count(metadata={"created_by": "system"}) == len(
                REGISTERED
            )
