import type { Condition, ConditionGroup } from './definition.ts';

type Value = string | number | boolean | null | undefined | string[];

/** What conditions and merge tags look at: the record (now and before the save), its contact and organization, the email. */
export interface Facts {
  record?: Record<string, Value> | undefined;
  before?: Record<string, Value> | undefined;
  contact?: Record<string, Value> | undefined;
  organization?: Record<string, Value> | undefined;
  email?: Record<string, Value> | undefined;
}

/** No conditions: always true. */
export function groupMatches(group: ConditionGroup | undefined, facts: Facts): boolean {
  if (!group) return true;
  const results = group.conditions.map((c) => conditionMatches(c, facts));
  return group.match === 'all' ? results.every(Boolean) : results.some(Boolean);
}

export function valueAt(facts: Facts, path: string): Value {
  const [object, field = ''] = path.split('.') as [keyof Facts, string];
  return facts[object]?.[field];
}

export function conditionMatches(condition: Condition, facts: Facts): boolean {
  const current = valueAt(facts, condition.field);
  const wanted = (condition.value ?? '').trim().toLowerCase();
  const texts = textsOf(current);
  switch (condition.op) {
    case 'equals':
      return texts.some((t) => t === wanted);
    case 'not_equals':
      return !texts.some((t) => t === wanted);
    case 'contains':
      return texts.some((t) => t.includes(wanted));
    case 'is_empty':
      return texts.every((t) => t === '');
    case 'is_not_empty':
      return texts.some((t) => t !== '');
    case 'greater_than':
      return compare(current, condition.value) > 0;
    case 'less_than':
      return compare(current, condition.value) < 0;
    case 'changed':
    case 'changed_to': {
      // Only record fields change; a creation changes every field that has a value.
      if (!condition.field.startsWith('record.')) return false;
      const previous = facts.before ? valueAt({ record: facts.before }, condition.field) : undefined;
      const changed = textsOf(previous).join('\n') !== texts.join('\n');
      return condition.op === 'changed' ? changed : changed && texts.some((t) => t === wanted);
    }
  }
}

function textsOf(value: Value): string[] {
  if (value === null || value === undefined) return [''];
  if (Array.isArray(value)) return value.length === 0 ? [''] : value.map((v) => v.trim().toLowerCase());
  return [String(value).trim().toLowerCase()];
}

/** Numbers compare as numbers, dates (ISO text) as dates, anything else as text; a missing value is never greater or less. */
function compare(value: Value, wanted: string | undefined): number {
  if (value === null || value === undefined || wanted === undefined || Array.isArray(value)) return Number.NaN;
  const a = Number(value);
  const b = Number(wanted);
  if (Number.isFinite(a) && Number.isFinite(b)) return a - b;
  const da = Date.parse(String(value));
  const db = Date.parse(wanted);
  if (Number.isFinite(da) && Number.isFinite(db)) return da - db;
  return String(value).localeCompare(wanted);
}
