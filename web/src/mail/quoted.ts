// Quoted text folded away, as mail apps do: what the sender wrote is shown, the
// earlier emails they quoted only on demand. Parsing is inert (DOMParser runs and
// loads nothing).

const ATTRIBUTION = /(wrote|schrieb|a écrit|escribió)\s*:\s*$/i;

/** The HTML without its quote (the first top-level <blockquote> and what follows), or null when there is none. */
export function htmlWithoutQuote(html: string): string | null {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const quote = doc.body.querySelector('blockquote');
  if (!quote) return null;
  // Cut at the quote, and at its "On …, Ann wrote:" line just above it.
  let cut: Element = quote;
  const before = previousElement(quote);
  if (before && ATTRIBUTION.test(before.textContent?.trim() ?? '')) cut = before;
  removeFrom(cut);
  return doc.body.textContent?.trim() ? doc.body.innerHTML : null;
}

/** The text without its trailing quote ("On … wrote:" and the lines starting with ">"), or null when there is none. */
export function textWithoutQuote(text: string): string | null {
  const lines = text.split('\n');
  const first = lines.findIndex((line, i) => /^>/.test(line) && lines.slice(i).every((l) => /^>|^\s*$/.test(l)));
  if (first <= 0) return null;
  let cut = first;
  while (cut > 0 && lines[cut - 1]?.trim() === '') cut -= 1;
  if (cut > 0 && ATTRIBUTION.test(lines[cut - 1] ?? '')) cut -= 1;
  const kept = lines.slice(0, cut).join('\n').trimEnd();
  return kept === '' ? null : kept;
}

function previousElement(element: Element): Element | null {
  for (let node: Element | null = element; node && node.parentElement; node = node.parentElement) {
    if (node.previousElementSibling) return node.previousElementSibling;
  }
  return null;
}

/** Removes `element` and everything after it in document order. */
function removeFrom(element: Element): void {
  for (let node: Element | null = element; node && node.tagName !== 'BODY'; node = node.parentElement) {
    while (node.nextSibling) node.nextSibling.remove();
  }
  element.remove();
}
