// What the web app shows of each record kind (the server's lists: docs/crm.md).
import type { Body, RecordKind } from '../contract.ts';

/** Each kind's API collection; a kind the server adds or renames fails the typecheck here. */
export const KIND_PATHS = {
  contact: 'contacts',
  lead: 'leads',
  organization: 'organizations',
  deal: 'deals',
  case: 'cases',
  ticket: 'tickets',
} as const satisfies Record<RecordKind, string>;

export const RECORD_KINDS = Object.keys(KIND_PATHS) as RecordKind[];

export const KIND_LABELS: Record<RecordKind, { one: string; many: string }> = {
  contact: { one: 'Contact', many: 'Contacts' },
  lead: { one: 'Lead', many: 'Leads' },
  organization: { one: 'Organization', many: 'Organizations' },
  deal: { one: 'Deal', many: 'Deals' },
  case: { one: 'Case', many: 'Cases' },
  ticket: { one: 'Ticket', many: 'Tickets' },
};

/** Each kind's statuses, the default first (a deal's status is its stage). */
export const STATUSES: Record<RecordKind, readonly string[]> = {
  contact: ['active', 'inactive'],
  organization: ['active', 'inactive'],
  lead: ['new', 'contacted', 'qualified', 'converted', 'lost'],
  deal: ['prospecting', 'qualification', 'proposal', 'negotiation', 'won', 'lost'],
  case: ['open', 'in_progress', 'waiting', 'resolved', 'closed'],
  ticket: ['open', 'in_progress', 'waiting', 'resolved', 'closed'],
};

export type Priority = NonNullable<Body<'/contacts', 'post'>['priority']>;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly Priority[];
/** A record's priority as the form edits it: `normal` when it has none (or one this app does not know). */
export const priorityOf = (value: string | null | undefined): Priority =>
  PRIORITIES.find((p) => p === value) ?? 'normal';

export const isPerson = (kind: RecordKind) => kind === 'contact' || kind === 'lead';
/** Kinds found by their own email addresses. */
export const hasEmails = (kind: RecordKind) => kind === 'contact' || kind === 'lead' || kind === 'organization';
/** Kinds about a contact (and their organization). */
export const isAbout = (kind: RecordKind) => kind === 'deal' || kind === 'case' || kind === 'ticket';

export const statusLabel = (status: string) => status.replace('_', ' ');

/** Where in the records screens the user is: a kind's list, one record, or the create form. */
export interface RecordsPlace {
  kind: RecordKind;
  id: string | null;
  creating?: boolean;
}
