const SNIPPET_LENGTH = 200;
/** Lines looked at: a reply's new text is near the top; a huge quoted tail is not worth scanning. */
const MAX_LINES = 2000;

/** Zero-width and filler characters marketing mail uses to pad preview text. */
// (Combining marks are listed as alternatives: inside a class they would combine with their neighbour.)
const INVISIBLE =
  /\u034f|\u17b4|\u17b5|[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]/g;
/** `text [https://…]` link and `alt [cid:…]` image annotations added by the HTML-to-text conversion. */
const LINK_ANNOTATION = /\s*\[(?:https?|mailto|cid):[^\]\s]*\]/gi;
/** Lines that introduce the quoted original message: nothing after them is new. */
const QUOTE_INTRO = [
  /^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|forwarded message)\s*-{2,}$/i,
  /^_{10,}$/,
  /^on\b.{1,300}\bwrote:$/i,
  /^am\b.{1,300}\bschrieb\b.{0,100}:$/i,
  /^le\b.{1,300}\ba écrit\s?:$/i,
];

function introducesQuote(line: string, next: string | undefined): boolean {
  // "On …, Name <addr> wrote:" is often wrapped over two lines.
  return QUOTE_INTRO.some((re) => re.test(line) || (next !== undefined && re.test(`${line} ${next}`)));
}

function collapse(text: string): string {
  return text.replace(INVISIBLE, '').replace(LINK_ANNOTATION, '').replace(/\s+/g, ' ').trim();
}

/** Cuts to the limit in code points (never inside a surrogate pair), preferring a word boundary. */
function truncate(text: string): string {
  // 2n+1 code units hold more than n code points unless they are the whole text.
  const chars = Array.from(text.slice(0, SNIPPET_LENGTH * 2 + 1));
  if (chars.length <= SNIPPET_LENGTH) return text;
  const cut = chars.slice(0, SNIPPET_LENGTH).join('');
  const space = cut.lastIndexOf(' ');
  return space > SNIPPET_LENGTH - 30 ? cut.slice(0, space) : cut;
}

/**
 * A short preview of the message text: the new part of a reply (quoted `>` lines
 * and everything after a quote introduction or signature delimiter dropped),
 * whitespace collapsed. Falls back to the whole text when that leaves nothing.
 */
export function makeSnippet(text: string): string {
  const lines = text.split('\n', MAX_LINES).map((line) => line.trim());
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    if (line === '--' || introducesQuote(line, lines[index + 1])) break;
    if (line.startsWith('>')) continue;
    kept.push(line);
    length += line.length;
    if (length > SNIPPET_LENGTH * 4) break; // enough to fill a snippet after collapsing
  }
  const fresh = collapse(kept.join(' '));
  return truncate(fresh !== '' ? fresh : collapse(text.slice(0, SNIPPET_LENGTH * 20)));
}
