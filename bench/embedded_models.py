"""Compare the embedded models on this machine, in one run: speed, memory and checked prose.

For each ``local/<name>`` model a fresh Python process (so one model's memory does not count
against the next) loads the verified GGUF file with the settings' thread count (1 by
default), answers a fixed set of narration prompts built from the agents' own prompt
templates (greedy decoding, so a rerun writes the same text), and reports:

- load time and resident memory (after loading, and the peak over the run), beside the
  process's resident memory before the model was loaded;
- time to first token (request sent to first streamed text, prompt processing included);
- generation speed in tokens/s (completion tokens after the first, over the time after it);
- both also in CPU time of the process: with one inference thread that is what an idle core
  takes, so the figures compare across runs on a busy shared machine;
- how many of the narrations pass every prose check (:func:`agents.prose.check_text`), with
  the problems of the others.

The narration suite (``eval/narration``, every agent on the seeded demo) is the measure of
pass rate that counts; this fixed set is the quick check beside the speed figures.

Run:  .venv/bin/python bench/embedded_models.py [--models smollm2,qwen2.5-coder-0.5b] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_TOKENS = 160


def _cases() -> list[dict[str, Any]]:
    """Narration prompts as the agents send them, with the sources their checks rest on."""
    from prompts.library import load_prompt

    answer = load_prompt("technical_qa.answer")
    budget = load_prompt("budget.explain")
    relationships = load_prompt("relationships.explain")
    lead = load_prompt("lead_scoring.explain")
    p12 = (
        "[1] (VitaScan P12 Patient Monitor datasheet, Warranty) The VitaScan P12 comes with a "
        "3-year manufacturer warranty covering parts and labour; batteries are covered for 1 year.\n"
        "[2] (VitaScan P12 Patient Monitor datasheet, Environment) Operating temperature "
        "-18 to 50 °C; storage temperature -20 to 60 °C; relative humidity 15 to 95 %."
    )
    t300 = (
        "[1] (BreathLine T300 Transport Ventilator manual, Battery) The internal battery runs the "
        "T300 for 6 hours at default settings; a hot-swappable external battery adds 4 hours.\n"
        "[2] (BreathLine T300 Transport Ventilator manual, Certifications) Certified for air "
        "transport to RTCA DO-160 and EN 1789 for road ambulances."
    )
    p12_zh = (
        "[1] (VitaScan P12 患者监护仪 说明书, 保修) VitaScan P12 整机保修 3 年，电池保修 1 年。\n"
        "[2] (VitaScan P12 患者监护仪 说明书, 环境) 工作温度 -18 至 50 °C，存储温度 -20 至 60 °C。"
    )
    budget_summary = (
        "Quote CNY 1.82 M to CNY 1.95 M for deal DEAL-0412 (BreathLine T300, 12 units) at "
        "Ruijin Hospital; win probability at the midpoint 64%."
    )
    budget_factors = (
        "- Ruijin Hospital's equipment budget this year: CNY 64.6 M, 9.91% above last year.\n"
        "- Last three T300 deals in Shanghai closed at CNY 148,000 to CNY 161,000 per unit.\n"
        "- A competitor offer at CNY 152,000 per unit was mentioned in the 30 Oct 2026 meeting."
    )
    people = (
        "Account: Anzhen Hospital (ACC-0156)\n"
        "Engage next: Dr. Li Na, Head of Cardiology (decision maker, last contact 41 days ago)\n"
        "Champion: Zhou Wei, Biomedical Engineering Manager (4 meetings in 90 days)\n"
        "Blocker: none recorded"
    )
    lead_summary = "Stage: evaluation; score 78 (grade A); activate: technical_qa specialist"
    lead_facts = (
        "- 3 product demos of the VitaScan P12 in the last 30 days\n"
        "- 2 datasheet downloads (VitaScan P12) on 2 Dec 2026\n"
        "- open deal DEAL-0377, stage proposal, CNY 860,000"
    )

    def case(case_id: str, messages: Any, question: str, *sources: str) -> dict[str, Any]:
        return {"id": case_id, "messages": messages, "sources": list(sources), "question": question}

    warranty = "What is the VitaScan P12 warranty?"
    two_parts = (
        "How long does the BreathLine T300 battery last, and is it certified for air transport?"
    )
    temperature = "VitaScan P12 的工作温度是多少？"
    return [
        case(
            "technical_qa/warranty", answer.messages(sources=p12, question=warranty), warranty, p12
        ),
        case(
            "technical_qa/two_parts",
            answer.messages(sources=t300, question=two_parts),
            two_parts,
            t300,
        ),
        case(
            "technical_qa/zh",
            answer.messages(sources=p12_zh, question=temperature),
            temperature,
            p12_zh,
        ),
        case(
            "budget/explain",
            budget.messages(summary=budget_summary, factors=budget_factors),
            "What price should we quote for Ruijin Hospital's open deal?",
            budget_summary,
            budget_factors,
        ),
        case(
            "relationships/explain",
            relationships.messages(facts=people),
            "Who should I engage next at Anzhen Hospital?",
            people,
        ),
        case(
            "lead_scoring/explain",
            lead.messages(summary=lead_summary, facts=lead_facts),
            "How hot is this lead?",
            lead_summary,
            lead_facts,
        ),
    ]


def _rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_s() -> float:
    """CPU seconds of this process, all threads: on one inference thread, the time an idle
    core would take, whatever else the machine is doing."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker(name: str) -> dict[str, Any]:
    """Measure one model in this process (called in a child process per model)."""
    from agents.prose import Grounds, check_text
    from core.settings import get_settings
    from llm.local import LocalModel
    from llm.local_config import LocalModelConfig

    cases = _cases()
    import xllamacpp  # noqa: F401  (loaded before the baseline, as in the server)

    baseline = _rss_mb()
    config = LocalModelConfig.from_settings(get_settings()).for_name(name)
    started = time.perf_counter()
    config = config.resolved()  # joins and verifies on first use
    resolve_s = time.perf_counter() - started
    model = LocalModel(config)
    model.load()
    loaded_rss = _rss_mb()
    # One untimed call: the first request pays one-off allocations the others do not.
    model.complete([{"role": "user", "content": "Hello"}], max_tokens=1)
    results = []
    for case in cases:
        sent, sent_cpu = time.perf_counter(), _cpu_s()
        first = last = first_cpu = last_cpu = None
        text, usage = [], None
        for chunk in model.stream(case["messages"], max_tokens=MAX_TOKENS, temperature=0):
            now, now_cpu = time.perf_counter(), _cpu_s()
            if chunk.text:
                if first is None:
                    first, first_cpu = now, now_cpu
                last, last_cpu = now, now_cpu
                text.append(chunk.text)
            usage = chunk.usage or usage
        reply = "".join(text).strip()
        grounds = Grounds.of(case["sources"], question=case["question"])
        problems = check_text(reply, grounds)
        completion = usage.completion_tokens if usage else 0
        gen_s = (last - first) if first and last else 0.0
        gen_cpu = (last_cpu - first_cpu) if first_cpu and last_cpu else 0.0
        results.append(
            {
                "id": case["id"],
                "ttft_s": round((first or sent) - sent, 3),
                "ttft_cpu_s": round((first_cpu or sent_cpu) - sent_cpu, 3),
                "prompt_tokens": usage.prompt_tokens if usage else 0,
                "completion_tokens": completion,
                "tokens_per_s": round((completion - 1) / gen_s, 1) if gen_s > 0 else None,
                "tokens_per_cpu_s": round((completion - 1) / gen_cpu, 1) if gen_cpu > 0 else None,
                "passed": not problems,
                "problems": problems,
                "text": reply,
            }
        )
    return {
        "model": f"local/{name}",
        "file": config.path.name if config.path else None,
        "file_mb": round(config.path.stat().st_size / 1e6) if config.path else None,
        "threads": config.threads,
        "resolve_s": round(resolve_s, 2),
        "load_s": round(model.load_seconds or 0.0, 2),
        "baseline_rss_mb": round(baseline),
        "loaded_rss_mb": round(loaded_rss),
        "peak_rss_mb": round(_rss_mb("VmHWM")),
        "cases": results,
    }


def _median(values: list[float]) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    cases = run["cases"]
    return {
        "model": run["model"],
        "passed": f"{sum(c['passed'] for c in cases)}/{len(cases)}",
        "ttft_s": _median([c["ttft_s"] for c in cases]),
        "ttft_cpu_s": _median([c["ttft_cpu_s"] for c in cases]),
        "tokens_per_s": _median([c["tokens_per_s"] for c in cases]),
        "tokens_per_cpu_s": _median([c["tokens_per_cpu_s"] for c in cases]),
        "load_s": run["load_s"],
        "rss_mb": run["peak_rss_mb"],
        "model_rss_mb": run["loaded_rss_mb"] - run["baseline_rss_mb"],
        "file_mb": run["file_mb"],
    }


def table(runs: list[dict[str, Any]]) -> str:
    head = (
        "| model | fixed prompts passed | TTFT median, wall / CPU (s) | tokens/s median, "
        "wall / per CPU-s | load (s) | peak RSS (MB) | RSS added by the model (MB) | file (MB) |"
    )
    rows = [head, "|---|---|---|---|---|---|---|---|"]
    for run in runs:
        s = summarise(run)
        rows.append(
            f"| {s['model']} | {s['passed']} | {s['ttft_s']:.2f} / {s['ttft_cpu_s']:.2f} | "
            f"{s['tokens_per_s']:.1f} / {s['tokens_per_cpu_s']:.1f} | {s['load_s']} | {s['rss_mb']} | "
            f"{s['model_rss_mb']} | {s['file_mb']} |"
        )
    return "\n".join(rows)


def narration(models: list[str], per_agent: int) -> list[dict[str, Any]]:
    """The narration suite (``eval.narration``) for each model over one demo CRM, in turn.

    The demo is seeded and indexed once; each model gets the same cases through the agents'
    graphs. ``per_agent`` cases for each of the six agents.
    """
    import asyncio
    import dataclasses

    from core.settings import get_settings
    from eval.narration import narration_cases, run_narrations
    from eval.scenario_suite.demo import demo_services
    from llm.gateway import chat_model, model_info

    reports = []
    with demo_services(get_settings()) as services:
        cases = narration_cases(services.crm, per_agent=per_agent)
        for name in models:
            settings = services.settings.model_copy(update={"model": f"local/{name}"})
            swapped = dataclasses.replace(
                services,
                settings=settings,
                chat_model=chat_model(settings),
                model_info=model_info(settings),
                _closers=[],
            )
            report = asyncio.run(run_narrations(cases, services=swapped))
            figures = report.as_dict()
            reports.append(figures)
            print(narration_table([figures]), flush=True)
            for result in figures["results"]:
                print(
                    f"  {result['case_id']:<18} {result['status']:<9} "
                    f"{'; '.join(result['problems'])[:160]}",
                    flush=True,
                )
    return reports


def narration_table(reports: list[dict[str, Any]]) -> str:
    rows = [
        "| model | agent | narrations | passed | partial | replaced | no text | errors | "
        "pass rate | shown failing | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for report in reports:
        totals = {
            key: 0 for key in ("generated", "passed", "partial", "replaced", "none", "errors")
        }
        for agent in report["agents"]:
            for key in totals:
                totals[key] += agent[key]
            rows.append(_narration_row(report["model"], agent["agent"], agent, ""))
        written = totals["passed"] + totals["partial"] + totals["replaced"]
        totals["pass_rate"] = totals["passed"] / written if written else None
        totals["shown_failing"] = report["shown_failing"]
        rows.append(_narration_row(report["model"], "**all**", totals, f"{report['seconds']:.0f}"))
    return "\n".join(rows)


def _narration_row(model: str, agent: str, s: dict[str, Any], seconds: str) -> str:
    rate = "-" if s["pass_rate"] is None else f"{s['pass_rate']:.0%}"
    counts = " | ".join(
        str(s[key]) for key in ("generated", "passed", "partial", "replaced", "none", "errors")
    )
    return f"| {model} | {agent} | {counts} | {rate} | {s['shown_failing']} | {seconds} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models",
        default="smollm2,qwen2.5-coder-0.5b,qwen2.5-coder-1.5b",
        help="comma-separated registry names (llm/embedded.py)",
    )
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument(
        "--narration",
        type=int,
        metavar="PER_AGENT",
        help="instead: run the narration suite, PER_AGENT cases for each agent, per model",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker), ensure_ascii=False))
        return 0

    from core.settings import get_settings

    settings = get_settings()
    print(f"# embedded models, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; threads {settings.local_model_threads}, "
        f"context {settings.local_model_context}; "
        + (
            f"narration suite, {args.narration} cases per agent, one demo CRM for all models"
            if args.narration
            else f"{len(_cases())} narration prompts, greedy, max {MAX_TOKENS} tokens; "
            "one fresh process per model"
        )
    )
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    if args.narration:
        reports = narration(names, args.narration)
        print()
        print(narration_table(reports))
        if args.json:
            args.json.write_text(json.dumps(reports, ensure_ascii=False, indent=2))
        return 0
    runs = []
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", name], capture_output=True, text=True
        )
        if done.returncode:
            print(f"local/{name}: failed\n{done.stderr.strip()[-2000:]}", file=sys.stderr)
            continue
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        for case in run["cases"]:
            verdict = "passed" if case["passed"] else "; ".join(case["problems"])
            print(
                f"{run['model']:<28} {case['id']:<24} ttft {case['ttft_s']:.2f} s "
                f"(cpu {case['ttft_cpu_s']:.2f} s)  {case['tokens_per_s']} tok/s "
                f"({case['tokens_per_cpu_s']} per cpu-s)  {verdict}\n    {case['text'][:400]!r}"
            )
    print()
    print(table(runs))
    if args.json:
        args.json.write_text(json.dumps(runs, ensure_ascii=False, indent=2))
    return 0 if runs else 1


if __name__ == "__main__":
    raise SystemExit(main())
