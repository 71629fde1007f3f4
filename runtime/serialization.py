"""JSON encoding of graph output: messages, pydantic models, interrupts, dataclasses."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson
from langgraph.types import Send
from pydantic import BaseModel

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(obj: Any) -> Any:
    # LangChain messages are pydantic models: their model_dump is the LangGraph server's shape.
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    if isinstance(obj, Decimal):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {field.name: getattr(obj, field.name) for field in dataclasses.fields(obj)}
    if isinstance(obj, Send):  # a plain class with slots, not a dataclass
        return {"node": obj.node, "arg": obj.arg}
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(type(obj).__qualname__)  # orjson words it "Type is not JSON serializable"


def _lenient_default(obj: Any) -> Any:
    try:
        return _default(obj)
    except TypeError:
        return repr(obj)


def dumps(obj: Any, *, lenient: bool = False) -> bytes:
    """Encode ``obj`` as compact UTF-8 JSON; :class:`TypeError` for values JSON cannot hold,
    unless ``lenient``: then they become their ``repr`` (for diagnostics such as ``events``,
    which carry whatever LangChain callbacks saw)."""
    return orjson.dumps(obj, default=_lenient_default if lenient else _default, option=_OPTIONS)


def to_json_value(obj: Any) -> Any:
    """``obj`` as plain JSON values (dicts, lists, strings, numbers), e.g. for a JSON column."""
    return orjson.loads(dumps(obj))
