// Recommendation cards (confidence, sources, versions, feedback) and approval cards for the
// actions an agent paused on.
import { ApiError, request } from "./api.js";
import { day, el, humanise, percent } from "./format.js";
import { renderStakeholderMap } from "./stakeholder_map.js";

const PREVIEW_CHARS = 320;

function versions(rec) {
  const lines = [
    rec.model ? `Model: ${rec.model.name}${rec.model.version ? ` (${rec.model.version})` : ""}` : "Model: none (computed in code)",
    rec.prompt ? `Prompt: ${rec.prompt.id} · sha256 ${rec.prompt.sha256.slice(0, 12)}` : "Prompt: none",
    rec.input_sha256 ? `Input sha256: ${rec.input_sha256.slice(0, 12)}` : null,
    rec.calibration_map_id ? `Calibration map: ${rec.calibration_map_id}` : null,
    `Recommendation ${rec.id}, ${day(rec.created_at)}`,
  ];
  return lines.filter(Boolean).join("\n");
}

function confidenceBar(rec) {
  const calibrated = rec.calibrated_confidence;
  const shown = calibrated ?? rec.confidence;
  const label = calibrated == null
    ? `Confidence ${percent(shown)} (raw; not calibrated yet)`
    : `Calibrated confidence ${percent(calibrated)} (raw ${percent(rec.confidence)})`;
  const level = shown >= 0.7 ? "high" : shown >= 0.4 ? "medium" : "low";
  return el(
    "div",
    { class: "confidence" },
    el("div", {
      class: `meter meter-${level}`, role: "meter", "aria-valuemin": "0", "aria-valuemax": "100",
      "aria-valuenow": String(Math.round(shown * 100)), "aria-label": label,
    }, el("span", { class: "meter-fill", style: `width:${Math.round(shown * 100)}%` }),
    calibrated == null ? null : el("span", { class: "meter-raw", style: `left:${Math.round(rec.confidence * 100)}%`, title: `raw ${percent(rec.confidence)}` })),
    el("span", { class: "confidence-label", text: label }),
  );
}

function recordView(record) {
  const fields = Object.entries(record.fields).filter(([, v]) => v !== null && v !== "" && typeof v !== "object");
  return el(
    "div",
    { class: "source-record" },
    el("p", {}, el("strong", { text: record.title }), el("span", { class: "muted", text: ` · ${record.entity} ${record.record_id}` })),
    el("dl", {}, fields.flatMap(([k, v]) => [el("dt", { text: humanise(k) }), el("dd", { text: String(v) })])),
  );
}

function factItem(fact) {
  const holder = el("div", { class: "source-holder", "aria-live": "polite" });
  const value = fact.value == null ? "" : String(fact.value);
  const button = el("button", {
    type: "button", class: "fact", "aria-expanded": "false",
    title: "Show the record this fact comes from",
  },
  el("span", { class: "fact-source", text: fact.source }),
  el("span", { class: "fact-id", text: fact.record_id }),
  el("span", { class: "fact-field", text: fact.field }),
  value ? el("span", { class: "fact-value", text: value.length > 140 ? `${value.slice(0, 140)}…` : value }) : null);
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      holder.replaceChildren();
      return;
    }
    button.setAttribute("aria-expanded", "true");
    holder.replaceChildren(el("p", { class: "muted loading", text: "Opening the record…" }));
    try {
      const path = `/crm/records/${encodeURIComponent(fact.source)}/${encodeURIComponent(fact.record_id)}`;
      holder.replaceChildren(recordView(await request("GET", path)));
    } catch (error) {
      const derived = error instanceof ApiError && error.code === "unknown_source";
      holder.replaceChildren(el("p", {
        class: derived ? "muted" : "error-text",
        text: derived ? "Computed by the agent from other facts: there is no stored record to open." : error.message,
      }));
    }
  });
  return el("li", {}, button, holder);
}

function feedbackForm(rec) {
  const status = el("p", { class: "feedback-status", role: "status" });
  const form = el("form", { class: "feedback-modify", hidden: true });
  const corrected = el("textarea", { rows: "4", required: true, "aria-label": "Corrected recommendation" });
  corrected.value = rec.content;
  const comment = el("input", { type: "text", placeholder: "What was wrong? (optional)", "aria-label": "Comment" });
  form.append(corrected, comment, el("button", { type: "submit", class: "primary", text: "Send correction" }));
  const send = async (verdict, extra = {}) => {
    status.textContent = "Sending…";
    try {
      await request("POST", `/recommendations/${encodeURIComponent(rec.id)}/feedback`, { verdict, ...extra });
      status.textContent = { accept: "Accepted. Thank you.", reject: "Rejected. Thank you.", modify: "Correction recorded. Thank you." }[verdict];
      bar.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      form.hidden = true;
    } catch (error) {
      status.textContent = `Feedback not saved: ${error.message}`;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send("modify", { modified_content: corrected.value, comment: comment.value || null });
  });
  const bar = el("div", { class: "feedback-bar", role: "group", "aria-label": "Feedback on this recommendation" },
    el("button", { type: "button", text: "Accept", onclick: () => send("accept") }),
    el("button", { type: "button", text: "Reject", onclick: () => send("reject") }),
    el("button", { type: "button", text: "Modify…", "aria-expanded": "false", onclick: (e) => {
      form.hidden = !form.hidden;
      e.currentTarget.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) corrected.focus();
    } }));
  return el("div", { class: "feedback" }, bar, form, status);
}

/** A card for one recommendation; ``title`` names the agent. */
export function recommendationCard(rec, title) {
  const long = rec.content.length > PREVIEW_CHARS;
  const text = el("p", { class: "rec-content", text: long ? `${rec.content.slice(0, PREVIEW_CHARS)}…` : rec.content });
  const map = rec.data?.stakeholder_map;
  const actions = (rec.actions ?? []).map((a) => el("li", { text: `${humanise(a.kind)}: ${a.description}${a.requires_approval ? " (needs your approval)" : ""}` }));
  return el(
    "article",
    { class: "card rec-card", "data-recommendation": rec.id, "aria-label": `Recommendation from ${title}` },
    el("header", { class: "card-head" },
      el("span", { class: "agent-badge", text: title }),
      el("span", { class: "muted", text: humanise(rec.kind) }),
      el("span", { class: "versions", tabindex: "0", role: "note", title: versions(rec), "aria-label": versions(rec), text: "Versions" })),
    confidenceBar(rec),
    map ? null : text,
    long && !map ? el("button", { type: "button", class: "link", text: "Show all", onclick: (e) => { text.textContent = rec.content; e.currentTarget.remove(); } }) : null,
    map ? renderStakeholderMap(map) : null,
    actions.length ? el("div", { class: "rec-actions" }, el("h4", { text: "Proposed actions" }), el("ul", {}, actions)) : null,
    el("details", { class: "sources" },
      el("summary", { text: `Sources (${rec.provenance.length})` }),
      el("ul", { class: "fact-list" }, rec.provenance.map(factItem))),
    feedbackForm(rec),
  );
}

const OUTCOME_TEXT = {
  send_email: "E-mail queued in the outbox (nothing is sent automatically).",
  create_task: "Task created.",
};

/** A card for an action waiting for approval; ``onDecide(value)`` resumes the run. */
export function approvalCard(interrupt, onDecide) {
  const { action, question } = interrupt.value;
  const payload = action.payload ?? {};
  const status = el("p", { class: "approval-status", role: "status" });
  const fields = el("dl", { class: "approval-fields" });
  const editable = action.kind === "send_email" ? ["subject", "body"] : ["title"];
  for (const [key, value] of Object.entries(payload)) {
    if (value === null || typeof value === "object") continue;
    fields.append(el("dt", { text: humanise(key) }), el("dd", { class: key === "body" ? "pre" : "", text: String(value) }));
  }
  const editor = el("form", { class: "approval-edit", hidden: true });
  const inputs = {};
  for (const key of editable) {
    const input = key === "body" ? el("textarea", { rows: "6" }) : el("input", { type: "text" });
    input.value = payload[key] ?? "";
    inputs[key] = input;
    editor.append(el("label", {}, humanise(key), input));
  }
  editor.append(el("button", { type: "submit", class: "primary", text: "Approve with changes" }));
  const card = el("article", { class: "card approval-card", "data-interrupt": interrupt.id, "aria-label": "Action waiting for your approval" },
    el("header", { class: "card-head" }, el("span", { class: "agent-badge warn", text: "Needs approval" }), el("strong", { text: humanise(action.kind) })),
    el("p", { text: question ?? action.description }),
    fields, editor);
  const buttons = el("div", { class: "approval-buttons", role: "group", "aria-label": "Decision" });
  const decide = (value, label) => {
    buttons.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    editor.hidden = true;
    card.dataset.decision = value.decision;
    status.textContent = `${label}… resuming the run.`;
    onDecide(value);
  };
  buttons.append(
    el("button", { type: "button", class: "primary", text: "Approve", onclick: () => decide({ decision: "approve" }, "Approved") }),
    el("button", { type: "button", text: "Edit…", onclick: () => { editor.hidden = !editor.hidden; if (!editor.hidden) inputs[editable[0]].focus(); } }),
    el("button", { type: "button", class: "danger", text: "Reject", onclick: () => decide({ decision: "reject", comment: "Rejected by the rep" }, "Rejected") }),
  );
  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    const changed = Object.fromEntries(editable.map((key) => [key, inputs[key].value]));
    decide({ decision: "edit", action: { payload: changed } }, "Edited and approved");
  });
  card.append(buttons, status);
  return card;
}

/** Show what became of a decided action (from the run's updates), or that the run ended. */
export function settleApproval(card, outcome) {
  const status = card.querySelector(".approval-status");
  card.classList.add("settled");
  if (outcome === "rejected") status.textContent = "Rejected: nothing was done.";
  else if (outcome === "failed") status.textContent = "The run stopped before this action was recorded.";
  else status.textContent = `Approved. ${OUTCOME_TEXT[outcome] ?? "Done."}`;
  card.dataset.outcome = outcome;
}
