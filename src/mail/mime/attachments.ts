import type { Attachment } from 'mailparser';
import type { ParsedAttachment } from './types.ts';

/** Every `cid:` reference in the HTML, decoded (RFC 2392 allows %-escapes) and lowercased. */
export function cidReferences(html: string | null): Set<string> {
  const refs = new Set<string>();
  if (html === null) return refs;
  for (const match of html.matchAll(/cid:([^"'\s)>]+)/gi)) {
    const ref = match[1] ?? '';
    let decoded = ref;
    try {
      decoded = decodeURIComponent(ref);
    } catch {
      // keep the raw reference when it is not valid %-encoding
    }
    refs.add(decoded.toLowerCase());
  }
  return refs;
}

/** Base name only, control characters removed: a file name from mail is never a path. */
function safeFilename(name: string | undefined): string | null {
  if (name === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base === '' ? null : base;
}

function contentIdOf(attachment: Attachment): string | null {
  const id = (attachment.cid ?? attachment.contentId ?? '').replace(/[<>\s]/g, '');
  return id === '' ? null : id;
}

/**
 * Maps mailparser attachments; `html` is the (sanitized) HTML used to decide
 * which parts are shown inline rather than listed as attachments.
 */
export function toParsedAttachments(list: readonly Attachment[], html: string | null): ParsedAttachment[] {
  const refs = cidReferences(html);
  return list.map((attachment) => {
    const contentId = contentIdOf(attachment);
    const content = Buffer.isBuffer(attachment.content) ? attachment.content : Buffer.alloc(0);
    const referenced = contentId !== null && refs.has(contentId.toLowerCase());
    const inlineDisposition = (attachment.contentDisposition ?? '').toLowerCase() === 'inline';
    return {
      filename: safeFilename(attachment.filename),
      contentType: (attachment.contentType || 'application/octet-stream').toLowerCase(),
      size: content.length,
      contentId,
      inline: referenced || (inlineDisposition && contentId !== null),
      content,
    };
  });
}
