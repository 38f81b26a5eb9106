const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. CRM data is never trusted markup. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A URL safe to put in `href`: http(s) only, escaped; anything else (javascript:, data:) becomes "#". */
export function safeHref(url: string | undefined): string {
  if (!url) return "#";
  try {
    const parsed = new URL(url, "https://relative.invalid");
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "#";
  } catch {
    return "#";
  }
  return escapeHtml(url);
}
