// Merge tags: `{{contact.firstName}}` in a subject or body is filled in when
// Tandem sends, from the recipient's contact record; drafts (here and in the
// server's Drafts folder) keep the tags as written. Syntax and rules:
// - `{{ object.field }}`, spaces inside the braces allowed; names are case-sensitive;
// - `{{ object.field | fallback }}` gives the text used when the value is missing
//   (in quotes or not: `{{contact.firstName | "there"}}`);
// - a known tag whose value is missing (no contact for the recipient, or an
//   empty field) becomes the fallback, or nothing;
// - an unknown tag is left exactly as written, so a typo shows instead of vanishing;
// - in HTML the value (and fallback) is HTML-escaped.

export const MERGE_TAGS = [
  'contact.firstName',
  'contact.lastName',
  'contact.fullName',
  'contact.email',
  'contact.phone',
  'contact.jobTitle',
  'organization.name',
  // Filled by workflows, from the record that triggered the run and its owner.
  'record.name',
  'record.status',
  'record.amount',
  'owner.name',
  'owner.email',
] as const;

export type MergeTag = (typeof MERGE_TAGS)[number];
export type MergeValues = Partial<Record<MergeTag, string | null>>;

const TAG = /\{\{\s*([A-Za-z]+\.[A-Za-z]+)\s*(?:\|([^{}]*))?\}\}/g;
const KNOWN = new Set<string>(MERGE_TAGS);

export function fillMergeTags(template: string, values: MergeValues, format: 'text' | 'html' = 'text'): string {
  return template.replace(TAG, (whole, name: string, fallback: string | undefined) => {
    if (!KNOWN.has(name)) return whole;
    const value = values[name as MergeTag]?.trim() || unquoted(fallback?.trim() ?? '');
    return format === 'html' ? escapeHtml(value) : value;
  });
}

/** The tags of a template Tandem does not know (a typo would otherwise be sent as written). */
export function unknownMergeTags(template: string): string[] {
  const unknown = [...template.matchAll(new RegExp(TAG.source, 'g'))]
    .map((m) => m[1] ?? '')
    .filter((name) => !KNOWN.has(name));
  return [...new Set(unknown)];
}

function unquoted(text: string): string {
  return /^"[^"]*"$|^'[^']*'$/.test(text) ? text.slice(1, -1) : text;
}

/** Whether a text has any merge tag (known or not). */
export function hasMergeTags(text: string): boolean {
  return new RegExp(TAG.source).test(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
