// Recommendation cards (confidence, sources, versions, feedback) and approval cards for the
// actions an agent paused on.
import { ApiError, request } from "./api.js";
import { day, el, humanise, percent } from "./format.js";
import { proseNote, withheldNotice } from "./notices.js";
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

const DECIDED_TEXT = {
  send_email: "approved: queued in the outbox",
  create_task: "approved: task created",
  done: "approved",
  rejected: "rejected: nothing was done",
  failed: "not recorded: the run stopped",
};

/**
 * What the card says beside a proposed action. Only an action with an approval card on this
 * page "waits for your approval"; an action an agent proposes without pausing for approval is
 * a suggestion (nothing here changes data for it).
 */
function actionNote(action, state) {
  if (state?.status === "pending") return "waiting for your approval below";
  if (state?.status === "decided") return DECIDED_TEXT[state.outcome] ?? "decided";
  if (!action.requires_approval) return "";
  if (state?.status === "queued") return "its approval comes after the one waiting below";
  if (state?.status === "reviewed") return "decided in the approval step";
  return ""; // a suggestion: the list's note says it once
}

/**
 * A card for one recommendation; ``title`` names the agent. ``actionState(index)`` says
 * whether an action waits in an approval card ({status: "pending"}), was decided
 * ({status: "decided", outcome}) or went through approval earlier ({status: "reviewed"}).
 */
export function recommendationCard(rec, title, { actionState = () => null } = {}) {
  const long = rec.content.length > PREVIEW_CHARS;
  const text = el("p", { class: "rec-content", text: long ? `${rec.content.slice(0, PREVIEW_CHARS)}…` : rec.content });
  const map = rec.data?.stakeholder_map;
  const actions = (rec.actions ?? []).map((a, index) => {
    const state = actionState(index);
    const note = actionNote(a, state);
    return el("li", { "data-action-status": state?.status ?? (a.requires_approval ? "suggestion" : "advice") },
      el("span", { text: `${humanise(a.kind)}: ${a.description}` }),
      note ? el("span", { class: `action-note${state?.status === "pending" ? " pending" : ""}`, text: ` (${note})` }) : null);
  });
  const suggestions = actions.some((item) => item.dataset.actionStatus === "suggestion");
  return el(
    "article",
    { class: "card rec-card", "data-recommendation": rec.id, "aria-label": `Recommendation from ${title}` },
    el("header", { class: "card-head" },
      el("span", { class: "agent-badge", text: title }),
      el("span", { class: "muted", text: humanise(rec.kind) }),
      el("span", { class: "versions", tabindex: "0", role: "note", title: versions(rec), "aria-label": versions(rec), text: "Versions" })),
    confidenceBar(rec),
    withheldNotice(rec.data?.withheld),
    map ? null : text,
    long && !map ? el("button", { type: "button", class: "link", text: "Show all", onclick: (e) => { text.textContent = rec.content; e.currentTarget.remove(); } }) : null,
    map ? renderStakeholderMap(map) : null,
    proseNote(rec.data?.prose),
    actions.length ? el("div", { class: "rec-actions" },
      el("h4", { text: suggestions ? "Suggested actions" : "Proposed actions" }), el("ul", {}, actions),
      suggestions ? el("p", { class: "muted action-note", text: "Suggestions: nothing is created or changed from here. Do them in your CRM if you agree." }) : null) : null,
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

// The draft block shows these for an e-mail (and the card's subject names the account).
const PAYLOAD_SHOWN_ELSEWHERE = new Set(["body", "subject", "contact_id", "contact_name", "in_reply_to", "account_id"]);

/** The step's reasoning and records: from the pause itself, or (older pauses) the stored recommendation. */
async function reasoningOf(value) {
  if (value.step?.why) return { title: value.step.title, why: value.step.why, sources: value.sources ?? [] };
  const rec = await request("GET", `/recommendations/${encodeURIComponent(value.recommendation_id)}`);
  const step = rec.data?.next_action?.steps?.[value.index];
  return {
    title: step?.title ?? value.action.description,
    why: step?.why ?? rec.content,
    sources: step?.provenance?.length ? step.provenance : rec.provenance ?? [],
  };
}

function draftBlock(action, value) {
  if (action.kind !== "send_email") return null;
  const payload = action.payload ?? {};
  const body = value.draft ?? payload.body ?? "";
  return el("section", { class: "approval-draft", "aria-label": "The full draft" },
    el("h4", { text: "The e-mail, in full" }),
    el("dl", { class: "approval-fields" },
      payload.contact_id ? [el("dt", { text: "To" }), el("dd", { text: payload.contact_name ? `${payload.contact_name} (${payload.contact_id})` : payload.contact_id })] : null,
      payload.in_reply_to ? [el("dt", { text: "In reply to" }), el("dd", { text: payload.in_reply_to })] : null,
      el("dt", { text: "Subject" }), el("dd", { text: payload.subject ?? "" })),
    el("div", { class: "draft-body pre", text: body }));
}

function payloadFields(action) {
  const fields = el("dl", { class: "approval-fields" });
  for (const [key, value] of Object.entries(action.payload ?? {})) {
    if (value === null || typeof value === "object" || (action.kind === "send_email" && PAYLOAD_SHOWN_ELSEWHERE.has(key))) continue;
    const shown = key === "due_in_days" ? `in ${value} day${Number(value) === 1 ? "" : "s"}` : String(value);
    fields.append(el("dt", { text: key === "due_in_days" ? "Due" : humanise(key) }), el("dd", { text: shown }));
  }
  return fields.children.length ? fields : null;
}

/**
 * A card for an action waiting for approval; ``onDecide(value)`` resumes the run. The step's
 * reasoning, its sources and the full draft are on the card; the decision buttons are enabled
 * only once they are shown and a reviewer is known (``reviewer``: {id, name, required}).
 */
export function approvalCard(interrupt, onDecide, { reviewer = null } = {}) {
  const value = interrupt.value;
  const { action } = value;
  const payload = action.payload ?? {};
  const status = el("p", { class: "approval-status", role: "status" });
  const editable = action.kind === "send_email" ? ["subject", "body"] : ["title"];
  const editor = el("form", { class: "approval-edit", hidden: true });
  const inputs = {};
  for (const key of editable) {
    const input = key === "body" ? el("textarea", { rows: "8" }) : el("input", { type: "text" });
    input.value = (key === "body" ? value.draft ?? payload.body : payload[key]) ?? "";
    inputs[key] = input;
    editor.append(el("label", {}, humanise(key), input));
  }
  editor.append(el("button", { type: "submit", class: "primary", text: "Approve with changes" }));
  const why = el("section", { class: "approval-why", "aria-label": "Why", "aria-busy": "true" },
    el("h4", { text: "Why" }), el("p", { class: "muted loading", text: "Loading the reasoning" }));
  const sources = el("section", { class: "approval-sources", "aria-label": "Sources" });
  const title = el("strong", { class: "approval-title", text: value.step?.title ?? action.description });
  const confidence = typeof value.confidence === "number"
    ? el("p", { class: "approval-confidence muted", text: `Plan confidence ${percent(value.confidence)}` }) : null;
  const decider = el("p", { class: "approval-reviewer" });
  const card = el("article", { class: "card approval-card", "data-interrupt": interrupt.id, "data-ready": "false", "aria-label": "Action waiting for your approval" },
    el("header", { class: "card-head" }, el("span", { class: "agent-badge warn", text: "Needs your approval" }), el("span", { class: "muted", text: humanise(action.kind) }), title),
    why, withheldNotice(value.withheld), sources, draftBlock(action, value), payloadFields(action), confidence, proseNote(value.prose), editor, decider);
  const buttons = el("div", { class: "approval-buttons", role: "group", "aria-label": "Decision" });
  const approve = el("button", { type: "button", class: "primary", text: "Approve", disabled: true, onclick: () => decide({ decision: "approve" }, "Approved") });
  const edit = el("button", { type: "button", text: "Edit…", disabled: true, onclick: () => { editor.hidden = !editor.hidden; if (!editor.hidden) inputs[editable[0]].focus(); } });
  const reject = el("button", { type: "button", class: "danger", text: "Reject", disabled: true, onclick: () => decide({ decision: "reject", comment: "Rejected by the rep" }, "Rejected") });
  buttons.append(approve, edit, reject);
  let current = reviewer;
  const decide = (choice, label) => {
    buttons.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    editor.hidden = true;
    card.dataset.decision = choice.decision;
    if (current?.id) card.dataset.reviewer = current.name ? `${current.name} (${current.id})` : current.id;
    status.textContent = `${label}… resuming the run.`;
    onDecide(current?.id ? { ...choice, reviewer: current.id } : choice);
  };
  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    const changed = Object.fromEntries(editable.map((key) => [key, inputs[key].value]));
    decide({ decision: "edit", action: { payload: changed } }, "Edited and approved");
  });
  card.append(buttons, status);

  // Approve and edit need the reasoning on screen; every decision needs to know who decides.
  let reasoningShown = false;
  let reasoningFailed = false;
  const refresh = () => {
    if (card.classList.contains("settled") || card.dataset.decision) return;
    const missing = current?.required && !current?.id;
    decider.textContent = missing
      ? "Choose who you are (top bar) to decide: the decision records who made it."
      : current?.id ? `Deciding as ${current.name ?? current.id} (${current.id}).` : "";
    decider.classList.toggle("error-text", Boolean(missing));
    reject.disabled = Boolean(missing) || !(reasoningShown || reasoningFailed);
    approve.disabled = edit.disabled = Boolean(missing) || !reasoningShown;
    card.dataset.ready = String(!approve.disabled);
  };
  card.setReviewer = (next) => { current = next; refresh(); };
  refresh();
  reasoningOf(value).then((found) => {
    title.textContent = found.title;
    why.replaceChildren(el("h4", { text: "Why" }), el("p", { class: "approval-reason", text: found.why }));
    sources.replaceChildren(el("h4", { text: `Sources (${found.sources.length})` }),
      found.sources.length ? el("ul", { class: "fact-list" }, found.sources.map(factItem)) : el("p", { class: "muted", text: "No record is cited for this step." }));
    reasoningShown = true;
  }).catch((error) => {
    why.replaceChildren(el("h4", { text: "Why" }), el("p", { class: "error-text", text: `The reasoning could not be loaded (${error.message}); approving is disabled, rejecting is not.` }));
    reasoningFailed = true;
  }).finally(() => { why.removeAttribute("aria-busy"); refresh(); });
  return card;
}

/** Show what became of a decided action (from the run's updates), or that the run ended. */
export function settleApproval(card, outcome) {
  const status = card.querySelector(".approval-status");
  card.classList.add("settled");
  const by = card.dataset.reviewer ? ` by ${card.dataset.reviewer}` : "";
  if (outcome === "rejected") status.textContent = `Rejected${by}: nothing was done.`;
  else if (outcome === "failed") status.textContent = "The run stopped before this action was recorded.";
  else status.textContent = `Approved${by}. ${OUTCOME_TEXT[outcome] ?? "Done."}`;
  card.dataset.outcome = outcome;
}
