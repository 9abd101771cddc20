// Shapes of the REST API (see /api/v1/openapi.json).

export interface User {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export type Security = 'tls' | 'starttls' | 'none';

export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  username: string;
}

export interface Folder {
  path: string;
  specialUse: string | null;
  enabled: boolean;
  messages: number;
  synced: number;
  unread: number;
  firstSyncDone: boolean;
}

export interface Mailbox {
  id: string;
  address: string;
  displayName: string | null;
  state: 'syncing' | 'idle' | 'disconnected' | 'error';
  error: string | null;
  syncPeriod: 'now' | '1m' | '3m' | '6m';
  markIncomingPrivate: boolean;
  archiveAndCreatePast: boolean;
  imap: ServerSettings;
  smtp: ServerSettings;
  folders: Folder[];
  progress: { done: number; total: number };
}

export interface ServerFolder {
  path: string;
  name: string;
  delimiter: string | null;
  specialUse: string | null;
  enabled: boolean;
}

export interface Address {
  name: string;
  address: string;
}

export interface MessageSummary {
  id: string;
  mailboxId: string;
  folder: string;
  threadId: string;
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  date: string;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  private: boolean;
  snippet: string;
  hasAttachments: boolean;
  size: number;
  syncState: 'synced' | 'pending' | 'failed';
  syncError: string | null;
}

export interface Attachment {
  id: string;
  filename: string | null;
  contentType: string;
  size: number;
  inline: boolean;
  contentId: string | null;
}

export interface MessageDetail extends MessageSummary {
  folders: string[];
  text: string;
  html: string | null;
  headers: { messageId: string | null; inReplyTo: string | null; references: string[] };
  attachments: Attachment[];
  problems: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface NewAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
  size: number;
}

export interface DraftFields {
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  text?: string;
  html?: string;
  attachments?: { filename: string; contentType: string; contentBase64: string }[];
  keepAttachments?: string[];
  inReplyTo?: string;
  includeSignature?: boolean;
}

export interface Draft {
  id: string;
  mailboxId: string;
  fields: DraftFields;
  state: 'saving' | 'saved' | 'failed';
  error: string | null;
  messageId: string;
}

export interface Discovery {
  address: string;
  source: 'preset' | 'autoconfig' | 'srv' | 'mx' | 'none';
  provider: { id: string; name: string; auth: 'password' | 'oauth2' | 'app-password'; helpUrl?: string; signInReady: boolean } | null;
  imap: { host: string; port: number; security: Security } | null;
  smtp: { host: string; port: number; security: Security } | null;
}

export interface ConnectionCheck {
  ok: boolean;
  error?: { code: string; message: string };
}

export const RECORD_KINDS = ['contact', 'lead', 'organization', 'deal', 'case', 'ticket'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface CrmRecord {
  id: string;
  kind: RecordKind;
  name: string;
  firstName: string | null;
  lastName: string | null;
  emails: string[];
  phone: string | null;
  jobTitle: string | null;
  company: string | null;
  website: string | null;
  organizationId: string | null;
  contactId: string | null;
  status: string;
  open: boolean;
  amount: number | null;
  currency: string | null;
  priority: string | null;
  description: string;
  ownerId: string;
  shared: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RecordLink {
  id: string;
  recordType: RecordKind;
  recordId: string;
  name: string;
  source: 'auto' | 'rule' | 'manual';
  createdAt: string;
}

export interface Person {
  id: string;
  name: string;
  email: string;
}

export interface EmailComment {
  id: string;
  author: Person;
  body: string;
  mentions: Person[];
  createdAt: string;
}

export interface RuleRun {
  ruleId: string | null;
  ruleName: string;
  results: Record<string, unknown>[];
  at: string;
}

/** `GET /messages/:id`: the email with the viewer's view of its CRM side. */
export interface MessageWithCrm extends MessageDetail {
  links: RecordLink[];
  comments: EmailComment[];
  mailroom: RuleRun[];
}

export type RuleField = 'from' | 'to' | 'cc' | 'subject' | 'body' | 'folder';
export type RuleOp = 'contains' | 'equals' | 'domain_is' | 'matches';
export interface RuleCondition {
  field: RuleField;
  op: RuleOp;
  value: string;
}
export type RuleAction = { type: 'archive' } | { type: 'create'; recordType: 'contact' | 'lead' | 'organization' | 'case' } | { type: 'mark_private' };

export interface MailroomRule {
  id: string;
  name: string;
  mailboxId: string | null;
  position: number;
  enabled: boolean;
  match: 'all' | 'any';
  conditions: RuleCondition[];
  actions: RuleAction[];
  createdAt: string;
  updatedAt: string;
}
