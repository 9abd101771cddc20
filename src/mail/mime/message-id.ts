// Message-IDs are stored in one form everywhere in Tandem: `left@right`, without
// the angle brackets of RFC 5322 §3.6.4 and without whitespace (folding inside an
// id is a common mailer bug). Add the brackets back when writing a header.

/** Longest id we keep; RFC 5322 lines are at most 998 characters. */
const MAX_ID_LENGTH = 998;

function cleanId(candidate: string): string | null {
  const id = candidate.replace(/[\s<>]+/g, '');
  return id.length > 0 && id.length <= MAX_ID_LENGTH ? id : null;
}

/**
 * Normalizes one Message-ID / In-Reply-To value. Takes the first `<…>` when
 * there is one (so comments and prose around it are ignored), else the first
 * word. Case is kept: the local part is case-sensitive.
 */
export function normalizeMessageId(value: string): string | null {
  const bracketed = /<([^<>]*)>/.exec(value);
  if (bracketed) {
    const id = cleanId(bracketed[1] ?? '');
    if (id !== null) return id;
  }
  const word = value.trim().split(/[\s,]+/)[0] ?? '';
  return cleanId(word);
}

/**
 * Parses a list of Message-IDs (References, or an In-Reply-To naming several
 * parents): every `<…>`, or whitespace/comma separated words when no brackets
 * are used. Order is kept, duplicates dropped.
 */
export function parseMessageIdList(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1] ?? '');
  const candidates = bracketed.length > 0 ? bracketed : value.split(/[\s,]+/);
  const ids = new Set<string>();
  for (const candidate of candidates) {
    const id = cleanId(candidate);
    if (id !== null) ids.add(id);
  }
  return [...ids];
}
