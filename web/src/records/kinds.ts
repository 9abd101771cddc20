// What the web app shows of each record kind (the server's lists: docs/crm.md).
import type { RecordKind } from '../types.ts';

export const KIND_PATHS: Record<RecordKind, string> = {
  contact: 'contacts',
  lead: 'leads',
  organization: 'organizations',
  deal: 'deals',
  case: 'cases',
  ticket: 'tickets',
};

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

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export const isPerson = (kind: RecordKind) => kind === 'contact' || kind === 'lead';
/** Kinds found by their own email addresses. */
export const hasEmails = (kind: RecordKind) => kind === 'contact' || kind === 'lead' || kind === 'organization';
/** Kinds about a contact (and their organization). */
export const isAbout = (kind: RecordKind) => kind === 'deal' || kind === 'case' || kind === 'ticket';

export const statusLabel = (status: string) => status.replace('_', ' ');
