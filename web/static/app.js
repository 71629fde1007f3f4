// The reps' chat page: threads, streamed runs, recommendation and approval cards.
import { accountPicker } from "./account_panel.js";
import { ApiError, request, setCsrfToken, streamRun } from "./api.js";
import { approvalCard, recommendationCard, settleApproval } from "./cards.js";
import { ago, el, humanise, renderAnswer } from "./format.js";

const STREAM_MODES = ["messages-tuple", "values", "updates"];
const REP_KEY = "crm-agents.rep";
const WARM_POLL_MS = 2000;
const WARM_STEPS = { services: "agent services", graphs: "agents", memory: "memory and embeddings", language_model: "language model" };
const $ = (id) => document.getElementById(id);

const state = {
  assistants: new Map(), // graph id -> title
  graphId: "supervisor",
  threadId: null,
  account: null, // the account chip: sent as the run's focus, never added to the message
  viewed: null, // the account shown in the side panel (stays when the chip is removed)
  rep: null, // {id, name}: who asks and who decides approvals (a signed-in rep: themselves)
  me: null, // GET /auth/me: who is signed in
  reps: [],
  agentsReady: null, // null: not known yet
  run: null, // {runId, controller, bubble, tokens, values, cancelled}
  pendingApprovals: [], // approval cards waiting for the run's outcome
  decided: new Map(), // "recommendation id:index" -> outcome, for the cards' action notes
};

// Banner and connection status --------------------------------------------------------------

function showBanner(message) {
  $("banner-text").textContent = message;
  $("banner").hidden = false;
}

function setOnline(online) {
  const warming = online && state.agentsReady === false;
  document.body.dataset.connection = online ? (warming ? "warming" : "online") : "offline";
  $("connection").textContent = online ? (warming ? "Warming up…" : "Connected") : "Offline";
  if (online) $("banner").hidden = true;
}

/** Poll /info until the agents are warm; meanwhile the page says so (answers would wait). */
async function watchWarmUp() {
  let info;
  try {
    info = await request("GET", "/info");
  } catch {
    setTimeout(watchWarmUp, WARM_POLL_MS * 2);
    return;
  }
  const warm = info.warm_up ?? { state: "ready", pending: [], failed: {} };
  state.agentsReady = Boolean(info.agents_ready ?? true);
  document.body.dataset.agents = state.agentsReady ? "ready" : warm.state;
  const notice = $("warming");
  if (state.agentsReady) {
    notice.hidden = true;
  } else if (warm.state === "failed") {
    const failed = Object.entries(warm.failed ?? {}).map(([step, why]) => `${WARM_STEPS[step] ?? step}: ${why}`);
    notice.textContent = `Some parts of the agents did not load (${failed.join("; ")}). Answers that need them will fail.`;
    notice.className = "warming failed";
    notice.hidden = false;
  } else {
    const pending = (warm.pending ?? []).map((step) => WARM_STEPS[step] ?? step);
    notice.textContent = `Warming up the agents${pending.length ? ` (${pending.join(", ")})` : ""}… You can ask now; the first answer starts once they are ready.`;
    notice.className = "warming";
    notice.hidden = false;
    setTimeout(watchWarmUp, WARM_POLL_MS);
  }
  if (document.body.dataset.connection !== "offline") setOnline(true);
}

// The rep (chosen until sign-in exists) -------------------------------------------------------

function storedRep() {
  try {
    return localStorage.getItem(REP_KEY);
  } catch {
    return null; // storage disabled: the choice lasts for this page only
  }
}

const repIdOf = (rep) => rep.id ?? rep.rep_id;

function chooseRep(repId) {
  const found = state.reps.find((r) => repIdOf(r) === repId);
  state.rep = found ? { id: repIdOf(found), name: found.name } : null;
  try {
    if (state.rep) localStorage.setItem(REP_KEY, state.rep.id);
    else localStorage.removeItem(REP_KEY);
  } catch {
    // storage disabled: nothing to remember
  }
  $("rep").value = state.rep?.id ?? "";
  document.querySelectorAll(".approval-card:not(.settled)").forEach((card) => card.setReviewer?.(reviewer()));
}

/** Who decides approvals: the signed-in user, whom the server records whatever the page says. */
function reviewer() {
  const me = state.me;
  return me ? { id: me.user_id, name: me.display_name || me.name, required: true } : { required: true };
}

async function loadReps() {
  const picker = $("rep");
  try {
    state.reps = await request("GET", "/crm/reps");
  } catch (error) {
    state.reps = [];
    picker.replaceChildren(el("option", { value: "", text: "No reps listed" }));
    picker.title = `The server lists no reps (${error.message}); approvals record no reviewer.`;
    picker.disabled = true;
    return;
  }
  picker.replaceChildren(
    el("option", { value: "", text: "Choose who you are…" }),
    ...state.reps.map((r) => el("option", { value: repIdOf(r), text: [r.name, r.region ?? r.territory].filter(Boolean).join(" · ") })));
  picker.disabled = false;
  // A signed-in rep is who asks and decides; others (managers, admins) may choose.
  const own = state.me?.rep_id;
  chooseRep(own ?? state.rep?.id ?? storedRep());
  if (own && state.rep) picker.disabled = true;
}

// Who is signed in: the account menu, the session's CSRF token, and a rep's own rep id.
async function loadMe() {
  const me = await request("GET", "/auth/me");
  setCsrfToken(me.csrf_token ?? null);
  state.me = me;
  $("signed-in-as").textContent = `${me.display_name || me.name} · ${me.roles.join(", ")}`;
  $("signed-in-as").title = `Signed in as ${me.name}`;
  $("account-menu").hidden = false;
}

async function signOut() {
  try {
    await request("POST", "/auth/sign-out");
  } finally {
    window.location.assign("/sign-in");
  }
}

async function checkServer() {
  try {
    await request("GET", "/ok");
    setOnline(true);
  } catch (error) {
    setOnline(false);
    showBanner(error.message);
  }
}

// Assistants and threads --------------------------------------------------------------------

async function loadAssistants() {
  const picker = $("assistant");
  const found = await request("POST", "/assistants/search", { limit: 50 });
  const defaults = found.filter((a) => a.metadata?.created_by === "system");
  const ordered = [...defaults.filter((a) => a.graph_id === "supervisor"), ...defaults.filter((a) => a.graph_id !== "supervisor")];
  picker.replaceChildren(...ordered.map((a) => {
    const title = a.metadata?.title ?? humanise(a.graph_id);
    state.assistants.set(a.graph_id, title);
    return el("option", { value: a.graph_id, text: a.graph_id === "supervisor" ? `${title} (routes to the specialists)` : title });
  }));
  picker.value = state.graphId;
  picker.disabled = false;
}

function titleOf(graphId) {
  return state.assistants.get(graphId) ?? humanise(graphId);
}

async function loadThreads() {
  const list = $("thread-list");
  try {
    const threads = await request("POST", "/threads/search", { limit: 30, sort_by: "updated_at", sort_order: "desc" });
    list.replaceChildren(...threads.filter((t) => t.metadata?.title).map((t) => el("li", {},
      el("button", {
        type: "button", class: `thread${t.thread_id === state.threadId ? " current" : ""}`, "data-thread": t.thread_id,
        "aria-current": t.thread_id === state.threadId ? "true" : null, onclick: () => openThread(t),
      },
      el("span", { class: "thread-title", text: t.metadata.title }),
      el("small", { text: [t.metadata.account_name, titleOf(t.metadata.graph_id), ago(t.updated_at), t.status === "interrupted" ? "awaiting approval" : null].filter(Boolean).join(" · ") })))));
    if (!list.children.length) list.append(el("li", { class: "muted", text: "No conversations yet." }));
  } catch (error) {
    list.replaceChildren(el("li", { class: "error-text", text: error.message }));
  }
}

function newConversation() {
  if (state.run) return;
  state.threadId = null;
  $("log").replaceChildren(welcome());
  loadThreads();
  $("message").focus();
}

async function openThread(thread) {
  if (state.run) return;
  state.threadId = thread.thread_id;
  state.graphId = thread.metadata.graph_id ?? state.graphId;
  $("assistant").value = state.graphId;
  // The conversation's own context comes back with it: its account chip, or none.
  if (thread.metadata.account_id) setAccount({ id: thread.metadata.account_id, name: thread.metadata.account_name ?? thread.metadata.account_id }, false);
  else { state.account = null; showChip(); }
  closeDrawers();
  const log = $("log");
  log.replaceChildren(el("p", { class: "muted loading", text: "Opening the conversation…" }));
  try {
    const snapshot = await request("GET", `/threads/${thread.thread_id}/state`);
    log.replaceChildren();
    for (const message of snapshot.values?.messages ?? []) {
      if (message.type === "human") log.append(userBubble(message.content));
      else if (message.type === "ai" && message.content) log.append(assistantBubble(message.content));
    }
    showResults(snapshot.values ?? {}, snapshot.interrupts ?? []);
  } catch (error) {
    log.replaceChildren(el("p", { class: "error-text", role: "alert", text: `Could not open the conversation: ${error.message}` }));
  }
  loadThreads();
}

// Messages ----------------------------------------------------------------------------------

function welcome() {
  return el("div", { class: "welcome" },
    el("h2", { text: "What do you need to know?" }),
    el("p", { class: "muted", text: "Pick an account on the right, then ask about next steps, stakeholders, budgets, product questions or the lead's stage. Answers stream in with their sources; nothing is sent or written without your approval." }));
}

function userBubble(text) {
  return el("div", { class: "msg user" }, el("div", { class: "bubble", text }));
}

function assistantBubble(text) {
  return el("div", { class: "msg assistant" }, el("div", { class: "bubble" }, renderAnswer(text)));
}

function scrollToEnd() {
  const log = $("log");
  log.scrollTop = log.scrollHeight;
}

/** The run input: the rep's words exactly as typed, and the account chip as structured focus. */
function runInput(text) {
  const input = { messages: [{ role: "user", content: text }] };
  if (state.account) input.focus = { account_id: state.account.id };
  return input;
}

async function ensureThread(title) {
  if (state.threadId) return state.threadId;
  const metadata = { graph_id: state.graphId, title: title.slice(0, 80) };
  if (state.account) Object.assign(metadata, { account_id: state.account.id, account_name: state.account.name });
  if (state.rep) metadata.rep_id = state.rep.id;
  const thread = await request("POST", "/threads", { metadata });
  state.threadId = thread.thread_id;
  return state.threadId;
}

async function send(text) {
  const message = text.trim();
  if (!message || state.run) return;
  const log = $("log");
  log.querySelector(".welcome")?.remove();
  log.append(userBubble(message));
  $("message").value = "";
  let threadId;
  try {
    threadId = await ensureThread(message);
  } catch (error) {
    log.append(failure(error));
    if (error instanceof ApiError && error.code === "offline") { setOnline(false); showBanner(error.message); }
    return;
  }
  await runAndRender(threadId, { input: runInput(message) });
}

function failure(error) {
  return el("div", { class: "msg assistant" }, el("div", { class: "bubble error", role: "alert" },
    el("strong", { text: "Something went wrong. " }), el("span", { text: error.message })));
}

// Runs --------------------------------------------------------------------------------------

function setRunning(running) {
  document.body.classList.toggle("running", running);
  $("send").disabled = running;
  $("stop").hidden = !running;
  $("stop").disabled = !running;
  $("assistant").disabled = running;
}

async function runAndRender(threadId, payload) {
  const bubble = el("div", { class: "bubble streaming", "aria-busy": "true", "data-tokens": "0" },
    el("span", { class: "progress", text: "Working…" }), el("div", { class: "live-text" }));
  const holder = el("div", { class: "msg assistant" }, bubble);
  $("log").append(holder);
  scrollToEnd();
  const run = { runId: null, controller: new AbortController(), bubble, tokens: 0, values: null, interrupts: [], error: null, cancelled: false, threadId };
  state.run = run;
  setRunning(true);
  const body = { assistant_id: state.graphId, stream_mode: STREAM_MODES, stream_subgraphs: true, ...payload };
  // The rep asking (and deciding approvals) travels with every run, resumes included.
  if (state.rep) body.config = { configurable: { rep_id: state.rep.id } };
  try {
    await streamRun(threadId, body, { signal: run.controller.signal, onEvent: (event) => onRunEvent(run, event) });
    setOnline(true);
  } catch (error) {
    if (error.name !== "AbortError") {
      run.error = error.message;
      if (error instanceof ApiError && error.code === "offline") { setOnline(false); showBanner(error.message); }
    }
  } finally {
    state.run = null;
    setRunning(false);
    finishRun(run, holder);
    loadThreads();
  }
}

function onRunEvent(run, { event, data }) {
  const [mode, namespace] = event.split("|");
  if (mode === "metadata") run.runId = data.run_id;
  // The answer's own stream: a supervisor relays its specialists' checked text there, so the
  // specialists' namespaces (asked for to show progress) would only repeat it.
  else if (mode === "messages" && !namespace) onToken(run, data);
  else if (mode === "values" && !namespace) {
    run.values = data;
    if (data.__interrupt__) run.interrupts = data.__interrupt__;
  } else if (mode === "updates") onUpdate(run, data, namespace);
  else if (mode === "error") run.error = data.message || data.error || "The run failed.";
}

function onToken(run, [chunk]) {
  if (chunk?.type !== "AIMessageChunk" || typeof chunk.content !== "string" || !chunk.content) return;
  run.tokens += 1;
  run.bubble.dataset.tokens = String(run.tokens);
  run.bubble.querySelector(".live-text").textContent += chunk.content;
  scrollToEnd();
}

function onUpdate(run, data, namespace) {
  for (const [node, update] of Object.entries(data)) {
    if (node === "__interrupt__") continue;
    const where = namespace ? `${humanise(namespace.split(":")[0])} · ` : "";
    run.bubble.querySelector(".progress").textContent = `${where}${humanise(node)}…`;
    settleFromUpdate(update);
  }
}

/** The next action agent reports what it did with a decided action in its state updates. */
function settleFromUpdate(update) {
  if (!update || typeof update !== "object" || !state.pendingApprovals.length) return;
  const done = [...(update.outbox ?? []), ...(update.executed ?? [])];
  const skipped = update.skipped ?? [];
  for (const card of [...state.pendingApprovals]) {
    const index = Number(card.dataset.index);
    const made = done.find((record) => record.index === index);
    const dropped = skipped.find((record) => record.index === index);
    if (made || dropped) {
      const outcome = made ? made.kind : "rejected";
      settleApproval(card, outcome);
      state.decided.set(card.dataset.key, outcome);
      state.pendingApprovals = state.pendingApprovals.filter((c) => c !== card);
    }
  }
}

let runsFinished = 0;

function finishRun(run, holder) {
  // Counted on the page, so browser tests can wait for "this run has been shown".
  document.body.dataset.runsFinished = String(++runsFinished);
  const bubble = run.bubble;
  bubble.removeAttribute("aria-busy");
  bubble.classList.remove("streaming");
  bubble.querySelector(".progress").remove();
  const streamed = bubble.querySelector(".live-text").textContent;
  const answer = lastAnswer(run.values);
  if (run.cancelled) {
    bubble.classList.add("stopped");
    bubble.append(el("p", { class: "muted run-note", text: "Stopped. The answer above is incomplete." }));
  } else if (run.error) {
    bubble.classList.add("error");
    bubble.setAttribute("role", "alert");
    bubble.append(el("p", { class: "run-note" }, el("strong", { text: "The answer failed. " }), el("span", { text: run.error })));
  } else if (answer) {
    bubble.replaceChildren(renderAnswer(answer));
  } else if (!streamed && !run.interrupts.length) {
    bubble.append(el("p", { class: "muted", text: "No answer." }));
  } else if (!streamed) {
    holder.remove();
  }
  for (const card of state.pendingApprovals.splice(0)) {
    const outcome = run.error || run.cancelled ? "failed" : card.dataset.decision === "reject" ? "rejected" : "done";
    settleApproval(card, outcome);
    state.decided.set(card.dataset.key, outcome);
  }
  if (run.values && !run.cancelled && !run.error) showResults(run.values, run.interrupts);
  scrollToEnd();
}

/** The newest AI message of this turn (after the newest human message), if any. */
function lastAnswer(values) {
  const messages = values?.messages ?? [];
  const human = messages.map((m) => m.type).lastIndexOf("human");
  const reply = messages.slice(human + 1).reverse().find((m) => m.type === "ai" && m.content);
  return reply ? String(reply.content) : "";
}

/** How a recommendation's action stands: waiting in an approval card, decided, or neither. */
function actionStates(rec, values, interrupts) {
  const waiting = new Set((interrupts ?? []).filter((i) => i.value?.recommendation_id === rec.id).map((i) => i.value.index));
  // The next action agent's own state lists what it did with each action.
  const own = values.recommendation?.id === rec.id;
  const recorded = own ? [...(values.outbox ?? []), ...(values.executed ?? [])] : [];
  const skipped = own ? values.skipped ?? [] : [];
  return (index) => {
    if (waiting.has(index)) return { status: "pending" };
    const outcome = state.decided.get(`${rec.id}:${index}`)
      ?? recorded.find((r) => r.index === index)?.kind
      ?? (skipped.some((r) => r.index === index) ? "rejected" : null);
    if (outcome) return { status: "decided", outcome };
    // Only the next action agent pauses for approval, one action at a time: an action after the
    // one waiting comes up next; with nothing waiting, the plan was decided.
    if (rec.agent !== "next_action") return null;
    return waiting.size && index > Math.min(...waiting) ? { status: "queued" } : { status: "reviewed" };
  };
}

/** Recommendation cards and approval cards of a state. */
function showResults(values, interrupts) {
  const log = $("log");
  const card = (rec, title) => recommendationCard(rec, title, { actionState: actionStates(rec, values, interrupts) });
  const specialists = Object.entries(values.results ?? {}).filter(([, r]) => r?.recommendation);
  if (specialists.length) {
    for (const [graphId, result] of specialists) log.append(card(result.recommendation, titleOf(graphId)));
  } else if (values.recommendation) {
    log.append(card(values.recommendation, titleOf(values.recommendation.agent)));
  }
  for (const interrupt of interrupts ?? []) {
    if (!interrupt.value?.action) continue;
    const approval = approvalCard(interrupt, (decision) => resume(interrupt, interrupts, decision, approval), { reviewer: reviewer() });
    approval.dataset.index = String(interrupt.value.index);
    approval.dataset.key = `${interrupt.value.recommendation_id}:${interrupt.value.index}`;
    log.append(approval);
  }
}

async function resume(interrupt, interrupts, decision, card) {
  if (state.run) return;
  state.pendingApprovals.push(card);
  // One pending interrupt takes the value; several (parallel specialists) take a map by id.
  const value = interrupts.length > 1 ? { [interrupt.id]: decision } : decision;
  await runAndRender(state.threadId, { command: { resume: value } });
}

async function stop() {
  const run = state.run;
  if (!run || run.cancelled) return;
  run.cancelled = true;
  $("stop").disabled = true;
  if (run.runId) {
    try {
      await request("POST", `/threads/${run.threadId}/runs/${run.runId}/cancel`);
    } catch {
      // Ended already (409) or unreachable: closing the stream below is all that is left.
    }
  }
  run.controller.abort();
}

// Accounts and layout -----------------------------------------------------------------------

let picker;

function showChip() {
  const account = state.account;
  $("account-chip").hidden = !account;
  $("account-chip-text").textContent = account ? `${account.name} · ${account.id}` : "";
  $("account-chip").title = account ? `Questions are about ${account.name} unless they name another subject or your portfolio.` : "";
  $("account-chip-remove").setAttribute("aria-label", account ? `Remove ${account.name} from the question` : "Remove the account");
  const add = $("account-chip-add");
  add.hidden = Boolean(account) || !state.viewed;
  if (state.viewed) add.textContent = `+ ${state.viewed.name}`;
  add.setAttribute("aria-label", state.viewed ? `Ask about ${state.viewed.name}` : "");
  $("no-account").hidden = Boolean(account);
}

function setAccount(account, load = true) {
  const changed = state.viewed?.id !== account.id;
  state.account = account;
  state.viewed = account;
  showChip();
  $("account-search").value = account.name;
  if (changed && load) {
    if (state.threadId && !state.run) newConversation();
  }
  if (changed || load) picker.show(account);
}

/** Show an account in the panel without making it the question's context. */
function viewAccount(account) {
  state.viewed = account;
  showChip();
  $("account-search").value = account.name;
  picker.show(account);
}

/** The chip goes; the panel keeps the account, and nothing about it is sent any more. */
function removeAccountChip() {
  state.account = null;
  showChip();
  $("message").focus();
}

function closeDrawers() {
  document.body.classList.remove("threads-open", "account-open");
  $("toggle-threads").setAttribute("aria-expanded", "false");
  $("toggle-account").setAttribute("aria-expanded", "false");
}

function toggleDrawer(name, button) {
  const open = !document.body.classList.contains(`${name}-open`);
  closeDrawers();
  document.body.classList.toggle(`${name}-open`, open);
  button.setAttribute("aria-expanded", String(open));
}

function wire() {
  const form = $("composer");
  const box = $("message");
  form.addEventListener("submit", (event) => { event.preventDefault(); send(box.value); });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send(box.value);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (state.run) stop();
      else closeDrawers();
    }
  });
  $("stop").addEventListener("click", stop);
  $("new-thread").addEventListener("click", newConversation);
  $("assistant").addEventListener("change", (event) => {
    state.graphId = event.target.value;
    if (state.threadId) newConversation();
  });
  $("banner-retry").addEventListener("click", async () => { await checkServer(); if (document.body.dataset.connection === "online") boot(); });
  $("account-chip-remove").addEventListener("click", removeAccountChip);
  $("account-chip-add").addEventListener("click", () => { state.account = state.viewed; showChip(); $("message").focus(); });
  $("rep").addEventListener("change", (event) => chooseRep(event.target.value));
  $("sign-out").addEventListener("click", signOut);
  $("toggle-threads").addEventListener("click", (e) => toggleDrawer("threads", e.currentTarget));
  $("toggle-account").addEventListener("click", (e) => toggleDrawer("account", e.currentTarget));
  document.querySelectorAll("[data-prompt]").forEach((button) => button.addEventListener("click", () => send(button.dataset.prompt)));
  picker = accountPicker({
    input: $("account-search"),
    list: $("account-results"),
    panel: $("account-overview"),
    onChoose: (account) => setAccount(account),
    onAsk: (question) => send(question),
  });
}

async function boot() {
  try {
    await loadMe();
    await loadAssistants();
    setOnline(true);
  } catch (error) {
    setOnline(false);
    showBanner(error.message);
    return;
  }
  watchWarmUp();
  await loadReps();
  await loadThreads();
  // The panel shows an account to start from; it becomes the question's context only when the
  // rep chooses it (search, or the "+ account" button beside "About").
  // Never over what the rep has started typing into the search box meanwhile.
  const first = await request("GET", "/crm/accounts?limit=1").catch(() => []);
  const search = $("account-search");
  const typing = search.value !== "" || document.activeElement === search;
  if (first.length && !state.viewed && !typing) viewAccount(first[0]);
}

wire();
$("log").replaceChildren(welcome());
boot();
setInterval(checkServer, 15000);
