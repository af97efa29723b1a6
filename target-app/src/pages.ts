// The HTML pages for people: the login form and the profile page naming the instance that served it.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function page(title: string, instanceId: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
${body}
<p><small>served by instance <strong class="instance">${escapeHtml(instanceId)}</strong></small></p>
</body>
</html>
`;
}

export function loginPage(instanceId: string): string {
  return page(
    "Log in",
    instanceId,
    `<h1>Log in</h1>
<form method="post" action="/login">
  <label>Username <input name="username" required maxlength="64" pattern="[A-Za-z0-9_.@\\-]+"></label>
  <button type="submit">Log in</button>
</form>`,
  );
}

export function profilePage(username: string, profile: Record<string, string>, instanceId: string): string {
  const rows = Object.entries(profile)
    .map(([key, value]) => `  <tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join("\n");
  return page(
    `Profile of ${username}`,
    instanceId,
    `<h1>Hello, <span class="username">${escapeHtml(username)}</span></h1>
<table class="profile">
${rows || "  <tr><td>(no fields yet)</td></tr>"}
</table>
<form method="post" action="/profile">
  <label>Key <input name="key" required maxlength="64"></label>
  <label>Value <input name="value" maxlength="1024"></label>
  <button type="submit">Save</button>
</form>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`,
  );
}
