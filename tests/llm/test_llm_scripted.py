"""The scripted model, called through litellm exactly as agents call a real one."""

from __future__ import annotations

import json

import litellm
import pytest

from llm.errors import ModelRequestError, UnplannedModelCallError
from llm.scripted import (
    ScriptedReply,
    ScriptedToolCall,
    default_reply,
    first_sentence,
    scripted_model,
    set_strict_default,
    split_pieces,
)

MESSAGES = [{"role": "user", "content": "Which ventilator fits a small clinic? Budget is tight."}]


def _text(response: litellm.ModelResponse) -> str:
    return response.choices[0].message.content


def test_default_reply_echoes_the_first_sentence_of_the_last_user_message() -> None:
    messages = [
        {"role": "user", "content": "An older question."},
        {"role": "assistant", "content": "An answer."},
        *MESSAGES,
    ]
    assert default_reply(messages) == "Scripted reply: Which ventilator fits a small clinic?"


def test_default_reply_prefers_the_context_section() -> None:
    content = "Answer from the context.\nContext:\nThe V60 weighs 9 kg. It runs on batteries.\n"
    assert (
        default_reply([{"role": "user", "content": content}])
        == "Scripted reply: The V60 weighs 9 kg."
    )


def test_default_reply_reads_content_parts_and_survives_no_user_message() -> None:
    parts = [{"type": "text", "text": "First part. "}, {"type": "image_url", "image_url": {}}]
    assert default_reply([{"role": "user", "content": parts}]) == "Scripted reply: First part."
    assert default_reply([{"role": "system", "content": "Be brief."}]) == "Scripted reply."


def test_first_sentence_is_cut_at_a_word_limit() -> None:
    assert first_sentence("one two three four", max_words=2) == "one two"
    assert first_sentence("  spaced \n out.  Next.") == "spaced out."


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Hello there world", ["Hello ", "there ", "world"]),
        ("  leading and trailing  ", ["  leading ", "and ", "trailing  "]),
        ("line\nbreak", ["line\n", "break"]),
        ("", []),
        ("   ", ["   "]),
    ],
)
def test_split_pieces_keeps_every_character(text: str, pieces: list[str]) -> None:
    assert split_pieces(text) == pieces
    assert "".join(split_pieces(text)) == text


def test_planned_replies_come_in_order_then_the_default() -> None:
    with scripted_model(["first", ScriptedReply(text="second")]) as script:
        replies = [
            _text(litellm.completion(model="scripted/a", messages=MESSAGES)) for _ in range(3)
        ]
    assert replies == ["first", "second", default_reply(MESSAGES)]
    assert script.remaining == 0
    assert [call.model for call in script.calls] == ["scripted/a"] * 3


def test_a_rule_answers_once_the_replies_run_out() -> None:
    def rule(messages: list[dict]) -> str:
        return f"{len(messages)} message(s)"

    with scripted_model(["planned"], rule=rule):
        first = _text(litellm.completion(model="scripted/a", messages=MESSAGES))
        second = _text(litellm.completion(model="scripted/a", messages=MESSAGES * 2))
    assert (first, second) == ("planned", "2 message(s)")


def test_a_callable_in_the_replies_sees_the_messages() -> None:
    with scripted_model([lambda messages: messages[-1]["content"].upper()]):
        assert (
            _text(litellm.completion(model="scripted/a", messages=MESSAGES))
            == MESSAGES[0]["content"].upper()
        )


def test_calls_are_recorded_with_messages_and_options() -> None:
    with scripted_model(["ok"]) as script:
        litellm.completion(model="scripted/a", messages=MESSAGES, temperature=0.2, max_tokens=7)
    (call,) = script.calls
    assert call.messages == MESSAGES
    assert call.params["temperature"] == 0.2
    assert call.params["max_tokens"] == 7
    assert call.stream is False
    assert call.reply == ScriptedReply(text="ok")


def test_usage_counts_prompt_and_reply_tokens() -> None:
    with scripted_model(["three token reply"]):
        usage = litellm.completion(model="scripted/a", messages=MESSAGES).usage
    assert usage.completion_tokens == 3
    assert usage.prompt_tokens > 10
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_yields_one_chunk_per_piece() -> None:
    with scripted_model(["Budget fits the V60 ventilator."]):
        chunks = list(litellm.completion(model="scripted/a", messages=MESSAGES, stream=True))
    texts = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices[0].delta.content]
    assert texts == ["Budget ", "fits ", "the ", "V60 ", "ventilator."]
    assert chunks[-1].choices[0].finish_reason == "stop"


@pytest.mark.anyio
async def test_async_completion_and_stream() -> None:
    with scripted_model(["whole reply", "streamed reply here"]) as script:
        response = await litellm.acompletion(model="scripted/a", messages=MESSAGES)
        stream = await litellm.acompletion(model="scripted/a", messages=MESSAGES, stream=True)
        pieces = [chunk.choices[0].delta.content async for chunk in stream]
    assert _text(response) == "whole reply"
    assert [p for p in pieces if p] == ["streamed ", "reply ", "here"]
    assert [call.stream for call in script.calls] == [False, True]


def test_a_planned_error_is_raised_through_litellm() -> None:
    refusal = ModelRequestError("model refused", status_code=400)
    with (
        scripted_model([refusal]) as script,
        pytest.raises(litellm.BadRequestError, match="refused"),
    ):
        litellm.completion(model="scripted/a", messages=MESSAGES)
    assert isinstance(script.calls[0].error, ModelRequestError)


def test_a_planned_error_is_raised_before_a_stream_starts() -> None:
    # Raised by the call, not by the first chunk: that is where litellm retries and falls back.
    refusal = ModelRequestError("model refused", status_code=400)
    with scripted_model([refusal]), pytest.raises(litellm.BadRequestError):
        litellm.completion(model="scripted/a", messages=MESSAGES, stream=True)


def test_strict_mode_fails_an_unplanned_call_at_the_call_and_at_the_end() -> None:
    with (
        pytest.raises(UnplannedModelCallError, match="1 unplanned call"),
        scripted_model(["only one"], strict=True) as script,
    ):
        assert _text(litellm.completion(model="scripted/a", messages=MESSAGES)) == "only one"
        with pytest.raises(litellm.BadRequestError, match="unplanned call to 'scripted/a'"):
            litellm.completion(model="scripted/a", messages=MESSAGES)
    assert len(script.unplanned) == 1


def test_strict_mode_with_a_rule_has_no_unplanned_calls() -> None:
    with scripted_model(strict=True, rule=lambda messages: "ruled") as script:
        assert _text(litellm.completion(model="scripted/a", messages=MESSAGES)) == "ruled"
    assert script.unplanned == []


def test_the_strict_default_fails_calls_outside_any_script() -> None:
    set_strict_default(True)
    try:
        with pytest.raises(litellm.BadRequestError, match="unplanned"):
            litellm.completion(model="scripted/a", messages=MESSAGES)
    finally:
        set_strict_default(False)
    assert _text(litellm.completion(model="scripted/a", messages=MESSAGES)) == default_reply(
        MESSAGES
    )


def test_the_innermost_script_answers() -> None:
    with scripted_model(["outer"]) as outer:
        with scripted_model(["inner"]):
            assert _text(litellm.completion(model="scripted/a", messages=MESSAGES)) == "inner"
        assert _text(litellm.completion(model="scripted/a", messages=MESSAGES)) == "outer"
    assert len(outer.calls) == 1


def test_tool_calls_non_streamed_and_streamed() -> None:
    call = ScriptedToolCall("lookup_product", {"sku": "V60"})
    reply = ScriptedReply(text="", tool_calls=(call,))
    with scripted_model([reply, reply]):
        message = litellm.completion(model="scripted/a", messages=MESSAGES).choices[0].message
        chunks = list(litellm.completion(model="scripted/a", messages=MESSAGES, stream=True))
    assert message.tool_calls[0].function.name == "lookup_product"
    assert json.loads(message.tool_calls[0].function.arguments) == {"sku": "V60"}
    assert message.tool_calls[0].id == "call_0"
    streamed = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert streamed[0][0].function.name == "lookup_product"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
