import { escapeHtml } from "../../adapters/notify/escape-html";

/** The sign-in form of `/admin`: one field, the admin token; styled by the dashboard's own stylesheet. */
export function renderLoginPage(options: { error?: string } = {}): string {
  const error =
    options.error === undefined
      ? ""
      : `<p class="login-error" role="alert" data-testid="login-error">${escapeHtml(options.error)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Handoff admin</title>
<link rel="stylesheet" href="/admin/assets/dashboard.css">
</head>
<body class="login">
<main class="login-box">
  <h1><span class="logo" aria-hidden="true">⇄</span> Handoff admin</h1>
  <p class="muted">The dashboard of your marketing-to-sales SLA. Sign in with the admin token
  (<code>HANDOFF_ADMIN_TOKEN</code>; <code>npm start</code> prints it once).</p>
  ${error}
  <form method="post" action="/admin/login">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <button type="submit">Sign in</button>
  </form>
</main>
</body>
</html>
`;
}
