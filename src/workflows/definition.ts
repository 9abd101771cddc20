import { z } from 'zod';
import { RECORD_KINDS } from '../crm/index.ts';

/** The record fields conditions, triggers and Update fields name (camelCase, as the API shows records). */
export const RECORD_FIELDS = [
  'name',
  'firstName',
  'lastName',
  'company',
  'jobTitle',
  'phone',
  'website',
  'status',
  'amount',
  'currency',
  'priority',
  'description',
  'ownerId',
  'contactId',
  'organizationId',
  'open',
  'dueDate',
  'createdAt',
  'updatedAt',
] as const;

/** The date fields a date trigger or a Wait can count from. */
export const DATE_FIELDS = ['dueDate', 'createdAt', 'updatedAt'] as const;

/** The fields Update fields may set (merge tags allowed in text). */
export const UPDATABLE_FIELDS = RECORD_FIELDS.filter(
  (f): f is Exclude<(typeof RECORD_FIELDS)[number], 'open' | 'createdAt' | 'updatedAt'> =>
    !['open', 'createdAt', 'updatedAt'].includes(f),
);

const recordKind = z.enum(RECORD_KINDS);
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day such as 09:30');

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('record_created'), recordType: recordKind }),
  z
    .object({
      type: z.literal('record_updated'),
      recordType: recordKind,
      field: z.enum(RECORD_FIELDS).optional().describe('Only when this field changes (status: a status change)'),
      from: z.string().max(500).optional().describe('…from this value'),
      to: z.string().max(500).optional().describe('…to this value'),
    })
    .refine((t) => t.field !== undefined || (t.from === undefined && t.to === undefined), {
      message: 'from and to need a field',
      path: ['field'],
    }),
  z.object({
    type: z.literal('email_received'),
    mailboxId: z.string().nullable().optional().describe('Only this mailbox of yours; null or absent: all of them'),
  }),
  z.object({
    type: z.literal('schedule'),
    recordType: recordKind.describe('Each record of this kind that meets the conditions gets a run'),
    every: z.enum(['day', 'week']),
    weekday: z.number().int().min(0).max(6).optional().describe('0 Sunday … 6 Saturday; for every week'),
    at: time.describe('In the workspace’s time zone (the setting timeZone)'),
  }),
  z.object({
    type: z.literal('date_field'),
    recordType: recordKind,
    field: z.enum(DATE_FIELDS).describe('dueDate: a deal’s expected close date, a case’s or ticket’s due date'),
    offsetMinutes: z
      .number()
      .int()
      .min(-525_600)
      .max(525_600)
      .describe('Minutes after the date (negative: before); 4320 is three days after'),
  }),
  z.object({ type: z.literal('manual'), recordType: recordKind }),
]);

export const COMPARISONS = [
  'equals',
  'not_equals',
  'contains',
  'is_empty',
  'is_not_empty',
  'greater_than',
  'less_than',
  'changed',
  'changed_to',
] as const;

/** `record.status`, `contact.email`, `organization.name`, `email.subject`: the object, then its field. */
const fieldPath = z
  .string()
  .regex(
    /^(record|contact|organization|email)\.[A-Za-z]+$/,
    'record.<field>, contact.<field>, organization.<field> or email.<from|to|cc|subject|body|folder|mailbox>',
  );

export const conditionSchema = z.object({
  field: fieldPath,
  op: z.enum(COMPARISONS).describe('Text compares case-insensitively; changed and changed_to look at the last save'),
  value: z.string().max(500).optional(),
});

export const conditionGroupSchema = z.object({
  match: z.enum(['all', 'any']),
  conditions: z.array(conditionSchema).min(1).max(20),
});

const recipients = z
  .array(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('contact').describe('The record’s contact (or the record itself for a person)') }),
      z.object({ type: z.literal('owner').describe('The record’s owner') }),
      z.object({ type: z.literal('address'), address: z.string().trim().pipe(z.email()) }),
      z.object({ type: z.literal('field'), field: fieldPath.describe('A field holding an address') }),
    ]),
  )
  .min(1)
  .max(20);

export const templateSchema = z.object({
  subject: z.string().min(1).max(998),
  text: z.string().max(100_000).optional(),
  html: z.string().max(500_000).optional(),
});

export const actionSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('send_email'),
      from: z
        .enum(['record_owner', 'group'])
        .default('record_owner')
        .describe('record_owner: the personal mailbox of the record’s owner; group: the group mailbox mailboxId'),
      mailboxId: z.string().min(1).optional().describe('With from: group, a group mailbox the workflow’s owner is in'),
      to: recipients,
      template: templateSchema,
      attachments: z
        .array(
          z.object({
            filename: z.string().min(1).max(255),
            contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type such as application/pdf'),
            contentBase64: z.base64().optional().describe('The file, when added or replaced'),
            blob: z.string().optional().describe('A file the workflow already holds (as the API shows it)'),
            size: z.number().int().optional().describe('Bytes (read only)'),
          }),
        )
        .max(10)
        .optional()
        .describe('Sent with every email (25 MB together; the SMTP server’s size limit is checked at each send)'),
      linkToRecord: z.boolean().default(true),
    })
    .refine((a) => (a.from === 'group') === (a.mailboxId !== undefined), {
      message: 'from: group takes the group mailbox’s mailboxId (and only it does)',
      path: ['mailboxId'],
    }),
  z.object({
    type: z.literal('update_fields'),
    fields: z
      .partialRecord(z.enum(UPDATABLE_FIELDS), z.union([z.string().max(20_000), z.number(), z.null()]))
      .refine((f) => Object.keys(f).length > 0, 'give at least one field'),
  }),
  z.object({
    type: z.literal('create_record'),
    recordType: z.enum(['deal', 'case', 'ticket']),
    name: z.string().min(1).max(300).describe('Merge tags allowed'),
    status: z.string().max(50).optional(),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
    description: z.string().max(20_000).optional(),
  }),
  z.object({
    type: z.literal('add_comment'),
    body: z.string().min(1).max(20_000).describe('On the triggering email, else on the email this run sent'),
  }),
  z.object({
    type: z.literal('webhook'),
    url: z.url().refine((u) => /^https?:\/\//.test(u), 'an http(s) URL'),
    secret: z
      .string()
      .min(16)
      .max(200)
      .optional()
      .describe(
        'Signs the body: X-Tandem-Signature: sha256=<HMAC-SHA256 hex>. Stored sealed and never shown again; on an update, leave it out to keep the one stored',
      ),
    secretHint: z.string().optional().describe('Shown instead of the secret: its last four characters (read only)'),
  }),
  z.object({
    type: z.literal('wait'),
    minutes: z.number().int().min(1).max(525_600).optional(),
    untilField: z.enum(DATE_FIELDS).optional().describe('…or until this date field'),
  }),
]);

export const MODES = ['first_save', 'until_true', 'every_save', 'transition'] as const;

export const workflowInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  trigger: triggerSchema,
  mode: z
    .enum(MODES)
    .default('every_save')
    .describe(
      'first_save: only when created; until_true: until the conditions first hold; every_save: each save they hold; transition: when they become true',
    ),
  reenroll: z.boolean().default(false).describe('A record runs once per workflow unless this is true'),
  stopOnReply: z
    .boolean()
    .default(false)
    .describe('Sequences: no more emails to a contact who replied by hand to one this workflow sent (the run stops)'),
  conditions: conditionGroupSchema.optional(),
  actions: z.array(actionSchema).min(1).max(20),
});

export type Trigger = z.infer<typeof triggerSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionGroup = z.infer<typeof conditionGroupSchema>;
export type Action = z.infer<typeof actionSchema>;
export type Mode = (typeof MODES)[number];
export type WorkflowInput = z.infer<typeof workflowInputSchema>;
/** What is stored in definition_json. */
export type WorkflowDefinition = Omit<WorkflowInput, 'name' | 'enabled'>;
