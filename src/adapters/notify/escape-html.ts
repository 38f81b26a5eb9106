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

/**
 * A visited page as HTML: a link when the CRM gave a full http(s) URL, otherwise the label with its path as
 * text (a bare path belongs to the customer's website, not to the page showing it).
 */
export function pageLink(label: string, url: string | undefined, attributes = ""): string {
  if (url && /^https?:\/\//i.test(url))
    return `<a href="${safeHref(url)}"${attributes}>${escapeHtml(label)}</a>`;
  const path = url && url !== label ? ` <span class="path">${escapeHtml(url)}</span>` : "";
  return `${escapeHtml(label)}${path}`;
}
