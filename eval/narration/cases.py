"""Narration cases: what to ask each agent so that its model writes prose, drawn from the demo.

Cases are plain data made from the seeded CRM (accounts, their deals, products), so a run over
the same demo asks the same questions. Every fifth case of an agent asks in Chinese: the rep's
language is part of what the checks hold the model to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import cycle, islice
from typing import Any

from crm.reader import CRMReader

AGENTS: tuple[str, ...] = (
    "budget",
    "lead_scoring",
    "relationships",
    "next_action",
    "technical_qa",
    "supervisor",
)
CHINESE_EVERY = 5  # every fifth case of an agent asks in Chinese

_TOPICS = (
    ("How long does the battery of the {p} last?", "{p}的电池能用多久？"),
    ("Which cleaning agents may be used on the {p}?", "{p}可以用哪些清洁剂？"),
    ("What is the warranty of the {p}?", "{p}的保修期是多久？"),
    ("What are the operating temperature limits of the {p}?", "{p}的工作温度范围是多少？"),
    ("Which certifications does the {p} have?", "{p}有哪些认证？"),
)
_ACCOUNT_QUESTIONS = {
    "budget": ("What budget should I plan for {a} this year?", "{a}今年的设备预算是多少？"),
    "lead_scoring": ("How hot is {a} as a lead right now?", "{a}现在的购买意向有多强？"),
    "relationships": ("Who should I engage first at {a}?", "在{a}我应该先联系谁？"),
    "next_action": ("What should I do next with {a}?", "{a}下一步我该做什么？"),
}
_SUPERVISOR = (
    "Who is the decision maker at {a}?",
    "What budget does {a} have for equipment this year?",
    "What should be my next step with {a}?",
    "How likely is {a} to buy soon?",
    "How long does the battery of the {p} last?",
)


@dataclass(frozen=True)
class NarrationCase:
    """One question to one agent, and the graph input it goes with."""

    id: str
    agent: str
    question: str
    input: dict[str, Any] = field(default_factory=dict)
    language: str = "en"

    def graph_input(self) -> dict[str, Any]:
        return {**self.input, "messages": [{"role": "user", "content": self.question}]}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def narration_cases(
    crm: CRMReader, *, per_agent: int = 20, agents: tuple[str, ...] = AGENTS
) -> list[NarrationCase]:
    """``per_agent`` cases for each of ``agents``, over the accounts and products of ``crm``."""
    unknown = sorted(set(agents) - set(AGENTS))
    if unknown:
        raise ValueError(f"unknown agent(s) {', '.join(unknown)}; known: {', '.join(AGENTS)}")
    accounts = crm.list_accounts(limit=max(per_agent, 1) * 2)
    products = crm.list_products()
    if not accounts or not products:
        raise ValueError("the CRM holds no accounts or no products: seed the demo first")
    cases: list[NarrationCase] = []
    for agent in agents:
        cases += list(islice(_cases_for(agent, accounts, products), per_agent))
    return cases


def _cases_for(agent: str, accounts: list[Any], products: list[Any]) -> Iterator[NarrationCase]:
    for number in range(10_000):
        chinese = number % CHINESE_EVERY == CHINESE_EVERY - 1
        language = "zh" if chinese else "en"
        account = accounts[number % len(accounts)]
        product = products[number % len(products)]
        case_id = f"{agent}-{number + 1:03d}"
        if agent in _ACCOUNT_QUESTIONS:
            text = _ACCOUNT_QUESTIONS[agent][1 if chinese else 0].format(a=account.name)
            yield NarrationCase(case_id, agent, text, {"account_id": account.id}, language)
        elif agent == "technical_qa":
            topic = _TOPICS[(number + number // len(_TOPICS)) % len(_TOPICS)]
            text = topic[1 if chinese else 0].format(p=product.name)
            yield NarrationCase(case_id, agent, text, {}, language)
        else:
            template = next(islice(cycle(_SUPERVISOR), number, None))
            yield NarrationCase(case_id, agent, template.format(a=account.name, p=product.name))
