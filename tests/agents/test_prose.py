"""Checked prose: the junk a small model writes is caught; real sentences pass."""

from __future__ import annotations

import pytest

from agents.prose import Grounds, ProseGate, check_prose, check_sentence, check_text
from core.recommendation import Fact

FACTS = [
    Fact(source="budgets", record_id="ACC-0156:2026", field="growth_pct", value=9.91),
    Fact(source="accounts", record_id="ACC-0156", field="name", value="Anzhen Hospital"),
    Fact(source="contacts", record_id="CON-00012", field="name", value="Chen Jingwei"),
    Fact(source="deals", record_id="DEAL-0042", field="stage", value="negotiation"),
]
PASSAGE = "Current year: 2026: 9.91% growth. The VitaScan P12 warranty is 3 years (page 4)."
NAMES = ["Anzhen Hospital", "Ruijin Hospital", "Chen Jingwei", "VitaScan P12"]


@pytest.fixture
def grounds() -> Grounds:
    return Grounds.of(
        [*FACTS, PASSAGE], names=NAMES, question="What budget should I plan for Anzhen Hospital?"
    )


@pytest.mark.parametrize(
    ("junk", "problem"),
    [
        ("Current year: 2026: 9.91% - " * 6, "repeated"),
        (
            "Confirmation of Recurrence of the Receipt of the Transfer of the Payment by the "
            "Account.",
            "chain of nouns",
        ),
        ("I am confident that the contract is secured.", "won deal or signed contract"),
        ("We have already signed the contract with them.", "won deal or signed contract"),
        ("The price list for BAC-0156 is attached.", "unknown id or model BAC-0156"),
        ("The VitaScan T300 warranty is 3 years.", "unknown id or model T300"),
        ("The VitaScan P13 warranty is 3 years.", "unknown id or model P13"),
        ("Ruijin Hospital also buys the VitaScan P12.", "name not in the sources: Ruijin Hospital"),
        ("Please contact Zhang Wei about the budget.", "name not in the sources: Zhang"),
        ("Dear Dr. Li, thank you for the meeting.", "name not in the sources: Li"),
        ("Anzhen Hospital grows by 12.5% in 2026.", "figure 12.5 is in no source"),
        ("Anzhen Hospital plans 9.91% growth in 2026, and the", "unfinished sentence"),
        ("安贞医院的预算增长为9.91%。", "wrong language"),
        ("The budget is the budget is the budget is the budget.", "back to back"),
        (
            "This is a data analysis tool. You've managed to make it more understandable using"
            " data visualization, specifically using a pie chart.",
            "says nothing the sources hold",
        ),
        ("The answer is:", "unfinished sentence"),
        (
            "1. Yearly growth: 9.91%\n2. Annual growth: 9.91%\n3. Yearly growth: 9.91%",
            "repeated line",
        ),
        (
            "The above recommendation is sound. The above recommendation is based on data. "
            "The above recommendation is for Anzhen Hospital.",
            "repeated phrase",
        ),
        ("Jingwei Chen is the first contact.", "name not in the sources: Jingwei Chen"),
        ("Anzhen Hospital plans $9.91 of growth in 2026.", "currency $ is in no source"),
        (
            "The warranty of the VitaScan P12 covers:\n- Sodium hydroxide (NaOH)",
            "a list item the sources do not hold",
        ),
    ],
)
def test_junk_is_caught(grounds: Grounds, junk: str, problem: str) -> None:
    problems = check_text(junk, grounds)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    "good",
    [
        "Anzhen Hospital plans 9.91% growth in 2026.",
        "Chen Jingwei is the best first contact at Anzhen Hospital.",
        "The VitaScan P12 warranty is 3 years, so plan the renewal before it runs out.",
        "Once the contract is signed, confirm delivery with Chen Jingwei.",
        "The deal is not yet won: DEAL-0042 is in negotiation.",
        "Dear Chen Jingwei,\n\nThank you for your time. I would like to share the updated quote"
        " for the VitaScan P12.\n\nBest regards,",
        "1. Call Chen Jingwei this week.\n2. Send the VitaScan P12 datasheet (page 4).",
        "In Q3, a budget in line with 2026 growth (9.91%) is reasonable.",
        "The estimate follows the hospital's own budget growth of 9.91% in 2026, and the"
        " VitaScan P12 keeps its warranty for 3 years, which makes renewal costs predictable.",
    ],
)
def test_good_text_passes(grounds: Grounds, good: str) -> None:
    assert check_text(good, grounds) == []


def test_chinese_answer_to_a_chinese_question_passes() -> None:
    grounds = Grounds.of([*FACTS, PASSAGE], names=NAMES, question="安贞医院明年的预算是多少？")
    assert grounds.language == "zh"
    assert check_text("安贞医院2026年的预算增长为9.91%。VitaScan P12的保修期为3年。", grounds) == []
    problems = check_text("The budget of Anzhen Hospital grows by 9.91% in 2026.", grounds)
    assert any("wrong language" in p for p in problems)
    repeated = "安贞医院的预算增长为9.91%，" * 4 + "。"
    assert any("repeated" in p for p in check_text(repeated, grounds))
    cut = check_text("安贞医院2026年的预算增长为9.91%，因为他们计划购买", grounds)
    assert any("unfinished" in p for p in cut)


def test_a_won_deal_grounds_the_claim() -> None:
    won = Grounds.of(FACTS, closed_won=True)
    assert check_text("The contract is signed.", won) == []
    assert check_text("The contract is signed.", Grounds.of(FACTS)) != []


def test_a_line_said_twice_is_caught(grounds: Grounds) -> None:
    line = "Anzhen Hospital plans 9.91% growth in 2026."
    assert check_sentence(line, grounds, before=[]) == []
    assert any("repeated line" in p for p in check_sentence(line, grounds, before=[line]))


def test_gate_releases_checked_sentences_and_holds_the_one_under_check(grounds: Grounds) -> None:
    gate = ProseGate(grounds)
    text = "Anzhen Hospital plans 9.91% growth in 2026. Chen Jingwei decides. The price is 7."
    released: list[str] = []
    for i in range(0, len(text), 3):  # token-sized deltas
        released += gate.feed(text[i : i + 3])
        # Nothing released is ever unfinished or unchecked.
        assert all(s.rstrip().endswith(".") for s in released)
    assert "".join(released) == "Anzhen Hospital plans 9.91% growth in 2026. Chen Jingwei decides."
    assert gate.close() == []  # "The price is 7." states a figure no source holds
    checked = gate.finish("Deterministic wording.")
    assert checked.status == "partial"
    assert checked.text.startswith("".join(released).strip())
    assert checked.text.endswith("Deterministic wording.")
    assert any("figure 7" in p for p in checked.record["problems"])


def test_gate_drops_everything_after_the_first_failure(grounds: Grounds) -> None:
    gate = ProseGate(grounds)
    assert gate.feed("The price list for BAC-0156 is attached. ") == []
    assert gate.feed("Anzhen Hospital plans 9.91% growth in 2026. ") == []
    checked = gate.finish("Fallback.")
    assert (checked.text, checked.status) == ("Fallback.", "replaced")


def test_streamed_and_whole_results_agree(grounds: Grounds) -> None:
    text = "Anzhen Hospital plans 9.91% growth in 2026. " + "Current year: 2026: 9.91% - " * 6
    whole = check_prose(text, grounds, "Fallback.")
    gate = ProseGate(grounds)
    shown = [s for ch in text for s in gate.feed(ch)] + gate.close()
    streamed = gate.finish("Fallback.")
    assert whole == streamed
    assert whole.status == "partial"
    assert whole.text.startswith("".join(shown).strip())


def test_statuses(grounds: Grounds) -> None:
    assert check_prose("Chen Jingwei decides.", grounds, "F").record == {
        "status": "passed",
        "problems": [],
        "shown": "Chen Jingwei decides.",
    }
    assert check_prose("", grounds, "F").record == {"status": "none", "problems": [], "shown": ""}
    assert check_prose(None, grounds, "F").text == "F"


PRICE_LINES = (
    "PRD-022 target unit price: CNY 178,600.50 (list price less the discount)\n"
    "PRD-022 current unit price: CNY 194,716.36 (deal_products DEAL-0808:PRD-022, unit_price)\n"
    "PRD-022 walk-away unit price: CNY 174,822.38\n"
    "estimated equipment budget 2026: CNY 64,640,000.00"
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # Seen from the embedded model on Anzhen's open deal: the current price called the target.
        (
            "The recommendation targets CNY 194,716.36, which is above the recommended price.",
            "figure 194,716.36 is not the target in any source",
        ),
        ("Open at CNY 178,600.50 for DEAL-0808.", "figure 178,600.50 is not the opening"),
        ("The walk-away price is CNY 178,600.50.", "figure 178,600.50 is not the walk-away"),
    ],
)
def test_a_figure_given_a_role_its_sources_do_not_give_it_is_caught(
    text: str, problem: str
) -> None:
    grounds = Grounds.of([PRICE_LINES], question="What price should we quote for Anzhen?")
    assert any(problem in p for p in check_text(text, grounds)), check_text(text, grounds)


def test_figures_in_their_own_roles_pass() -> None:
    grounds = Grounds.of([PRICE_LINES], question="What price should we quote for Anzhen?")
    for text in (
        "The target price is CNY 178,600.50 per unit, and the current price of CNY 194,716.36"
        " is above it.",
        "Walk away below CNY 174,822.38.",
        "The equipment budget for 2026 is about CNY 64,640,000.00.",
        "In line with the budget of 2026, quote CNY 178,600.50 as the target.",
    ):
        assert check_text(text, grounds) == [], text


def test_a_lead_in_is_held_until_what_it_announces_passes(grounds: Grounds) -> None:
    gate = ProseGate(grounds)
    released = gate.feed("Anzhen Hospital plans 9.91% growth in 2026.\nThe key factors are:\n")
    assert [r.strip() for r in released] == ["Anzhen Hospital plans 9.91% growth in 2026."]
    # What the lead-in announced fails: the lead-in is never shown, so nothing reads unfinished.
    assert gate.feed("- a budget of 77.7% more.\n") == []
    checked = gate.finish("The summary.")
    assert checked.status == "partial"
    assert "key factors" not in checked.text and checked.text.endswith("The summary.")


def test_a_lead_in_followed_by_a_sound_item_is_released_with_it(grounds: Grounds) -> None:
    gate = ProseGate(grounds)
    gate.feed("Anzhen Hospital plans growth in 2026.\nThe key factor is:\n")
    released = gate.feed("- growth of 9.91%\n")
    assert [r.strip() for r in released] == ["The key factor is:", "- growth of 9.91%"]
    assert gate.finish("The summary.").status == "passed"


def test_a_list_item_ending_on_a_figure_is_finished(grounds: Grounds) -> None:
    assert check_text("Growth:\n- A yearly budget trend of 9.91%", grounds) == []
