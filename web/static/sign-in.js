// The sign-in form: POST /auth/sign-in sets the session cookie; then back to the page that
// sent us here (?next=, a path of this server only) or the chat.

const form = document.getElementById("sign-in");
const errorBox = document.getElementById("sign-in-error");
const submit = document.getElementById("sign-in-submit");

/** Where to go after signing in: a local path only, so a link cannot send the rep elsewhere. */
export function nextPath(search) {
  const next = new URLSearchParams(search).get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.includes("\\") ? next : "/";
}

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const password = form.elements.password.value;
  if (!name || !password) {
    showError("Enter your name and password.");
    return;
  }
  submit.disabled = true;
  showError("");
  try {
    const response = await fetch("/auth/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, password }),
    });
    if (response.ok) {
      window.location.assign(nextPath(window.location.search));
      return;
    }
    const body = await response.json().catch(() => ({}));
    showError(body.detail || `Sign-in failed (${response.status}).`);
  } catch {
    showError("The server cannot be reached. Check that it is running, then try again.");
  } finally {
    submit.disabled = false;
  }
});
