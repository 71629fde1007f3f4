// The relationship agent's stakeholder map drawn as an SVG org chart: size is influence,
// fill is sentiment, the ring is our coverage, badges are roles. A text table says the same.
import { day, el, percent, svg } from "./format.js";

const ROLE_LABELS = {
  decision_maker: "Decision maker",
  economic_buyer: "Economic buyer",
  champion: "Champion",
  blocker: "Blocker",
  influencer: "Influencer",
};
const ROLE_SHORT = {
  decision_maker: "DM",
  economic_buyer: "EB",
  champion: "CH",
  blocker: "BL",
  influencer: "IN",
};
const COVERAGE = {
  active: { label: "Active (3+ two-way contacts in a year)", dash: null, width: 4 },
  thin: { label: "Thin (1-2 two-way contacts)", dash: null, width: 2 },
  lapsed: { label: "Lapsed (none for over a year)", dash: "6 4", width: 2 },
  unanswered: { label: "Unanswered (only our attempts)", dash: "2 3", width: 2 },
  none: { label: "None (no interaction)", dash: "1 5", width: 1.5 },
};
const COLUMN = 150;
const ROW = 120;

/** Sentiment in [-1, 1] -> red through grey to green. */
export function sentimentColour(sentiment) {
  const s = Math.max(-1, Math.min(1, Number(sentiment) || 0));
  const hue = s >= 0 ? 145 : 4;
  const saturation = Math.round(12 + 58 * Math.abs(s));
  const lightness = Math.round(62 - 14 * Math.abs(s));
  return `hsl(${hue} ${saturation}% ${lightness}%)`;
}

function sentimentWord(node) {
  if (!node.sentiment_cues) return "no wording";
  if (node.sentiment > 0.1) return "positive";
  if (node.sentiment < -0.1) return "negative";
  return "neutral";
}

/** Depth of each node in the reporting forest (edges: source reports to target). */
function levels(nodes, edges) {
  const manager = new Map(edges.map((edge) => [edge.source, edge.target]));
  const depth = new Map();
  const depthOf = (id, seen = new Set()) => {
    if (depth.has(id)) return depth.get(id);
    const boss = manager.get(id);
    const d = boss && !seen.has(boss) && nodes.some((n) => n.contact_id === boss)
      ? depthOf(boss, new Set([...seen, id])) + 1
      : 0;
    depth.set(id, d);
    return d;
  };
  nodes.forEach((node) => depthOf(node.contact_id));
  const rows = [];
  // Order each row by manager position, so reports sit under their managers.
  const order = new Map();
  const sorted = [...nodes].sort((a, b) => depth.get(a.contact_id) - depth.get(b.contact_id));
  for (const node of sorted) {
    const d = depth.get(node.contact_id);
    (rows[d] ??= []).push(node);
  }
  rows.forEach((row) => {
    row.sort((a, b) => (order.get(manager.get(a.contact_id)) ?? 0) - (order.get(manager.get(b.contact_id)) ?? 0)
      || b.influence - a.influence);
    row.forEach((node, index) => order.set(node.contact_id, index));
  });
  return rows;
}

function drawGraph(map, titleId, descId) {
  const rows = levels(map.nodes, map.edges);
  const widest = Math.max(1, ...rows.map((row) => row.length));
  const width = widest * COLUMN;
  const height = rows.length * ROW + 10;
  const position = new Map();
  rows.forEach((row, depth) => {
    const offset = (width - row.length * COLUMN) / 2;
    row.forEach((node, index) => {
      position.set(node.contact_id, { x: offset + index * COLUMN + COLUMN / 2, y: depth * ROW + 48 });
    });
  });
  const lines = map.edges
    .filter((edge) => position.has(edge.source) && position.has(edge.target))
    .map((edge) => {
      const from = position.get(edge.source);
      const to = position.get(edge.target);
      return svg("path", {
        class: "sm-edge",
        d: `M${from.x},${from.y} C${from.x},${from.y - ROW / 2} ${to.x},${to.y + ROW / 2} ${to.x},${to.y}`,
      });
    });
  const people = map.nodes.map((node) => {
    const { x, y } = position.get(node.contact_id);
    const radius = 12 + 22 * node.influence;
    const coverage = COVERAGE[node.coverage] ?? COVERAGE.none;
    const roles = node.roles.map((role) => ROLE_SHORT[role]).join(" ");
    return svg(
      "g",
      { class: `sm-node${node.roles.includes("decision_maker") ? " sm-dm" : ""}`, "data-contact": node.contact_id },
      svg("title", { text: `${node.name}, ${node.title}` }),
      svg("circle", {
        cx: x, cy: y, r: radius + 4, class: `sm-ring sm-${node.coverage}`,
        "stroke-width": coverage.width, "stroke-dasharray": coverage.dash,
      }),
      svg("circle", { cx: x, cy: y, r: radius, fill: sentimentColour(node.sentiment), class: "sm-person" }),
      roles ? svg("text", { x, y: y + 4, class: "sm-role", text: roles }) : null,
      svg("text", { x, y: y + radius + 18, class: "sm-name", text: node.name }),
      svg("text", { x, y: y + radius + 31, class: "sm-title", text: node.title.slice(0, 26) }),
    );
  });
  return svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`, role: "img", class: "sm-svg",
      "aria-labelledby": `${titleId} ${descId}`, preserveAspectRatio: "xMidYMin meet",
    },
    svg("title", { id: titleId, text: `Stakeholder map of ${map.account_name}` }),
    svg("desc", {
      id: descId,
      text: `${map.nodes.length} people; lines show who reports to whom. The table below lists the same.`,
    }),
    lines,
    people,
  );
}

function legend() {
  const swatch = (value, label) =>
    el("li", {}, el("span", { class: "sm-swatch", style: `background:${sentimentColour(value)}` }), label);
  const ring = (key) =>
    el("li", {}, el("span", { class: `sm-ring-swatch sm-${key}` }), COVERAGE[key].label.split(" (")[0]);
  return el(
    "div",
    { class: "sm-legend", "aria-label": "Legend" },
    el("p", { text: "Size: influence. Fill: sentiment. Ring: our coverage." }),
    el("ul", { class: "sm-legend-list" }, swatch(-1, "Negative"), swatch(0, "Neutral / no wording"), swatch(1, "Positive")),
    el("ul", { class: "sm-legend-list" }, ...Object.keys(COVERAGE).map(ring)),
    el("ul", { class: "sm-legend-list" },
      ...Object.entries(ROLE_SHORT).map(([role, short]) => el("li", {}, el("b", { text: short }), ` ${ROLE_LABELS[role]}`))),
  );
}

function table(map) {
  const body = [...map.nodes]
    .sort((a, b) => b.influence - a.influence)
    .map((node) =>
      el(
        "tr",
        {},
        el("th", { scope: "row" }, el("span", { text: node.name }), el("small", { text: node.title })),
        el("td", { text: node.roles.map((r) => ROLE_LABELS[r]).join(", ") || "-" }),
        el("td", { text: percent(node.influence) }),
        el("td", { text: `${sentimentWord(node)} (${node.sentiment.toFixed(2)})` }),
        el("td", { text: node.coverage }),
        el("td", { text: node.last_contact ? day(node.last_contact) : "never" }),
      ),
    );
  return el(
    "table",
    { class: "sm-table" },
    el("caption", { text: "People on the map" }),
    el("thead", {}, el("tr", {}, ...["Person", "Roles", "Influence", "Sentiment", "Coverage", "Last contact"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, body),
  );
}

let counter = 0;

/** A figure with the drawn map, its legend, who to engage next and the same data as a table. */
export function renderStakeholderMap(map) {
  counter += 1;
  const titleId = `sm-title-${counter}`;
  const descId = `sm-desc-${counter}`;
  const engage = (map.engage_next ?? []).map((step) =>
    el("li", {}, el("b", { text: `${step.name} (${step.title})` }), ` — ${step.action}`));
  return el(
    "figure",
    { class: "stakeholder-map", "aria-label": `Stakeholder map of ${map.account_name}` },
    el("figcaption", {},
      el("strong", { text: `Stakeholder map · ${map.account_name}` }),
      el("span", { class: "muted", text: ` map confidence ${percent(map.confidence)}` })),
    map.nodes.length ? el("div", { class: "sm-canvas" }, drawGraph(map, titleId, descId)) : el("p", { text: "No contacts on record yet." }),
    legend(),
    engage.length ? el("div", { class: "sm-engage" }, el("h4", { text: "Engage next" }), el("ol", {}, engage)) : null,
    el("details", { class: "sm-details" }, el("summary", { text: "People as a list" }), table(map)),
  );
}
