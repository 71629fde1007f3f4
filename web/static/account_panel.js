// The account picker (search by name or id) and the side panel: key facts, lead score, open
// deals and recent behaviour, read from /crm/accounts.
import { request } from "./api.js";
import { ago, day, el, humanise, money, percent } from "./format.js";

const ACTIVITY_ICONS = {
  web_visit: "W", content_download: "D", email_in: "E", email_out: "E", call_answered: "C",
  call_missed: "C", meeting: "M", tender_announcement: "T",
};

/**
 * Wire the picker. ``onChoose(account)`` is called with the chosen account record.
 * Returns {show(account)} to load an account's overview into ``panel``.
 */
export function accountPicker({ input, list, panel, onChoose, onAsk }) {
  let timer = null;
  let results = [];
  let shownFor = null; // the text the shown results answer
  let latest = 0; // the newest search sent: an older answer arriving late is dropped
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
  };
  const choose = (account) => {
    close();
    input.value = account.name;
    onChoose(account);
  };
  const search = async () => {
    clearTimeout(timer);
    const query = input.value;
    const ticket = ++latest;
    let found;
    try {
      found = await request("GET", `/crm/accounts?limit=12&q=${encodeURIComponent(query)}`);
    } catch (error) {
      if (ticket !== latest) return;
      results = [];
      shownFor = null;
      list.replaceChildren(el("li", { class: "error-text", role: "option", "aria-disabled": "true", text: error.message }));
      list.hidden = false;
      return;
    }
    if (ticket !== latest) return;
    results = found;
    shownFor = query;
    list.replaceChildren(
      ...(results.length
        ? results.map((account, i) => el("li", {
            id: `account-option-${i}`, role: "option", "aria-selected": "false", "data-account": account.id,
            onmousedown: (e) => { e.preventDefault(); choose(account); },
          }, el("span", { text: account.name }), el("small", { text: `${account.id} · ${account.city}` })))
        : [el("li", { class: "muted", role: "option", "aria-disabled": "true", text: "No account matches." })]),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("focus", () => { if (!input.value) search(); });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && results.length) {
      event.preventDefault();
      if (list.hidden) search();
      highlight(Math.min(active + 1, results.length - 1));
    } else if (event.key === "ArrowUp" && results.length) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      event.preventDefault();
      // Typed faster than the list followed: choose from what the text now finds, never
      // from the answer to an earlier query.
      const pending = shownFor !== input.value;
      const shown = list.hidden ? undefined : results[active >= 0 ? active : 0];
      const pick = pending ? search().then(() => results[0]) : Promise.resolve(shown);
      pick.then((account) => { if (account && shownFor === input.value) choose(account); });
    } else if (event.key === "Escape" && !list.hidden) {
      event.stopPropagation();
      close();
    }
  });

  // The newest account asked for: an older overview arriving late never replaces it.
  let showing = 0;
  async function show(account) {
    const ticket = ++showing;
    panel.setAttribute("aria-busy", "true");
    panel.replaceChildren(el("p", { class: "muted loading", text: `Loading ${account.name}…` }));
    let content;
    try {
      const overview = await request("GET", `/crm/accounts/${encodeURIComponent(account.id)}`);
      content = renderOverview(overview, onAsk);
    } catch (error) {
      content = [el("p", { class: "error-text", role: "alert", text: `Could not load the account: ${error.message}` })];
    }
    if (ticket !== showing) return;
    panel.replaceChildren(...content);
    panel.removeAttribute("aria-busy");
  }
  return { show };
}

function fact(label, value) {
  return value === null || value === undefined || value === "" ? null : [el("dt", { text: label }), el("dd", { text: String(value) })];
}

function scoreBlock(score, account, onAsk) {
  if (!score) {
    return el("section", { class: "score none", "aria-label": "Lead score" },
      el("p", { text: "No lead score yet: scores are stored when behaviour events arrive." }),
      el("button", { type: "button", onclick: () => onAsk(`What buying stage is ${account.name} in, and how do you score this lead?`), text: "Ask for a score" }));
  }
  return el("section", { class: "score", "aria-label": "Lead score" },
    el("span", { class: `grade grade-${score.grade}`, text: score.grade, "aria-label": `Grade ${score.grade}` }),
    el("div", {},
      el("strong", { text: `${score.score}/100 · ${humanise(score.stage)}` }),
      el("small", { text: `confidence ${percent(score.confidence)} · next: ${humanise(score.route)} · ${ago(score.created_at)}` })));
}

function renderOverview(overview, onAsk) {
  const { account } = overview;
  const budget = overview.latest_budget;
  return [
    el("h2", { class: "account-name", text: account.name }),
    el("p", { class: "muted", text: [account.id, humanise(account.hospital_type ?? account.industry), `${account.city}, ${account.region}`].join(" · ") }),
    scoreBlock(overview.lead_score, account, onAsk),
    el("dl", { class: "key-facts" },
      fact("Tier", humanise(account.tier)),
      fact("Beds", account.beds),
      fact("Contacts", overview.contacts),
      fact("Open pipeline", money(overview.open_pipeline)),
      fact("Deals won / lost", `${overview.deals_won} / ${overview.deals_lost}`),
      fact(budget ? `Budget ${budget.year}` : "Budget", budget ? money(budget.amount, budget.currency) : "unknown"),
      fact("Last activity", overview.last_activity_at ? day(overview.last_activity_at) : "none")),
    el("section", { "aria-label": "Open deals" },
      el("h3", { text: `Open deals (${overview.open_deals.length})` }),
      overview.open_deals.length
        ? el("ul", { class: "deal-list" }, overview.open_deals.map((deal) => el("li", {},
            el("span", { class: "deal-name", text: deal.name }),
            el("small", { text: `${humanise(deal.stage)} · ${money(deal.amount, deal.currency)}${deal.close_date ? ` · closes ${day(deal.close_date)}` : ""}` }))))
        : el("p", { class: "muted", text: "No open deals." })),
    el("section", { "aria-label": "Recent behaviour" },
      el("h3", { text: "Recent behaviour" }),
      el("ul", { class: "activity-list" }, overview.recent_activities.map((a) => el("li", {},
        el("span", { class: `activity-icon kind-${a.kind}`, "aria-hidden": "true", text: ACTIVITY_ICONS[a.kind] ?? "·" }),
        el("div", {},
          el("span", { text: a.subject || humanise(a.kind) }),
          el("small", { text: `${humanise(a.kind)} · ${day(a.occurred_at)}` })))))),
  ];
}
