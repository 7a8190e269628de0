// The page a refused single sign-on answers with: what happened in words, and the way back. Plain
// HTML from the server (no session, so no dashboard), escaped, with no script.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function refusalPage(message: string, code: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in refused · Trellis</title>
<style>
  body { font-family: system-ui, sans-serif; color: #1a1a1a; margin: 0; }
  main { max-width: 34rem; margin: 4rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; }
  p.reason { font-size: 1.05rem; line-height: 1.5; }
  p.code { color: #555; font-size: 0.85rem; }
  a { color: #0b57d0; }
</style>
</head>
<body>
<main>
  <h1>You are not signed in</h1>
  <p class="reason" role="alert" data-code="${escapeHtml(code)}">${escapeHtml(message)}</p>
  <p><a href="/login">Back to the sign-in page</a></p>
  <p class="code">Reason code for your Trellis admin: <code>${escapeHtml(code)}</code> (recorded in the audit log).</p>
</main>
</body>
</html>
`;
}
