import { z } from 'zod';
import { PRIORITIES } from './kinds.ts';

const text = (max: number) => z.string().trim().max(max);
const email = z.string().trim().toLowerCase().pipe(z.email());

/**
 * The fields of any record kind; which apply depends on the kind (see
 * docs/api.md, CRM records). `status` is checked against the kind's list.
 */
export const recordFieldsSchema = z.object({
  firstName: text(200).optional(),
  lastName: text(200).optional(),
  /** Organizations, deals, cases and tickets; people take first and last name. */
  name: text(300).optional(),
  emails: z.array(email).max(50).optional().describe('Several per contact; matched against the from/to/cc of emails'),
  phone: text(100).nullable().optional(),
  jobTitle: text(200).nullable().optional(),
  company: text(300).nullable().optional().describe('A lead’s company'),
  website: text(500).nullable().optional(),
  organizationId: z.string().nullable().optional(),
  contactId: z.string().nullable().optional().describe('The contact a deal, case or ticket is about'),
  status: text(50).optional().describe('A deal’s stage; a lead’s, case’s or ticket’s status'),
  amount: z.number().finite().nullable().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .nullable()
    .optional(),
  priority: z.enum(PRIORITIES).nullable().optional(),
  description: text(20_000).optional(),
  dueDate: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .describe('A deal’s expected close date, a case’s or ticket’s due date (ISO 8601)'),
  ownerId: z.string().optional().describe('Defaults to you; only the owner or an admin may change it'),
  shared: z.boolean().optional().describe('Seen by every user (default true); otherwise by its owner and admins only'),
  doNotTrack: z
    .boolean()
    .optional()
    .describe('Mail Tandem sends to this record’s addresses carries no open or click marks (default false)'),
});

export type RecordFields = z.infer<typeof recordFieldsSchema>;
