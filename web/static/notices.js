// Notices a card carries about its inputs and its wording: records consent withheld from the
// agent (Recommendation.data.withheld) and model text replaced by checked wording
// (Recommendation.data.prose).
import { el } from "./format.js";

const KIND_NAMES = {
  meeting: ["meeting", "meetings"],
  email: ["e-mail", "e-mails"],
  email_in: ["incoming e-mail", "incoming e-mails"],
  email_out: ["outgoing e-mail", "outgoing e-mails"],
  call: ["call", "calls"],
  note: ["note", "notes"],
  contact: ["contact", "contacts"],
  deal: ["deal", "deals"],
  download: ["download", "downloads"],
  web_visit: ["web visit", "web visits"],
};

function counted(count, kind) {
  const [one, many] = KIND_NAMES[kind] ?? [`${kind.replace(/_/g, " ")} record`, `${kind.replace(/_/g, " ")} records`];
  return `${count} ${count === 1 ? one : many}`;
}

function joined(parts) {
  if (parts.length < 2) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/** "3 meetings and 6 e-mails are withheld: <reason>", or null when nothing was withheld. */
// Conversations first (what a rep most needs to know was missing), then other records.
const ORDER = ["meeting", "email", "email_in", "email_out", "call", "note", "deal", "contact"];
const rank = (kind) => (ORDER.includes(kind) ? ORDER.indexOf(kind) : ORDER.length);

function countsOf(map) {
  return Object.entries(map ?? {}).filter(([, count]) => Number(count) > 0).sort(([a], [b]) => rank(a) - rank(b));
}

export function withheldText(withheld) {
  if (!withheld || typeof withheld !== "object") return null;
  const counts = countsOf(withheld.records);
  const records = counts.map(([kind, count]) => counted(Number(count), kind));
  const people = Number(withheld.people) || 0;
  if (!records.length && !people) return null;
  const what = records.length ? joined(records) : `${people} ${people === 1 ? "person" : "people"}`;
  const total = records.length ? counts.reduce((sum, [, count]) => sum + Number(count), 0) : people;
  const verb = total === 1 ? "is" : "are";
  const reason = String(withheld.reason ?? "").trim().replace(/\.$/, "");
  const lead = `${what} ${verb} withheld`;
  const about = records.length && people ? ` (${people} ${people === 1 ? "person" : "people"} without consent)` : "";
  return `${lead}${about}${reason ? `: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}` : ""}.`;
}

/** "In 3 deals and 5 meetings only their part is hidden.", or null. */
export function partialText(withheld) {
  const counts = countsOf(withheld?.partial);
  if (!counts.length) return null;
  return `In ${joined(counts.map(([kind, count]) => counted(Number(count), kind)))} only their part is hidden; the rest was used.`;
}

/** The withheld-data notice of a card, or null. */
export function withheldNotice(withheld) {
  const text = withheldText(withheld);
  if (!text) return null;
  return el("div", { class: "notice withheld", role: "note", "aria-label": "Withheld data" },
    el("strong", { text: "Not everything was visible to the agent. " }),
    el("span", { class: "withheld-text", text: text.charAt(0).toUpperCase() + text.slice(1) }),
    partialText(withheld) ? el("span", { class: "withheld-partial", text: ` ${partialText(withheld)}` }) : null,
    el("span", { class: "muted", text: " The answer and its confidence take this into account; check these records yourself before acting." }));
}

const PROSE_TEXT = {
  replaced: "The model's wording did not pass the checks, so the standard wording is shown.",
  partial: "Part of the model's wording did not pass the checks and was replaced by the standard wording.",
};

/** A discreet line when checked prose replaced the model's text, or null. */
export function proseNote(prose) {
  const text = PROSE_TEXT[prose?.status];
  if (!text) return null;
  const problems = (prose.problems ?? []).map((p) => (typeof p === "string" ? p : p?.message ?? p?.check ?? JSON.stringify(p)));
  return el("p", { class: "prose-note muted", title: problems.length ? `Checks failed: ${problems.join("; ")}` : null, text });
}
