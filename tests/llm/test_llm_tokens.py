"""Token counting, offline: tiktoken's encodings come from litellm's wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tiktoken
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from llm.tokens import REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, count_message_tokens, count_tokens

ROOT = Path(__file__).resolve().parents[2]


def test_count_tokens_with_the_default_encoding() -> None:
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("hello world") == len(
        tiktoken.get_encoding("cl100k_base").encode("hello world")
    )


@pytest.mark.parametrize("model", ["gpt-4o", "openai/gpt-4o"])
def test_a_known_model_uses_its_own_encoding(model: str) -> None:
    text = "Ventilators für kleine Kliniken 🚑"
    assert count_tokens(text, model) == len(tiktoken.get_encoding("o200k_base").encode(text))


def test_an_unknown_model_falls_back_to_cl100k() -> None:
    assert count_tokens("hello world", "local/smollm2") == count_tokens("hello world")


def test_special_token_text_is_counted_not_rejected() -> None:
    assert count_tokens("<|endoftext|>") > 1


def test_message_tokens_add_the_chat_overhead() -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}]
    content = (
        count_tokens("system")
        + count_tokens("Be brief.")
        + count_tokens("user")
        + count_tokens("Hi there")
    )
    assert count_message_tokens(messages) == content + 2 * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS
    assert count_message_tokens([]) == REPLY_PRIMING_TOKENS


def test_message_tokens_accept_langchain_messages_and_content_parts() -> None:
    as_dicts = [{"role": "human", "content": "Hi there"}, {"role": "ai", "content": "Hello."}]
    as_langchain = [HumanMessage("Hi there"), AIMessage("Hello.")]
    assert count_message_tokens(as_langchain) == count_message_tokens(as_dicts)
    parts = [SystemMessage(content=[{"type": "text", "text": "Be brief."}])]
    assert count_message_tokens(parts) == count_message_tokens(
        [{"role": "system", "content": "Be brief."}]
    )


def test_a_name_costs_tokens() -> None:
    plain = count_message_tokens([{"role": "user", "content": "Hi"}])
    named = count_message_tokens([{"role": "user", "content": "Hi", "name": "rep"}])
    assert named == plain + 1 + count_tokens("rep")


def test_counting_works_offline_with_an_empty_cache(tmp_path: Path) -> None:
    # A fresh interpreter with no network, an empty HOME and temp folder (where tiktoken would
    # cache a download) and no TIKTOKEN_CACHE_DIR: the encodings must come from litellm's wheel.
    script = textwrap.dedent(
        """
        import socket

        def refuse(self, address):
            raise OSError(f"network blocked: {address!r}")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse

        from llm.tokens import count_tokens

        print(count_tokens("hello world"), count_tokens("hello world", "gpt-4o"))
        """
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TIKTOKEN_CACHE_DIR", "CUSTOM_TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"}
    }
    env.update(
        HOME=str(tmp_path / "home"),
        TMPDIR=str(tmp_path / "tmp"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    for folder in ("home", "tmp", "cache"):
        (tmp_path / folder).mkdir()
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "2"]
    assert not any((tmp_path / "tmp").iterdir())  # nothing downloaded into tiktoken's default cache
