"""Bodies of the OpenAI-compatible routes, with OpenAI's field names and object shapes.

Only what the agents can honour is read from a request; sampling options (``temperature``,
``max_tokens``, ``tools``...) are accepted and ignored, because each agent runs its own model
with its own settings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from llm.messages import message_text

ChatRole = Literal["system", "developer", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "tool_calls", "content_filter"]


class _Request(BaseModel):
    # OpenAI clients send many options an agent does not take; they are ignored, not refused.
    model_config = ConfigDict(extra="ignore")


class ChatMessageIn(_Request):
    """One message of the conversation the client sends (its whole history, every time)."""

    role: ChatRole
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None

    @field_validator("content")
    @classmethod
    def _text_only(cls, value: Any) -> Any:
        # Content parts: the agents read text, so an image or audio part would be lost silently.
        if isinstance(value, list):
            kinds = {part.get("type") for part in value}
            if kinds - {"text"} or not all(isinstance(p.get("text"), str) for p in value):
                raise ValueError(
                    'only text content parts ({"type": "text", "text": ...}) are supported'
                )
        return value

    def graph_message(self) -> dict[str, Any]:
        """The message as the graph's ``messages`` input takes it (LangChain coerces the role)."""
        message: dict[str, Any] = {"role": self.role, "content": message_text(self.content)}
        for key in ("name", "tool_calls", "tool_call_id"):
            value = getattr(self, key)
            if value is not None:
                message[key] = value
        return message


class StreamOptions(_Request):
    include_usage: bool = False


class ChatCompletionRequest(_Request):
    """Body of ``POST /v1/chat/completions``; ``model`` is an assistant id or a graph id."""

    model: str = Field(min_length=1, description="Assistant id or graph id of the agent.")
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1, le=1, description="Only one choice is produced.")
    user: str | None = None
    metadata: dict[str, str] | None = Field(
        None, description="Stored as the run's metadata (the run itself is stateless)."
    )

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    refusal: str | None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: FinishReason = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    """A whole answer (``stream: false``)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None


class Delta(BaseModel):
    """What a chunk adds to the answer; absent fields are left out, as OpenAI does."""

    role: Literal["assistant"] | None = None
    content: str | None = None

    @model_serializer(mode="wrap")
    def _present(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if value is not None}


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: FinishReason | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One ``data:`` line of a streamed answer (``stream: true``)."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None


class Model(BaseModel):
    """An agent, as OpenAI lists a model; its id is the graph id."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "crm-agents"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorBody(BaseModel):
    """Errors of the ``/v1`` routes, in OpenAI's shape so its clients raise the right error."""

    error: OpenAIErrorDetail
