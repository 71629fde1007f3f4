// The reps' chat page: threads, streamed runs, recommendation and approval cards.
import { accountPicker } from "./account_panel.js";
import { ApiError, request, streamRun } from "./api.js";
import { approvalCard, recommendationCard, settleApproval } from "./cards.js";
import { ago, el, humanise, renderAnswer } from "./format.js";

const STREAM_MODES = ["messages-tuple", "values", "updates"];
const $ = (id) => document.getElementById(id);

const state = {
  assistants: new Map(), // graph id -> title
  graphId: "supervisor",
  threadId: null,
  account: null,
  run: null, // {runId, controller, bubble, tokens, values, cancelled}
  pendingApprovals: [], // approval cards waiting for the run's outcome
};

// Banner and connection status --------------------------------------------------------------

function showBanner(message) {
  $("banner-text").textContent = message;
  $("banner").hidden = false;
}

function setOnline(online) {
  document.body.dataset.connection = online ? "online" : "offline";
  $("connection").textContent = online ? "Connected" : "Offline";
  if (online) $("banner").hidden = true;
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
  if (thread.metadata.account_id) setAccount({ id: thread.metadata.account_id, name: thread.metadata.account_name ?? thread.metadata.account_id }, false);
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

/** The text sent: the rep's words, plus the chosen account when they do not name it. */
function withAccount(text) {
  const account = state.account;
  if (!account) return text;
  const lower = text.toLowerCase();
  if (lower.includes(account.id.toLowerCase()) || lower.includes(account.name.toLowerCase())) return text;
  return `${text}\n\n(Account: ${account.name}, ${account.id})`;
}

async function ensureThread(title) {
  if (state.threadId) return state.threadId;
  const metadata = { graph_id: state.graphId, title: title.slice(0, 80) };
  if (state.account) Object.assign(metadata, { account_id: state.account.id, account_name: state.account.name });
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
  await runAndRender(threadId, { input: { messages: [{ role: "user", content: withAccount(message) }] } });
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
  else if (mode === "messages") onToken(run, data);
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
      settleApproval(card, made ? made.kind : "rejected");
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
  for (const card of state.pendingApprovals.splice(0)) settleApproval(card, run.error || run.cancelled ? "failed" : card.dataset.decision === "reject" ? "rejected" : "done");
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

/** Recommendation cards and approval cards of a state. */
function showResults(values, interrupts) {
  const log = $("log");
  const specialists = Object.entries(values.results ?? {}).filter(([, r]) => r?.recommendation);
  if (specialists.length) {
    for (const [graphId, result] of specialists) log.append(recommendationCard(result.recommendation, titleOf(graphId)));
  } else if (values.recommendation) {
    log.append(recommendationCard(values.recommendation, titleOf(values.recommendation.agent)));
  }
  for (const interrupt of interrupts ?? []) {
    if (!interrupt.value?.action) continue;
    const card = approvalCard(interrupt, (decision) => resume(interrupt, interrupts, decision, card));
    card.dataset.index = String(interrupt.value.index);
    log.append(card);
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

function setAccount(account, load = true) {
  const changed = state.account?.id !== account.id;
  state.account = account;
  $("account-chip").textContent = account.name;
  $("account-chip").hidden = false;
  $("account-search").value = account.name;
  if (changed && load) {
    if (state.threadId && !state.run) newConversation();
  }
  if (changed || load) picker.show(account);
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
    await loadAssistants();
    setOnline(true);
  } catch (error) {
    setOnline(false);
    showBanner(error.message);
    return;
  }
  await loadThreads();
  const first = await request("GET", "/crm/accounts?limit=1").catch(() => []);
  if (first.length && !state.account) setAccount(first[0], true);
}

wire();
$("log").replaceChildren(welcome());
boot();
setInterval(checkServer, 15000);
