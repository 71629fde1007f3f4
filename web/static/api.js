// Talks to this server's API: JSON requests, and run streams read as Server-Sent Events.
// EventSource cannot POST, so streams are read with fetch and a ReadableStream.

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

const OFFLINE = "The server cannot be reached. Check that it is running, then try again.";
const CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// The session's CSRF token (GET /auth/me): every change the page makes carries it, so another
// site that makes the browser send our cookie cannot act in the rep's name.
let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

function headersFor(method, headers) {
  return CHANGING.has(method) && csrfToken ? { ...headers, "x-csrf-token": csrfToken } : headers;
}

/** The session ended (signed out elsewhere, expired): back to the sign-in page, then here. */
function signInAgain() {
  window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not our JSON error shape (a proxy page, say): fall back to the status line.
  }
  const detail = body?.detail ?? body?.message ?? `${response.status} ${response.statusText}`;
  return new ApiError(response.status, body?.code ?? "http_error", String(detail));
}

/** One JSON request; resolves to the parsed body (null for 204), rejects with ApiError. */
export async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headersFor(method, body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "offline", OFFLINE);
  }
  if (response.status === 401) signInAgain();
  if (!response.ok) throw await errorFrom(response);
  return response.status === 204 ? null : response.json();
}

/** Parse SSE frames out of text; returns [events, unparsed rest]. */
export function parseFrames(buffer) {
  const events = [];
  const frames = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = frames.pop();
  for (const frame of frames) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (!line || line.startsWith(":")) continue; // heartbeat comments
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length) events.push({ event, data: JSON.parse(data.join("\n")) });
  }
  return [events, rest];
}

/**
 * POST a run and call onEvent({event, data}) for each event as it arrives.
 * Resolves when the stream ends; rejects with ApiError (offline, 4xx) or an AbortError.
 */
export async function streamRun(threadId, body, { onEvent, signal }) {
  let response;
  try {
    response = await fetch(`/threads/${encodeURIComponent(threadId)}/runs/stream`, {
      method: "POST",
      headers: headersFor("POST", { "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "offline", OFFLINE);
  }
  if (response.status === 401) signInAgain();
  if (!response.ok) throw await errorFrom(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const [events, rest] = parseFrames(buffer + value);
      buffer = rest;
      events.forEach(onEvent);
    }
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "offline", "The connection to the server was lost during the answer.");
  }
}
