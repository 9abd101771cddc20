/**
 * Adds the user's signature below what they wrote, behind the usual "-- "
 * separator (RFC 3676 §4.3), in the text part and in the HTML part.
 */
export function withSignature<T extends { text?: string | undefined; html?: string | undefined }>(
  fields: T,
  signature: string,
): T {
  if (signature.trim() === '') return fields;
  const text =
    fields.text !== undefined || fields.html === undefined ? `${fields.text ?? ''}\n\n-- \n${signature}` : undefined;
  const html =
    fields.html !== undefined
      ? `${fields.html}<div class="signature"><br>-- <br>${escapeHtml(signature).replace(/\n/g, '<br>')}</div>`
      : undefined;
  return { ...fields, ...(text !== undefined ? { text } : {}), ...(html !== undefined ? { html } : {}) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
