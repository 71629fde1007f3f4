// Small formatting helpers shared by the page's modules. Text always goes in via textContent.

/** Create an element: el("p", {class: "x", text: "..."}, child1, child2). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes. */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") node.textContent = value;
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  children.flat().forEach((child) => child && node.append(child));
  return node;
}

/**
 * The agents' answers use a little Markdown: "## headings", numbered and bulleted lines,
 * blank-line paragraphs. Rendered as elements; nothing is parsed as HTML.
 */
export function renderAnswer(text) {
  const root = el("div", { class: "answer-text" });
  let list = null;
  for (const raw of String(text).split("\n")) {
    const line = raw.trimEnd();
    const heading = line.match(/^#{1,4}\s+(.*)$/);
    const item = line.match(/^\s*(?:[-*]|\d+[.)])\s+(.*)$/);
    if (item) {
      if (!list) {
        list = el(/^\s*\d/.test(line) ? "ol" : "ul");
        root.append(list);
      }
      list.append(el("li", { text: item[1] }));
      continue;
    }
    list = null;
    if (heading) root.append(el("h3", { text: heading[1] }));
    else if (line) root.append(el("p", { text: line }));
  }
  return root;
}

export function percent(value) {
  return `${Math.round(Number(value) * 100)}%`;
}

export function money(amount, currency = "CNY") {
  const number = Number(amount);
  if (!Number.isFinite(number)) return String(amount);
  return `${currency} ${number.toLocaleString("en-GB", { maximumFractionDigits: 0 })}`;
}

export function day(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? String(iso)
    : date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

export function ago(iso) {
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return day(iso);
}

/** "next_action" -> "Next action". */
export function humanise(name) {
  const text = String(name ?? "").replace(/[_-]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
