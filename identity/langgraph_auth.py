"""Bring your own auth: a ``langgraph_sdk.Auth`` object written for the LangGraph server,
used unchanged here.

A team moving from LangGraph Platform already has an ``auth.py`` with an ``@auth.authenticate``
handler and ``@auth.on...`` authorization handlers. The setting ``auth_path`` names it the way
``langgraph.json``'s ``auth.path`` does, and this module calls its handlers as the LangGraph
server does (langgraph-api's ``auth/custom.py``):

- ``authenticate`` passes the handler the request parts it asks for by parameter name and
  accepts every return shape the server accepts (a user id string, a dict with ``identity``
  and ``permissions``, an object with ``identity``, or a ``(permissions, user)`` pair).
- ``authorize`` picks the most specific handler, (resource, action), then (resource, "*"),
  then ("*", action), then the global ``@auth.on`` one, and reads its answer: None or True
  allow, False denies with 403, a dict is a filter on the resources' metadata.

The Auth object's registries (``_handlers``, ``_global_handlers``, ``_authenticate_handler``)
have no public accessor; the LangGraph server reads the same attributes, and the SDK is pinned
below 0.5 in pyproject.toml. See docs/SSO_AND_CUSTOM_AUTH.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlencode

from langgraph_sdk import Auth
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from identity.principal import ROLES, Principal, Role

if TYPE_CHECKING:
    from core.settings import Settings

Resource = Literal["threads", "assistants", "crons", "store", "runs"]
HandlerResource = Literal["threads", "assistants", "crons", "store"]

# The actions each resource's handlers may be registered for, as langgraph_sdk names them.
ACTIONS: dict[HandlerResource, frozenset[str]] = {
    "threads": frozenset({"create", "read", "update", "delete", "search", "create_run"}),
    "assistants": frozenset({"create", "read", "update", "delete", "search"}),
    "crons": frozenset({"create", "read", "update", "delete", "search"}),
    "store": frozenset({"put", "get", "search", "delete", "list_namespaces"}),
}
# Runs have no handlers of their own: the LangGraph server authorizes them as actions on their
# thread. Creating a run is "create_run"; reading, listing, joining or streaming one is "read"
# or "search"; cancelling is "update" (the value carries action interrupt/rollback); deleting
# is "delete".
RUN_ACTIONS: dict[str, str] = {
    "create": "create_run",
    "read": "read",
    "search": "search",
    "update": "update",
    "cancel": "update",
    "delete": "delete",
}

# The request parts an authenticate handler may ask for by parameter name (langgraph-api's
# SUPPORTED_PARAMETERS). ``user`` and ``scopes`` come from an earlier authentication there;
# authentication is this very step here, so they are None and [].
_REQUEST_PARAMETERS = frozenset(
    {
        "request",
        "body",
        "user",
        "path",
        "method",
        "scopes",
        "path_params",
        "query_params",
        "headers",
        "authorization",
        "scope",
    }
)
_ROLE_PERMISSION_PREFIX = "role:"


class CustomAuthError(Exception):
    """A handler of the configured Auth object refused the request (401, 403, or its own code)."""

    def __init__(
        self, status_code: int, detail: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = dict(headers or {})


class CustomAuthConfigurationError(Exception):
    """The configured Auth object cannot be used, or one of its handlers answered nonsense.

    A bug in the operator's auth module, not the caller's fault: the API answers 500 and
    the message says what to fix.
    """


@dataclass(frozen=True)
class RequestInfo:
    """The parts of an HTTP request an authenticate handler may read.

    ``headers`` keys are matched case-insensitively; ``request`` may carry the real Starlette
    request, which handlers asking for ``request`` then get; otherwise one is built from the
    other fields. ``body`` is the parsed JSON body when the caller read one.
    """

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Sequence[tuple[str, str]] | Mapping[str, str] = ()
    path_params: Mapping[str, str] = field(default_factory=dict)
    body: object = None
    request: Request | None = None

    def scope(self) -> dict[str, Any]:
        """The ASGI scope of this request, as the LangGraph server hands handlers ``scope``."""
        if self.request is not None:
            return cast(dict[str, Any], self.request.scope)
        pairs = list(self.query.items()) if isinstance(self.query, Mapping) else list(self.query)
        return {
            "type": "http",
            "method": self.method.upper(),
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": urlencode(pairs).encode(),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in self.headers.items()
            ],
            "path_params": dict(self.path_params),
        }


class HandlerUser:
    """The user object authorization handlers see as ``ctx.user``.

    Like the LangGraph server's proxy: ``identity``, ``display_name``, ``is_authenticated`` and
    ``permissions`` always exist; every other field the authenticate handler returned is
    reachable both as ``ctx.user.org_id`` and ``ctx.user["org_id"]``.
    """

    def __init__(self, source: object, permissions: Sequence[str]) -> None:
        self._source = source
        self._permissions = tuple(permissions)

    def _field(self, name: str) -> object:
        if isinstance(self._source, Mapping):
            if name in self._source:
                return self._source[name]
            raise AttributeError(name)
        return getattr(self._source, name)

    @property
    def identity(self) -> str:
        return str(self._field("identity"))

    @property
    def display_name(self) -> str:
        try:
            name = self._field("display_name")
        except AttributeError:
            return self.identity
        return str(name) if name else self.identity

    @property
    def is_authenticated(self) -> bool:
        try:
            return bool(self._field("is_authenticated"))
        except AttributeError:
            return True

    @property
    def permissions(self) -> Sequence[str]:
        return self._permissions

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._field(name)

    def __getitem__(self, key: str) -> object:
        if isinstance(self._source, Mapping):
            return self._source[key]
        try:
            return getattr(self._source, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        if isinstance(self._source, Mapping):
            return key in self._source
        return isinstance(key, str) and hasattr(self._source, key)

    def __iter__(self) -> Iterator[str]:
        if isinstance(self._source, Mapping):
            return iter(self._source)
        return iter(name for name in vars(self._source) if not name.startswith("_"))

    def get(self, key: str, default: object = None) -> object:
        return self[key] if key in self else default


@dataclass(frozen=True)
class AuthDecision:
    """What an authorization handler decided.

    ``filters`` (when allowed) restricts the request to resources whose metadata matches it;
    the store that serves the request turns it into query conditions (``filter_matches`` is the
    reference meaning). Handlers may also have changed the value they were given in place
    (stamping ``metadata["owner"]`` on a thread being created, for instance).
    """

    allowed: bool
    filters: dict[str, object] | None = None
    status_code: int = 200
    detail: str | None = None

    @classmethod
    def allow(cls, filters: dict[str, object] | None = None) -> AuthDecision:
        return cls(allowed=True, filters=filters or None)

    @classmethod
    def deny(cls, status_code: int = 403, detail: str = "Forbidden") -> AuthDecision:
        return cls(allowed=False, status_code=status_code, detail=detail)


Handler = Callable[..., Awaitable[object]]


class LangGraphAuth:
    """A configured ``langgraph_sdk.Auth`` object, called the way the LangGraph server calls it."""

    def __init__(self, auth: Auth, *, source: str = "<Auth object>") -> None:
        authenticate = auth._authenticate_handler
        if authenticate is None:
            raise CustomAuthConfigurationError(
                f"the Auth object {source} has no @auth.authenticate handler; every request "
                "must say who it is"
            )
        self._auth = auth
        self._source = source
        # Typed as async by the SDK, but a plain function works on the LangGraph server too
        # (it runs in a worker thread there, and here).
        self._authenticate: Callable[..., object] = authenticate
        self._parameters = _requested_parameters(authenticate, source=source)
        self._handler_cache: dict[tuple[str, str], Handler | None] = {}

    @classmethod
    def load(cls, path: str) -> LangGraphAuth:
        """The Auth object at ``path`` ('package.module:name' or './file.py:name')."""
        return cls(load_auth_object(path), source=path)

    async def authenticate(self, info: RequestInfo) -> Principal:
        """Who the request is, per the ``@auth.authenticate`` handler (``via="custom"``).

        Raises ``CustomAuthError`` with the handler's status code when it refuses.
        """
        arguments = _handler_arguments(self._parameters, info)
        try:
            if inspect.iscoroutinefunction(self._authenticate):
                returned = await self._authenticate(**arguments)
            else:
                returned = await asyncio.to_thread(self._authenticate, **arguments)
            if inspect.isawaitable(returned):
                returned = await returned
        except Auth.exceptions.HTTPException as error:
            raise CustomAuthError(error.status_code, error.detail, error.headers) from error
        except StarletteHTTPException as error:
            raise CustomAuthError(error.status_code, error.detail, error.headers) from error
        permissions, user = _normalise(returned, source=self._source)
        return principal_from_user(user)

    def handler_for(self, resource: HandlerResource, action: str) -> Handler | None:
        """The handler that decides (resource, action), most specific first."""
        key = (resource, action)
        if key not in self._handler_cache:
            handlers = self._auth._handlers
            found: Handler | None = None
            for candidate in (key, (resource, "*"), ("*", action), ("*", "*")):
                if candidate in handlers:
                    # The last registered wins, as on the LangGraph server.
                    found = handlers[candidate][-1]
                    break
            if found is None and self._auth._global_handlers:
                found = self._auth._global_handlers[-1]
            self._handler_cache[key] = found
        return self._handler_cache[key]

    async def authorize(
        self,
        principal: Principal,
        resource: Resource,
        action: str,
        value: dict[str, Any],
    ) -> AuthDecision:
        """Allowed, denied or allowed-with-a-filter, per the configured handlers.

        ``runs`` are authorized as their thread's actions (``RUN_ACTIONS``). No handler for
        the pair allows, as on the LangGraph server (write a global ``@auth.on`` to deny by
        default).
        """
        handler_resource, handler_action = handler_key(resource, action)
        handler = self.handler_for(handler_resource, handler_action)
        if handler is None:
            return AuthDecision.allow()
        user = handler_user(principal)
        context = Auth.types.AuthContext(
            permissions=list(user.permissions),
            user=user,
            resource=handler_resource,
            action=cast(Any, handler_action),
        )
        try:
            result = await handler(ctx=context, value=value)
        except Auth.exceptions.HTTPException as error:
            return AuthDecision.deny(error.status_code, error.detail)
        except AssertionError as error:
            # The LangGraph server reads a failed assert in a handler as a refusal.
            return AuthDecision.deny(403, str(error) or "Forbidden")
        if result is None or result is True:
            return AuthDecision.allow()
        if result is False:
            return AuthDecision.deny()
        if isinstance(result, dict):
            check_filter(result, source=f"{self._source} on {handler_resource}.{handler_action}")
            return AuthDecision.allow(result)
        raise CustomAuthConfigurationError(
            f"the {handler_resource}.{handler_action} handler of {self._source} returned "
            f"{type(result).__name__}; expected None, True, False or a filter dict"
        )


def handler_key(resource: Resource, action: str) -> tuple[HandlerResource, str]:
    """The (resource, action) a handler is registered for; runs map to their thread."""
    if resource == "runs":
        if action not in RUN_ACTIONS:
            raise ValueError(f"unknown action {action!r} on runs; known: {sorted(RUN_ACTIONS)}")
        return "threads", RUN_ACTIONS[action]
    if resource not in ACTIONS:
        raise ValueError(f"unknown resource {resource!r}; known: {sorted(ACTIONS)} and runs")
    if action not in ACTIONS[resource]:
        raise ValueError(
            f"unknown action {action!r} on {resource}; known: {sorted(ACTIONS[resource])}"
        )
    return resource, action


def load_auth_object(path: str) -> Auth:
    """The ``Auth`` instance a 'module:name' or 'file.py:name' path names."""
    module_name, separator, attribute = path.rpartition(":")
    if not separator or not module_name or not attribute:
        raise CustomAuthConfigurationError(
            f"auth path {path!r} must look like 'package.module:auth' or './auth.py:auth'"
        )
    try:
        if "/" in module_name or module_name.endswith(".py"):
            module = _module_from_file(Path(module_name))
        else:
            module = importlib.import_module(module_name)
    except (ImportError, OSError) as error:
        raise CustomAuthConfigurationError(
            f"auth path {path!r}: cannot import {module_name}: {error}"
        ) from error
    found = getattr(module, attribute, None)
    if found is None:
        raise CustomAuthConfigurationError(f"auth path {path!r}: {module_name} has no {attribute}")
    if not isinstance(found, Auth):
        raise CustomAuthConfigurationError(
            f"auth path {path!r} names a {type(found).__name__}, not a langgraph_sdk.Auth"
        )
    return found


def _module_from_file(file: Path) -> object:
    if not file.is_file():
        raise ImportError(f"no file {file}")
    resolved = file.resolve()
    name = f"crm_agents_custom_auth_{hashlib.sha256(str(resolved).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise ImportError(f"{file} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def langgraph_auth_from_settings(settings: Settings) -> LangGraphAuth | None:
    """The Auth object the settings name, or None when ``auth_path`` is unset."""
    if not settings.auth_path:
        return None
    try:
        return LangGraphAuth.load(settings.auth_path)
    except CustomAuthConfigurationError as exc:
        # Raised at start (composition root): the operator must know which setting to fix.
        raise CustomAuthConfigurationError(f"CRM_AGENTS_AUTH_PATH: {exc}") from exc


def _requested_parameters(handler: Callable[..., object], *, source: str) -> frozenset[str]:
    """The request parts the handler names; a required parameter we cannot supply is an error."""
    parameters = inspect.signature(handler).parameters
    unsupported = [
        name
        for name, parameter in parameters.items()
        if name not in _REQUEST_PARAMETERS and parameter.default is parameter.empty
    ]
    if unsupported:
        raise CustomAuthConfigurationError(
            f"the authenticate handler of {source} asks for {', '.join(unsupported)}; it may "
            f"ask for {', '.join(sorted(_REQUEST_PARAMETERS))}"
        )
    return frozenset(name for name in parameters if name in _REQUEST_PARAMETERS)


def _handler_arguments(parameters: frozenset[str], info: RequestInfo) -> dict[str, object]:
    """The arguments the handler asked for, shaped as the LangGraph server shapes them."""
    scope = info.scope()
    raw_headers: dict[bytes, bytes] = dict(scope["headers"])
    available: dict[str, Callable[[], object]] = {
        "scope": lambda: scope,
        "request": lambda: info.request if info.request is not None else Request(scope),
        "body": lambda: info.body,
        "user": lambda: None,
        "scopes": lambda: [],
        "path_params": lambda: dict(scope.get("path_params", {})),
        "path": lambda: scope["path"],
        "method": lambda: scope["method"],
        "query_params": lambda: QueryParams(scope["query_string"]),
        "headers": lambda: raw_headers,
        "authorization": lambda: _authorization(raw_headers),
    }
    return {name: available[name]() for name in parameters}


def _authorization(headers: Mapping[bytes, bytes]) -> str | None:
    value = headers.get(b"authorization")
    return value.decode("latin-1") if value is not None else None


def _normalise(returned: object, *, source: str) -> tuple[Sequence[str], HandlerUser]:
    """(permissions, user) from any return shape the LangGraph server accepts."""
    permissions: object
    user: object
    if isinstance(returned, tuple):
        if len(returned) != 2:
            raise CustomAuthConfigurationError(
                f"the authenticate handler of {source} returned a tuple of {len(returned)}; "
                "expected (permissions, user)"
            )
        permissions, user = returned
    elif isinstance(returned, Mapping):
        permissions, user = returned.get("permissions", ()), returned
    elif hasattr(returned, "permissions"):
        permissions, user = returned.permissions, returned
    else:
        permissions, user = (), returned
    if isinstance(user, str):
        user = {"identity": user}
    has_identity = (isinstance(user, Mapping) and "identity" in user) or (
        not isinstance(user, Mapping) and hasattr(user, "identity")
    )
    if not has_identity:
        raise CustomAuthConfigurationError(
            f"the authenticate handler of {source} returned {type(user).__name__} without an "
            "identity; return a user id string, a dict with 'identity', or an object with one"
        )
    if isinstance(permissions, str) or not isinstance(permissions, Sequence | frozenset | set):
        raise CustomAuthConfigurationError(
            f"the authenticate handler of {source} returned permissions of type "
            f"{type(permissions).__name__}; expected a list of strings"
        )
    granted = [str(permission) for permission in permissions]
    return granted, HandlerUser(user, granted)


def roles_of(user: HandlerUser) -> frozenset[Role]:
    """The roles a custom user has: permissions 'role:<name>' and a 'roles' field, if any.

    Names this server does not know are dropped. A user with none is still authenticated:
    the Auth object's own handlers decide about threads, runs, assistants, crons and the store,
    and our policy gives no role-bound access (CRM, governance, calibration) without a role.
    """
    names = {
        permission.removeprefix(_ROLE_PERMISSION_PREFIX)
        for permission in user.permissions
        if permission.startswith(_ROLE_PERMISSION_PREFIX)
    }
    declared = user.get("roles")
    if isinstance(declared, str):
        names.add(declared)
    elif isinstance(declared, Sequence | frozenset | set):
        names.update(str(name) for name in declared)
    return frozenset(role for role in ROLES if role in names)


def principal_from_user(user: HandlerUser) -> Principal:
    """The principal a custom handler's user becomes; the user object rides in ``extra``."""
    team = user.get("team")
    rep_id = user.get("rep_id")
    territories = user.get("territories")
    display_name = user.display_name
    return Principal(
        user_id=user.identity,
        name=user.identity,
        roles=roles_of(user),
        via="custom",
        team=team if isinstance(team, str) else None,
        territories=(
            tuple(str(name) for name in territories)
            if isinstance(territories, Sequence) and not isinstance(territories, str)
            else ()
        ),
        rep_id=rep_id if isinstance(rep_id, str) else None,
        display_name=display_name if display_name != user.identity else None,
        extra={"permissions": tuple(user.permissions), "langgraph_user": user},
    )


def handler_user(principal: Principal) -> HandlerUser:
    """``ctx.user`` for a principal: the custom handler's own user, or one built from ours.

    A principal signed in another way (session, API key, SSO) still meets the Auth object's
    authorization handlers: its identity is the user id, its permissions 'role:<name>'.
    """
    own = principal.extra.get("langgraph_user")
    if isinstance(own, HandlerUser):
        return own
    fields = {
        "identity": principal.user_id,
        "display_name": principal.display_name or principal.name,
        "is_authenticated": True,
        "roles": sorted(principal.roles),
        "team": principal.team,
        "territories": list(principal.territories),
        "rep_id": principal.rep_id,
        "via": principal.via,
    }
    permissions = [f"{_ROLE_PERMISSION_PREFIX}{role}" for role in sorted(principal.roles)]
    return HandlerUser(fields, permissions)


_OPERATORS = frozenset({"$eq", "$contains"})


def check_filter(filters: Mapping[str, object], *, source: str = "filter") -> None:
    """Raise ``CustomAuthConfigurationError`` unless ``filters`` is a LangGraph filter dict."""
    for key, condition in filters.items():
        if not isinstance(key, str):
            raise CustomAuthConfigurationError(f"{source}: filter key {key!r} is not a string")
        if isinstance(condition, Mapping):
            if len(condition) != 1 or next(iter(condition)) not in _OPERATORS:
                raise CustomAuthConfigurationError(
                    f"{source}: the condition on {key!r} must be one of "
                    f"{{'$eq': v}} or {{'$contains': v}}, got {dict(condition)!r}"
                )


def filter_matches(filters: Mapping[str, object], metadata: Mapping[str, object]) -> bool:
    """Whether a resource's metadata passes a LangGraph filter dict (every key must hold).

    ``{"k": v}`` and ``{"k": {"$eq": v}}``: the metadata's ``k`` equals ``v``.
    ``{"k": {"$contains": v}}``: the metadata's ``k`` is a list holding ``v`` (or, when ``v``
    is a list, every item of it, as PostgreSQL's ``@>`` does).
    """
    check_filter(filters)
    for key, condition in filters.items():
        if isinstance(condition, Mapping):
            operator, expected = next(iter(condition.items()))
        else:
            operator, expected = "$eq", condition
        if key not in metadata:
            return False
        actual = metadata[key]
        if operator == "$eq":
            if actual != expected:
                return False
        else:
            if not isinstance(actual, list | tuple):
                return False
            wanted = expected if isinstance(expected, list | tuple) else [expected]
            if not all(item in actual for item in wanted):
                return False
    return True
