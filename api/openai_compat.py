"""OpenAI-compatible routes: ``GET /v1/models`` and ``POST /v1/chat/completions``.

Each assistant is a model: a registered graph's default assistant is named by its graph id
(its uuid5 assistant id is accepted too), a user-created assistant by its assistant id. A chat
completion is a *stateless* run: OpenAI clients send the whole conversation every time, which
is exactly a run on a temporary thread (deleted when it ends); the messages become the graph's
``{"messages": [...]}`` input. Streamed answers carry the run's streamed text (its
``messages-tuple`` token events) as ``delta.content``: the agents stream only checked
sentences that their final answer starts with (``agents.checked_stream``), so the stream then
sends the rest of the final answer (the last AI message of the state, which is what a
non-streamed answer holds) and the client ends up with exactly that answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.crm import OverviewsDep, known_rep
from api.deps import AssistantsDep, ExecutorDep
from api.errors import ApiError, error_responses
from api.openai_errors import OpenAIErrorRoute, openai_error, openai_error_responses
from api.openai_schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    Model,
    ModelList,
    Usage,
)
from api.permissions import permission
from api.run_identity import RunActorDep
from api.streaming import HEARTBEAT_SECONDS
from llm.messages import message_text
from llm.tokens import count_message_tokens, count_tokens
from runtime.executor import RunExecutor, StartedRun
from runtime.records import AssistantRecord
from runtime.run_request import RunRequest

# A graph of one's own may stream text its final answer does not start with; the stream cannot
# take it back, so the final answer follows this separator. The registered agents never do
# (tests/api/test_api_streamed_answers.py asserts it over the scenario suite's questions).
REPLACED_DRAFT_SEPARATOR = "\n\n---\n\n"
DONE = "[DONE]"
logger = logging.getLogger(__name__)
# Listing reads every assistant; this bounds it (1,000 per page).
MAX_MODEL_PAGES = 10

router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIErrorRoute)


def _model(record: AssistantRecord) -> Model:
    # A graph's default assistant is named by its graph id, user-created ones by their own id.
    return Model(
        id=record.graph_id if record.system else record.assistant_id,
        created=int(record.created_at.timestamp()),
    )


@router.get(
    "/models",
    response_model=ModelList,
    summary="List the agents as models",
    dependencies=[permission("assistants:read")],
)
async def list_models(assistants: AssistantsDep) -> ModelList:
    """One model per assistant: a registered graph by its graph id, a user-created assistant
    by its assistant id."""
    models: list[Model] = []
    for page in range(MAX_MODEL_PAGES):
        records, more = await assistants.search(
            limit=1000, offset=page * 1000, sort_by="created_at", sort_order="asc"
        )
        models += [_model(record) for record in records]
        if not more:
            break
    return ModelList(data=models)


@router.get(
    "/models/{model}",
    response_model=Model,
    summary="Get an agent as a model",
    responses=openai_error_responses(404, 422),
    dependencies=[permission("assistants:read")],
)
async def get_model(model: str, assistants: AssistantsDep) -> Model:
    """The model named by graph id or assistant id (a graph's default assistant answers with
    its graph id)."""
    try:
        record = await assistants.get(model)
    except LookupError as exc:
        raise _unknown_model(model) from exc
    return _model(record)


def _unknown_model(model: str) -> ApiError:
    return ApiError(
        404,
        "model_not_found",
        f"The model {model!r} does not exist: use a graph id or assistant id from GET /v1/models",
    )


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="Chat with an agent (OpenAI-compatible)",
    responses={
        **openai_error_responses(400, 404, 422, 500),
        **error_responses(413, 415),  # from the body guard, in the API's own shape
        200: {
            "description": "The answer; with `stream: true`, `data:` lines of "
            "`chat.completion.chunk` objects and a final `data: [DONE]`.",
            "content": {"text/event-stream": {}},
        },
    },
    dependencies=[permission("agents:run")],
)
async def chat_completions(
    body: ChatCompletionRequest, executor: ExecutorDep, overviews: OverviewsDep, actor: RunActorDep
) -> Response:
    """Run the agent named by ``model`` on ``messages`` (a stateless run), streamed or not.

    The run acts for the API key's (or token's) owner and sees only their accounts. A ``user``
    that is a rep's id (``GET /crm/reps``) is the rep "my accounts" means, unless the caller is
    a rep: then it is always themselves.
    """
    metadata: dict[str, Any] = dict(body.metadata or {})
    if body.user:
        metadata["user"] = body.user
    rep = await known_rep(overviews, body.user)
    request = RunRequest(
        assistant_id=body.model,
        input={"messages": [message.graph_message() for message in body.messages]},
        config=actor.apply({"configurable": {"rep_id": rep}} if rep else {}),
        metadata=metadata,
        stream_mode=("messages-tuple",) if body.stream else ("values",),
        on_disconnect="cancel",
        owner=actor.principal.user_id,
    )
    try:
        started = await executor.start(request, thread_id=None)
    except LookupError as exc:
        raise _unknown_model(body.model) from exc
    completion = _Completion(
        id=f"chatcmpl-{started.run.run_id}", created=int(time.time()), model=body.model
    )
    if body.stream:
        return EventSourceResponse(
            _stream(started, executor, body, completion), ping=HEARTBEAT_SECONDS, sep="\n"
        )
    outcome = await asyncio.shield(started.outcome)
    values = orjson.loads(outcome.output)
    failure = _failure(outcome.status, values)
    if failure is not None:
        return openai_error(500, failure, "run_failed")
    answer = final_answer(values)
    usage = await anyio.to_thread.run_sync(_usage, body, answer)
    return JSONResponse(
        completion.whole(answer, usage).model_dump(mode="json"),
        headers={"Content-Location": f"/runs/{started.run.run_id}"},
    )


class _Completion:
    """The identity every object of one answer shares."""

    def __init__(self, *, id: str, created: int, model: str) -> None:
        self.id, self.created, self.model = id, created, model

    def whole(self, answer: str, usage: Usage) -> ChatCompletion:
        return ChatCompletion(
            id=self.id,
            created=self.created,
            model=self.model,
            usage=usage,
            choices=[Choice(message=AssistantMessage(content=answer))],
        )

    def chunk(
        self, delta: Delta | None, *, finish: bool = False, usage: Usage | None = None
    ) -> ServerSentEvent:
        choices = (
            []
            if delta is None
            else [ChunkChoice(delta=delta, finish_reason="stop" if finish else None)]
        )
        item = ChatCompletionChunk(
            id=self.id, created=self.created, model=self.model, choices=choices, usage=usage
        )
        return ServerSentEvent(data=item.model_dump_json())


async def _stream(
    started: StartedRun, executor: RunExecutor, body: ChatCompletionRequest, completion: _Completion
) -> AsyncIterator[ServerSentEvent]:
    finished = False
    streamed: list[str] = []
    try:
        yield completion.chunk(Delta(role="assistant", content=""))
        async for event in started.events:
            if event.event == "messages":
                text = _token_text(orjson.loads(event.data)[0])
                if text:
                    streamed.append(text)
                    yield completion.chunk(Delta(content=text))
        outcome = await asyncio.shield(started.outcome)
        values = orjson.loads(outcome.output)
        failure = _failure(outcome.status, values)
        finished = True
        if failure is not None:
            error = {
                "message": failure,
                "type": "server_error",
                "param": None,
                "code": "run_failed",
            }
            yield ServerSentEvent(data=orjson.dumps({"error": error}).decode())
            return
        answer = final_answer(values)
        rest = remaining_text("".join(streamed), answer)
        if rest:
            yield completion.chunk(Delta(content=rest))
        yield completion.chunk(Delta(), finish=True)
        if body.include_usage:
            usage = await anyio.to_thread.run_sync(_usage, body, answer)
            yield completion.chunk(None, usage=usage)
        yield ServerSentEvent(data=DONE)
    finally:
        if not finished:
            # Nobody else can read a stateless run: a client that leaves ends it.
            executor.cancel(started.run.run_id)


def _token_text(message: Any) -> str:
    # Only streamed model tokens: whole messages in the stream are node outputs (the user's
    # input echoed, tool results, the final answer), which the end of the stream accounts for.
    if not isinstance(message, Mapping) or message.get("type") != "AIMessageChunk":
        return ""
    return message_text(message.get("content"))


def _failure(status: str, values: Any) -> str | None:
    if isinstance(values, Mapping) and "__error__" in values:
        error = values["__error__"] or {}
        return f"the agent's run failed: {error.get('error')}: {error.get('message')}"
    if status != "success":
        return f"the agent's run ended {status}"
    return None


def final_answer(values: Any) -> str:
    """The text of the last AI message in the final state ("" when the agent wrote none)."""
    messages = values.get("messages") if isinstance(values, Mapping) else None
    for message in reversed(messages or []):
        if isinstance(message, Mapping) and message.get("type") in ("ai", "AIMessageChunk"):
            return message_text(message.get("content"))
    return ""


def remaining_text(streamed: str, answer: str) -> str:
    """What to send after ``streamed`` so the client ends up with ``answer``."""
    if not streamed:
        return answer
    if answer.startswith(streamed):
        return answer[len(streamed) :]
    if not answer or streamed.strip() == answer.strip():
        return ""
    logger.warning("the streamed text is not the start of the final answer; sending it whole")
    return REPLACED_DRAFT_SEPARATOR + answer


def _usage(body: ChatCompletionRequest, answer: str) -> Usage:
    prompt = count_message_tokens([message.graph_message() for message in body.messages])
    completion = count_tokens(answer)
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )
