/**
 * Adds the user's signature behind the usual "-- " separator (RFC 3676 §4.3),
 * in the text part and in the HTML part: below what they wrote and, on a reply
 * or forward, above the quoted text as mail apps do. The quote is the first
 * `<div class="quote">` in HTML (what the web app wraps it in), and in text
 * the first line quoted with ">" (with its "On … wrote:" line).
 */
export function withSignature<T extends { text?: string | undefined; html?: string | undefined }>(
  fields: T,
  signature: string,
): T {
  if (signature.trim() === '') return fields;
  const text =
    fields.text !== undefined || fields.html === undefined
      ? insertBefore(fields.text ?? '', TEXT_QUOTE, `\n\n-- \n${signature}`, '\n\n')
      : undefined;
  const html =
    fields.html !== undefined
      ? insertBefore(
          fields.html,
          HTML_QUOTE,
          `<div class="signature"><br>-- <br>${escapeHtml(signature).replace(/\n/g, '<br>')}</div>`,
        )
      : undefined;
  return { ...fields, ...(text !== undefined ? { text } : {}), ...(html !== undefined ? { html } : {}) };
}

const HTML_QUOTE = /(?=<div class="quote")/i;
const TEXT_QUOTE = /\n+(?=(?:[^\n]*wrote:\n)?>)/;

/** `content` with `addition` put where `quote` matches (replacing the match by `gap`), or at the end without a quote. */
function insertBefore(content: string, quote: RegExp, addition: string, gap = ''): string {
  const match = quote.exec(content);
  if (!match) return `${content}${addition}`;
  return `${content.slice(0, match.index)}${addition}${gap}${content.slice(match.index + match[0].length)}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
