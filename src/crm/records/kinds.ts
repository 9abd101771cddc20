import type { RecordKind } from '../../db/index.ts';

export const RECORD_KINDS = [
  'contact',
  'lead',
  'organization',
  'deal',
  'case',
  'ticket',
] as const satisfies readonly RecordKind[];

/** People and organizations are found by their email addresses; the others through their contact. */
export const ADDRESSED_KINDS: readonly RecordKind[] = ['contact', 'lead', 'organization'];

/** Statuses per kind (a deal's status is its stage); the first is the default, those in `closed` end it. */
export const STATUSES: Record<RecordKind, { all: readonly string[]; closed: readonly string[] }> = {
  contact: { all: ['active', 'inactive'], closed: [] },
  organization: { all: ['active', 'inactive'], closed: [] },
  lead: { all: ['new', 'contacted', 'qualified', 'converted', 'lost'], closed: ['converted', 'lost'] },
  deal: { all: ['prospecting', 'qualification', 'proposal', 'negotiation', 'won', 'lost'], closed: ['won', 'lost'] },
  case: { all: ['open', 'in_progress', 'waiting', 'resolved', 'closed'], closed: ['resolved', 'closed'] },
  ticket: { all: ['open', 'in_progress', 'waiting', 'resolved', 'closed'], closed: ['resolved', 'closed'] },
};

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export function isOpen(kind: RecordKind, status: string): boolean {
  return !STATUSES[kind].closed.includes(status);
}

/** The URL segment of each kind: /contacts, /cases… */
export const KIND_PATHS: Record<RecordKind, string> = {
  contact: 'contacts',
  lead: 'leads',
  organization: 'organizations',
  deal: 'deals',
  case: 'cases',
  ticket: 'tickets',
};
