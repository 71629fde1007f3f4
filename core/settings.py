"""The one settings object. Nothing else in the project reads ``os.environ`` for configuration."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL_MODEL = "local/qwen2.5-coder-0.5b"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
"""Listening addresses that mean every interface: reachable from other machines."""


class Settings(BaseSettings):
    """Configuration from ``CRM_AGENTS_*`` environment variables (or a ``.env`` file).

    Every default is embedded and offline: SQLite and Chroma under ``data_dir`` and the
    Qwen2.5-Coder-0.5B model running in-process.
    """

    model_config = SettingsConfigDict(env_prefix="CRM_AGENTS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file, Chroma and keys.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the CRM database; default sqlite:///<data_dir>/crm.db."
    )
    chroma_path: Path | None = Field(
        None, description="Embedded Chroma folder; default <data_dir>/chroma."
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server; overrides chroma_path."
    )

    model: str = Field(
        LOCAL_MODEL,
        description="litellm model string used by the agents; local/<name> picks an embedded "
        "model: local/qwen2.5-coder-0.5b, local/qwen2.5-coder-1.5b or local/smollm2.",
    )
    model_api_base: str | None = Field(None, description="api_base for OpenAI-compatible servers.")
    model_api_key: SecretStr | None = Field(None, description="API key for a hosted model.")
    model_timeout: float = Field(120.0, gt=0, description="Seconds before a model call times out.")
    model_max_retries: int = Field(2, ge=0, description="Retries on transient model errors.")
    model_fallbacks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated litellm models tried in order on failure.",
    )
    model_max_tokens: int = Field(512, gt=0, description="Default cap on generated tokens.")
    judge_model: str | None = Field(
        None,
        description="litellm model string of the judge for ragas' LLM-judged Q&A metrics "
        "(faithfulness, answer relevancy); unset: only the metrics that need no model.",
    )
    local_model_path: Path | None = Field(
        None,
        description="A GGUF file of your own serving every local/<name> model; default: the "
        "embedded model CRM_AGENTS_MODEL names, from its installed packages.",
    )
    local_model_cache_dir: Path | None = Field(
        None,
        description="Folder where an embedded model delivered in parts is joined and verified; "
        "default ~/.cache/crm-agents/models.",
    )
    local_model_context: int = Field(4096, ge=512, description="Context window of the local model.")
    local_model_threads: int = Field(
        1, ge=1, description="Inference threads (1 is fastest on 2 cores)."
    )

    host: str = Field("127.0.0.1", description="Address the server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    max_request_bytes: int = Field(1_000_000, gt=0, description="Largest accepted request body.")
    warm_up: bool = Field(
        True,
        description="Warm the agents at start in the background (graphs, memory, local model), "
        "so the first answer is as fast as later ones; /info says when they are ready.",
    )
    seed: int = Field(20261125, description="Seed of the demo dataset generator.")
    governance_key_dir: Path | None = Field(
        None,
        description="Folder of the ledger's Ed25519 signing key and the consent hashing key "
        "(created on first run); default <data_dir>/keys.",
    )
    session_hours: float = Field(
        12.0, gt=0, le=24 * 30, description="Hours a sign-in session lasts before signing in again."
    )
    sign_in_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins in a row that lock an account for a while."
    )
    sign_in_lockout_minutes: float = Field(
        15.0, gt=0, description="Minutes an account stays locked after too many failed sign-ins."
    )
    rep_sharing: Literal["owned", "team"] = Field(
        "team",
        description="Accounts a rep sees: 'owned' (their own) or 'team' (also their team's).",
    )

    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS),
        description="Comma-separated host names the server answers to (the Host header; "
        "`*.example.com` matches subdomains); CRM_AGENTS_HOST is added when it is not a "
        "wildcard address. Other names get 400, which stops DNS rebinding.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins (https://app.example.com) whose pages may call the "
        "API from a browser; empty: CORS is off and only this server's own pages may.",
    )
    outbound_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated host names or addresses/CIDRs (10.0.0.0/8) that webhooks "
        "may reach although they are loopback, private or link-local; by default only public "
        "addresses are called.",
    )
    rate_limit: str = Field(
        "600/minute",
        description="Requests one client may make (per address; per API key or user once "
        "signed in), moving window, as `N/second|minute|hour|day`; /ok and static files are "
        "not counted.",
    )
    sign_in_rate_limit: str = Field(
        "10/minute", description="Sign-in attempts allowed per sign-in name, as rate_limit."
    )

    # Single sign-on: tokens from the company's identity provider, verified offline
    # (docs/SSO_AND_CUSTOM_AUTH.md). Off until a key set is configured.
    sso_jwks_path: Path | None = Field(
        None,
        description="JSON Web Key Set file of the identity provider's public keys; turns on "
        "SSO tokens (RS256 or ES256), verified offline.",
    )
    sso_jwks_url: str | None = Field(
        None,
        description="URL of the identity provider's JWKS, fetched (and cached 5 minutes) only "
        "when set; sso_jwks_path wins when both are set.",
    )
    sso_issuer: str | None = Field(
        None, description="The iss every SSO token must carry; required with a key set."
    )
    sso_audience: str | None = Field(
        None, description="The aud every SSO token must name; required with a key set."
    )
    sso_leeway_seconds: int = Field(
        30, ge=0, le=300, description="Clock skew allowed on an SSO token's exp, nbf and iat."
    )
    sso_user_claim: str = Field("sub", description="SSO claim holding the stable user id.")
    sso_name_claim: str = Field(
        "preferred_username", description="SSO claim holding the user's sign-in name."
    )
    sso_roles_claim: str = Field(
        "roles",
        description="SSO claim listing roles (a dotted path such as realm_access.roles reaches "
        "a nested claim); roles this server does not know are dropped.",
    )
    sso_team_claim: str = Field("team", description="SSO claim holding the user's team.")
    sso_territories_claim: str = Field(
        "territories", description="SSO claim listing the territories the user covers."
    )
    sso_rep_claim: str = Field(
        "rep_id", description="SSO claim holding the CRM rep id, when the user is a rep."
    )
    auth_path: str | None = Field(
        None,
        description="A langgraph_sdk Auth object to authenticate and authorize with, as "
        "'package.module:auth' or './file.py:auth' (LangGraph's auth.path).",
    )

    @field_validator(
        "model_fallbacks", "allowed_hosts", "cors_origins", "outbound_allow", mode="before"
    )
    @classmethod
    def _split_lists(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        # Each origin is named: "*" would let every site read the API with a user's cookie.
        for origin in value:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host[:port], e.g. "
                    "https://app.example.com (no wildcard, no path)"
                )
        return [origin.rstrip("/") for origin in value]

    @field_validator("rate_limit", "sign_in_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate: write N/second, N/minute, N/hour or N/day"
            ) from None
        return value

    @property
    def resolved_allowed_hosts(self) -> list[str]:
        """The Host header values answered: the configured names, plus the listening address
        when it names one interface (a wildcard address names none)."""
        hosts = list(self.allowed_hosts)
        if self.host not in WILDCARD_ADDRESSES and self.host not in hosts:
            hosts.append(self.host)
        return hosts

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'crm.db').as_posix()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def resolved_governance_key_dir(self) -> Path:
        return self.governance_key_dir or self.data_dir / "keys"

    @property
    def resolved_model_cache_dir(self) -> Path:
        return self.local_model_cache_dir or Path.home() / ".cache" / "crm-agents" / "models"

    @property
    def checkpoint_path(self) -> Path:
        """SQLite file of LangGraph checkpoints when the CRM database is SQLite."""
        return self.data_dir / "checkpoints.db"

    @property
    def store_path(self) -> Path:
        """SQLite file of the LangGraph store (long-term memory items) when the database is SQLite."""
        return self.data_dir / "store.db"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def settings_markdown_table() -> str:
    """The configuration table of the README, generated from the fields above."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "" if default in (None, []) else f"`{default}`"
        rows.append(f"| `CRM_AGENTS_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(rows)
