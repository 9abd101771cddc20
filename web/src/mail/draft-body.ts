// The body of a draft in the editor. Inline images are referenced by `cid:`
// (RFC 2392) in the draft; the editor shows them from the draft's own API URL
// (same origin, signed in) and turns them back into `cid:` when saving, so the
// server keeps them as inline parts. A plain-text draft is edited as text
// (white-space kept) and saved as text until the user adds formatting.

const inlineBase = (draftId: string) => `/api/v1/drafts/${encodeURIComponent(draftId)}/inline/`;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `src="cid:x"` → the draft's URL for part x. */
export function showInlineImages(html: string, draftId: string): string {
  return html.replace(
    /\bsrc="cid:([^"]*)"/gi,
    (_whole, cid: string) => `src="${inlineBase(draftId)}${encodeURIComponent(decodeCid(cid))}"`,
  );
}

/** The draft's inline-part URLs → `cid:` again. */
export function keepInlineImages(html: string, draftId: string): string {
  const url = new RegExp(`\\bsrc="(?:https?://[^/"]+)?${escapeRegExp(inlineBase(draftId))}([^"]*)"`, 'gi');
  return html.replace(url, (_whole, part: string) => `src="cid:${decodeCid(part)}"`);
}

function decodeCid(value: string): string {
  const text = value.replace(/&amp;/g, '&');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Whether the editor holds text only: the line breaks and blocks typing makes, no formatting. */
export function holdsPlainText(editor: HTMLElement): boolean {
  return [...editor.querySelectorAll('*')].every(
    (e) => (e.tagName === 'DIV' || e.tagName === 'BR') && e.attributes.length === 0,
  );
}

/** The editor's HTML; in plain-text mode its kept line ends become <br>, as HTML collapses them. */
export function editorHtml(editor: HTMLElement, plainText: boolean): string {
  if (!plainText) return editor.innerHTML;
  const copy = editor.cloneNode(true) as HTMLElement;
  const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node as Text);
  for (const text of texts) {
    const lines = text.data.split('\n');
    if (lines.length === 1) continue;
    const parts = lines.flatMap((line, i) =>
      i === 0 ? [document.createTextNode(line)] : [document.createElement('br'), document.createTextNode(line)],
    );
    text.replaceWith(...parts);
  }
  return copy.innerHTML;
}
