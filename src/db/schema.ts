import type { Generated } from 'kysely';

/**
 * Table shapes as Kysely sees them. Conventions that hold on both SQLite and
 * PostgreSQL: booleans are integers 0/1, times are epoch milliseconds, and
 * IMAP mod-sequences (up to 63 bits) are decimal strings.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  password_resets: PasswordResetsTable;
  address_codes: AddressCodesTable;
  mailboxes: MailboxesTable;
  folders: FoldersTable;
  messages: MessagesTable;
  message_locations: MessageLocationsTable;
  attachments: AttachmentsTable;
  mailbox_leases: MailboxLeasesTable;
  outbox_ops: OutboxOpsTable;
  sends: SendsTable;
  drafts: DraftsTable;
  settings: SettingsTable;
  records: RecordsTable;
  record_emails: RecordEmailsTable;
  message_participants: MessageParticipantsTable;
  email_links: EmailLinksTable;
  pending_links: PendingLinksTable;
  comments: CommentsTable;
  notifications: NotificationsTable;
  mailroom_rules: MailroomRulesTable;
  rule_runs: RuleRunsTable;
  oauth_providers: OAuthProvidersTable;
  oauth_grants: OAuthGrantsTable;
  oauth_authorizations: OAuthAuthorizationsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
  conversation_sends: ConversationSendsTable;
  conversation_events: ConversationEventsTable;
  change_events: ChangeEventsTable;
  workflows: WorkflowsTable;
  workflow_enrolments: WorkflowEnrolmentsTable;
  workflow_runs: WorkflowRunsTable;
  workflow_steps: WorkflowStepsTable;
  send_buckets: SendBucketsTable;
  tracked_links: TrackedLinksTable;
  tracking_events: TrackingEventsTable;
  send_responses: SendResponsesTable;
  bounces: BouncesTable;
  record_touchpoints: RecordTouchpointsTable;
  held_sends: HeldSendsTable;
  rule_waits: RuleWaitsTable;
}

export type Flag = 0 | 1;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  is_admin: Flag;
  created_at: number;
  /** Plain text added below what the user writes in Tandem (see docs/sync.md, Drafts). */
  signature: Generated<string>;
  /** 0: deactivated (cannot sign in, no sessions or tokens); the user's data stays. */
  active: Generated<Flag>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  user_agent: string | null;
  client_ip: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  /** Null: never expires. */
  expires_at: number | null;
}

/** Failed sign-ins of one account (`account_key`: sha256 of the normalized email). */
export interface LoginThrottleTable {
  account_key: string;
  failures: number;
  locked_until: Generated<number>;
  updated_at: number;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export type AssignRule = 'manual' | 'round_robin';
export type MailboxState = 'syncing' | 'idle' | 'disconnected' | 'error';
export type Security = 'tls' | 'starttls' | 'none';
export type SyncPeriod = 'now' | '1m' | '3m' | '6m';

export interface MailboxesTable {
  id: string;
  /** A personal mailbox's owner; for a group mailbox, the administrator who created it (access is by group). */
  owner_user_id: string;
  kind: 'personal' | 'group';
  /** A group mailbox's owning group: its members work in it. Null for a personal mailbox. */
  group_id: Generated<string | null>;
  /** Group mailboxes: each new conversation opens a case. */
  email_to_case: Generated<Flag>;
  /** What precedes the conversation number in the subject token: `[#1234]` with the default `#`. */
  case_token_prefix: Generated<string>;
  /** How a new conversation gets its assignee: by hand, or round-robin among available members. */
  assign_rule: Generated<AssignRule>;
  address: string;
  display_name: string | null;
  imap_host: string;
  imap_port: number;
  imap_security: Security;
  imap_username: string;
  smtp_host: string;
  smtp_port: number;
  smtp_security: Security;
  smtp_username: string;
  /** Passwords and OAuth tokens, sealed by the secret box; never plaintext. */
  secrets: string;
  sync_period: SyncPeriod;
  /** Messages older than this (epoch ms) are not synced. */
  sync_since: number;
  mark_incoming_private: Flag;
  fallback_consent: Flag;
  archive_and_create_past: Flag;
  /** The provider files a copy of sent mail in Sent itself (Gmail, Outlook): Tandem does not APPEND one. */
  provider_files_sent: Generated<Flag>;
  /** The IMAP server's APPENDLIMIT in bytes (RFC 7889); null when it advertises none. */
  append_limit: number | null;
  /** How the address was shown to be the owner's: the provider's identity, a send its own SMTP server took, or a mailed code. */
  address_verified_by: AddressVerification | null;
  address_verified_at: number | null;
  /** Set when the mailbox logs in with OAuth2 (XOAUTH2 / OAUTHBEARER) instead of a password. */
  oauth_grant_id: string | null;
  /** The recognized provider (a preset id such as `google`), whose quirks sync and sending respect. */
  provider_id: string | null;
  state: MailboxState;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export interface FoldersTable {
  id: Generated<number>;
  mailbox_id: string;
  path: string;
  delimiter: string | null;
  special_use: string | null;
  enabled: Flag;
  /** When the folder was enabled: Trash only syncs what arrives after this. */
  enabled_at: number | null;
  uid_validity: number | null;
  uid_next: number | null;
  highest_modseq: string | null;
  /** Count of server messages inside the sync period, and how many are stored. */
  server_total: Generated<number>;
  synced_count: Generated<number>;
  /** UIDNEXT when the mailbox was saved: UIDs from it on arrived inside the sync period whatever their date; null when unknown. */
  period_start_uid: number | null;
  /** Lowest UID fetched so far by the newest-first first sync; null before it starts. */
  first_sync_low_uid: number | null;
  first_sync_done: Generated<Flag>;
  last_full_check_at: number | null;
  created_at: number;
}

/** One logical email of a mailbox, whichever folders it sits in. */
export interface MessagesTable {
  id: Generated<number>;
  mailbox_id: string;
  /** Survives moves and UIDVALIDITY resets: EMAILID / X-GM-MSGID, else a hash of Message-ID, date and size. */
  stable_key: string;
  message_id: string | null;
  in_reply_to: string | null;
  /** JSON array of Message-IDs. */
  references: string;
  thread_id: string;
  subject: string;
  from_name: string | null;
  from_address: string | null;
  /** JSON arrays of {name, address}. */
  to_json: string;
  cc_json: string;
  bcc_json: string;
  reply_to_json: string;
  date: number;
  size: number;
  snippet: string;
  body_text: string;
  body_html: string | null;
  has_attachments: Flag;
  raw_blob: string;
  private: Flag;
  /** JSON object of selected headers, and JSON array of what could not be read. */
  headers_json: string;
  problems_json: string;
  /** Set while the message is in no folder (moved or deleted elsewhere); cleared when it turns up again. */
  orphaned_at: number | null;
  created_at: number;
  /** 0: listed by the header pass, body not read yet (text, HTML, snippet, attachments, search); 1: indexed. */
  indexed: Generated<Flag>;
}

/** Where a message sits on the server: one row per (folder, uidValidity, uid). */
export interface MessageLocationsTable {
  id: Generated<number>;
  message_id: number;
  mailbox_id: string;
  folder_id: number;
  uid_validity: number;
  uid: number;
  /** JSON array of flags and keywords as last synced. */
  flags: string;
  seen: Flag;
  flagged: Flag;
  modseq: string | null;
  /** Copied from the message so a folder page is one index scan. */
  date: number;
}

export interface AttachmentsTable {
  id: Generated<number>;
  message_id: number;
  filename: string | null;
  content_type: string;
  size: number;
  content_id: string | null;
  inline: Flag;
  blob_key: string;
}

/** Who syncs a mailbox; the epoch fences out a worker that lost its lease. */
export interface MailboxLeasesTable {
  mailbox_id: string;
  owner: string;
  epoch: number;
  expires_at: number;
}

/** pending → running (under a lease epoch) → done | failed, or back to pending to be tried again. */
export type OutboxState = 'pending' | 'running' | 'done' | 'failed';

/** A local change still to be made on the server, in order per mailbox. */
export interface OutboxOpsTable {
  id: Generated<number>;
  mailbox_id: string;
  message_id: number | null;
  /** The location the op acts on, so a sync never overwrites it with a stale server read. */
  location_id: number | null;
  kind: string;
  /** JSON, shaped per kind (see mail/outbox/ops.ts). */
  payload: string;
  state: OutboxState;
  /** The lease epoch of the worker that set it running; null while pending. */
  lease_epoch: number | null;
  attempts: number;
  next_attempt_at: number;
  error: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * attempted: committed before SMTP is spoken, so a crash can never cause a second delivery;
 * uncertain: was 'attempted' when the process stopped (may or may not have gone out).
 */
export type SendState = 'attempted' | 'sent' | 'failed' | 'uncertain';

/** One message sent over SMTP (see mail/send). */
export interface SendsTable {
  /** UUID; also the X-Tandem-Id header and the Message-ID's local part. */
  id: string;
  mailbox_id: string;
  state: SendState;
  /** Normalized Message-ID (no angle brackets). */
  message_id: string;
  /** Blob key of the message as filed in Sent (with its Bcc header). */
  raw_blob: string;
  /** JSON {to, cc, bcc}: arrays of addresses. */
  recipients: string;
  /** The subject as sent (merge tags filled); null for sends made before it was kept. */
  subject: string | null;
  /** The Tandem message replied to. */
  in_reply_to_message_id: number | null;
  /** The server's final reply (250 … queued as …). */
  smtp_response: string | null;
  /** Which server took it: the mailbox's own, or the admin's fallback (with the mailbox's consent). */
  via: Generated<SendVia>;
  /** 1 when the copies that went out carried open/click marks (see docs/engagement.md). */
  tracked: Generated<Flag>;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export type SendVia = 'mailbox' | 'fallback';

/**
 * A draft edited in Tandem. Its live version sits in the server's Drafts
 * folder at (folder_path, uid_validity, uid) once saved; each version carries
 * its own X-Tandem-Id so a crash between APPEND and recording is detected.
 */
export interface DraftsTable {
  id: string;
  mailbox_id: string;
  version_id: string;
  raw_blob: string;
  /** JSON of the draft's fields as the user wrote them (merge tags untouched). */
  fields_json: string;
  folder_path: string | null;
  uid_validity: number | null;
  uid: number | null;
  /** `failed` when the server could not take the version (e.g. no Drafts folder); `error` says why. */
  state: 'saving' | 'saved' | 'failed';
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** Instance-wide settings made by an admin; a value holding a secret is sealed by the secret box. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export type RecordKind = 'contact' | 'lead' | 'organization' | 'deal' | 'case' | 'ticket';

/** A CRM record (see crm/records). Fields a kind does not use stay null. */
export interface RecordsTable {
  id: string;
  kind: RecordKind;
  owner_user_id: string;
  /** 1: every user sees it; 0: its owner (and admins) only. */
  shared: Flag;
  /** What lists show: a person's full name, an organization's name, a deal's, case's or ticket's title. */
  name: string;
  first_name: string | null;
  last_name: string | null;
  /** A lead's company (before it becomes an organization). */
  company: string | null;
  job_title: string | null;
  phone: string | null;
  website: string | null;
  organization_id: string | null;
  /** The contact a deal, case or ticket is about. */
  contact_id: string | null;
  /** A lead's, case's or ticket's status, a deal's stage. */
  status: string;
  /** Derived from status: open deals and cases get a contact's emails linked. */
  open: Flag;
  amount: number | null;
  currency: string | null;
  priority: string | null;
  description: string;
  /** 1: mail Tandem sends to this record's addresses carries no tracking marks (docs/engagement.md). */
  do_not_track: Generated<Flag>;
  /** A deal's expected close date, a case's or ticket's due date (epoch ms), if set. */
  due_at: Generated<number | null>;
  created_at: number;
  updated_at: number;
}

export interface RecordEmailsTable {
  record_id: string;
  /** Lowercase. */
  address: string;
  position: number;
}

export interface MessageParticipantsTable {
  message_id: number;
  /** Lowercase address from From, To or Cc. */
  address: string;
}

/**
 * auto: matched by address; rule: made by a mailroom rule; manual: by a user.
 * state 'unlinked' remembers that a user removed a link, so no re-match brings it back.
 */
export interface EmailLinksTable {
  id: Generated<number>;
  message_id: number;
  record_id: string;
  source: 'auto' | 'rule' | 'manual';
  state: 'linked' | 'unlinked';
  created_by: string | null;
  created_at: number;
}

/** A link asked for when sending (linkTo), made once the sent copy with that Message-ID is synced. */
export interface PendingLinksTable {
  id: Generated<number>;
  mailbox_id: string;
  /** Normalized Message-ID of the sent message. */
  message_id_header: string;
  record_id: string;
  created_by: string | null;
  created_at: number;
}

/** Comments stay in Tandem: they never reach the mail server. */
export interface CommentsTable {
  id: Generated<number>;
  message_id: number;
  author_user_id: string;
  body: string;
  /** JSON array of mentioned user ids. */
  mentions: string;
  created_at: number;
}

/** What a user is told in the app; `kind`: 'mention' | 'reply' (more kinds may come, e.g. assignments). */
export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  /** The email it is about, if any. */
  message_id: number | null;
  /** Who caused it (the author of a mention), if a user. */
  actor_user_id: string | null;
  /** One line for people: "Ann mentioned you on “Offer”". */
  summary: string;
  created_at: number;
  read_at: number | null;
}

export interface MailroomRulesTable {
  id: string;
  owner_user_id: string;
  /** Null: every mailbox of the owner. */
  mailbox_id: string | null;
  name: string;
  /** Rules run in ascending position. */
  position: number;
  enabled: Flag;
  match: 'all' | 'any';
  /** JSON, shaped by crm/rules/rule-schema.ts. */
  conditions: string;
  actions: string;
  created_at: number;
  updated_at: number;
}

/** One rule that matched an email, and what its actions did (shown on the email). */
export interface RuleRunsTable {
  id: Generated<number>;
  message_id: number;
  rule_id: string | null;
  rule_name: string;
  /** JSON array of action results. */
  results: string;
  created_at: number;
}

export interface OAuthProvidersTable {
  id: string;
  name: string;
  client_id: string;
  /** Sealed by the secret box. */
  client_secret: string;
  /** Where the authorization server publishes its metadata; null for a preset's own endpoints. */
  issuer_url: string | null;
  /** JSON: scopes and IMAP/SMTP servers overriding the preset's. */
  settings_json: string;
  created_at: number;
  updated_at: number;
}

export type OAuthGrantState = 'active' | 'revoked';

export interface OAuthGrantsTable {
  id: string;
  user_id: string;
  provider_id: string;
  address: string;
  /** Sealed JSON: access token, refresh token, expiry. */
  tokens: string;
  token_version: Generated<number>;
  state: OAuthGrantState;
  created_at: number;
  updated_at: number;
  /** 1: the provider's identity (ID token email claim) named this address. */
  address_confirmed: Generated<Flag>;
}

export interface OAuthAuthorizationsTable {
  state: string;
  user_id: string;
  /** SHA-256 of the random value in the starting browser's cookie. */
  browser_hash: string;
  provider_id: string;
  address: string;
  /** Sealed PKCE code verifier. */
  code_verifier: string;
  redirect_uri: string;
  /** Signing in again for this mailbox. */
  mailbox_id: string | null;
  expires_at: number;
}

/** A team that owns group mailboxes. */
export interface GroupsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  /** May change the group mailbox's folders and options, connect, disconnect, delete it. */
  can_manage: Generated<Flag>;
  /** Takes part in round-robin assignment. */
  available: Generated<Flag>;
  /** When round-robin last gave this member a conversation (0: never). */
  last_assigned_at: Generated<number>;
  created_at: number;
}

export type ConversationStatus = 'open' | 'pending' | 'closed';

/** A thread of a group mailbox as the team works it (see docs/group-mailboxes.md). */
export interface ConversationsTable {
  /** Also the number in the subject token (`[#1234]`). */
  id: Generated<number>;
  mailbox_id: string;
  subject: string;
  /** Who wrote the first message (lowercase); null when unknown. */
  customer_address: string | null;
  status: ConversationStatus;
  snoozed_until: number | null;
  assignee_user_id: string | null;
  /** The case opened by email-to-case. */
  case_record_id: string | null;
  last_activity_at: number;
  created_at: number;
}

/** How an email was threaded into its conversation. */
export type ThreadSignal = 'new' | 'sent' | 'references' | 'token' | 'cap';

export interface ConversationMessagesTable {
  message_id: number;
  conversation_id: number;
  signal: ThreadSignal;
  /** An auto-reply, bounce or list mail: never opens, reopens or files a case. */
  automatic: Flag;
}

/** A reply sent from a conversation, by its normalized Message-ID. */
export interface ConversationSendsTable {
  message_id_header: string;
  conversation_id: number;
  user_id: string | null;
  created_at: number;
}

export type ConversationEventKind = 'message' | 'reply' | 'note';

/** What happened in a conversation, in order; `id` is what the collision check compares with. */
export interface ConversationEventsTable {
  id: Generated<number>;
  conversation_id: number;
  kind: ConversationEventKind;
  /** The member who did it; null for mail from outside (or written elsewhere by someone unknown). */
  actor_user_id: string | null;
  message_id: number | null;
  comment_id: number | null;
  created_at: number;
}

export type AddressVerification = 'oauth' | 'smtp' | 'code';

export interface AddressCodesTable {
  mailbox_id: string;
  /** sha256 of the code mailed to the address. */
  code_hash: string;
  attempts: Generated<number>;
  expires_at: number;
}

export type ChangeEventType = 'record_created' | 'record_updated' | 'email_received';

/** What changed, written in the same transaction as the change; consumed (deleted) once by the workflow engine. */
export interface ChangeEventsTable {
  id: Generated<number>;
  type: ChangeEventType;
  record_id: string | null;
  message_id: number | null;
  mailbox_id: string | null;
  /** JSON of the record's fields before and after the change (null before a creation). */
  before_json: string | null;
  after_json: string | null;
  /** The workflow run whose action made the change (that workflow is not triggered by it). */
  cause_run_id: string | null;
  created_at: number;
}

export interface WorkflowsTable {
  id: string;
  owner_user_id: string;
  name: string;
  enabled: Flag;
  /** JSON: trigger, mode, reenroll, conditions, actions (workflows/definition.ts). */
  definition_json: string;
  /** The trigger's type, for finding the workflows an event concerns. */
  trigger_type: string;
  /** Schedule and date-field triggers: when the engine looks next. */
  next_fire_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WorkflowEnrolmentsTable {
  workflow_id: string;
  record_id: string;
  /** 1 once a run was made for the record (a record enrols once unless the workflow re-enrolls). */
  enrolled: Flag;
  /** Whether the conditions held at the record's last save (transition mode). */
  last_match: Flag;
  updated_at: number;
}

/** stopped: the workflow stops on a reply (sequences) and the contact replied by hand. */
export type WorkflowRunState = 'queued' | 'running' | 'waiting' | 'done' | 'failed' | 'uncertain' | 'stopped';

export interface WorkflowRunsTable {
  id: string;
  workflow_id: string;
  dedupe_key: string;
  record_id: string | null;
  message_id: number | null;
  /** In words: what started it. */
  trigger: string;
  state: WorkflowRunState;
  next_step: Generated<number>;
  due_at: number;
  lease_owner: string | null;
  lease_until: Generated<number>;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export type WorkflowStepState = 'running' | 'done' | 'failed' | 'uncertain' | 'skipped';

export interface WorkflowStepsTable {
  run_id: string;
  step_index: number;
  type: string;
  state: WorkflowStepState;
  attempts: Generated<number>;
  /** Send Email: the send id chosen at the claim, kept on every retry (so is its Message-ID). */
  send_id: string | null;
  /** JSON: what the step did (the email sent, the record created, the webhook's answer). */
  outcome: string | null;
  error: string | null;
  started_at: number;
  updated_at: number;
}

export interface SendBucketsTable {
  mailbox_id: string;
  tokens: number;
  updated_at: number;
}

/** A link of a tracked send, by its index in the message; a click token names the index. */
export interface TrackedLinksTable {
  send_id: string;
  link_index: number;
  url: string;
}

export type TrackingEventKind = 'open' | 'click';
export type TrackingClassification = 'human' | 'privacy_proxy' | 'scanner' | 'sender';

/** One open or click of a tracked send by one recipient, classified when recorded. */
export interface TrackingEventsTable {
  id: Generated<number>;
  send_id: string;
  /** The recipient's address as the token names it (lower case). */
  recipient: string;
  kind: TrackingEventKind;
  /** For a click: the link's index in tracked_links. */
  link_index: number | null;
  classification: TrackingClassification;
  /** Why it was classified so, for people: "Apple Mail Privacy Protection range". */
  reason: string | null;
  /** The client's address truncated to /24 (IPv4) or /48 (IPv6). */
  ip_prefix: string | null;
  user_agent: string | null;
  at: number;
}

export type SendResponseKind = 'reply' | 'auto_reply';

/** A stored email threaded to a send (In-Reply-To/References or its thread): a reply or an auto-reply. */
export interface SendResponsesTable {
  /** The answering email (messages.id). */
  message_id: number;
  send_id: string;
  kind: SendResponseKind;
  /** Who answered (lower case). */
  from_address: string;
  /** For an auto-reply: which header said so. */
  reason: string | null;
  at: number;
}

/** A failed recipient named by a delivery report; the address is bouncing while an uncleared row exists. */
export interface BouncesTable {
  /** The delivery report (messages.id). */
  message_id: number;
  /** The failed recipient (lower case). */
  address: string;
  /** The send that bounced, when the report names its Message-ID. */
  send_id: string | null;
  /** The enhanced status code (5.1.1), when given. */
  status: string | null;
  /** The server's words (Diagnostic-Code), or the report's own. */
  reason: string;
  at: number;
  /** Set when mail from the address arrived after the bounce. */
  cleared_at: number | null;
}

/** A record's touchpoints: recomputed from its linked emails and their engagement whenever they change. */
export interface RecordTouchpointsTable {
  record_id: string;
  last_contacted_at: number | null;
  last_replied_at: number | null;
  /** The latest reply, human open or human click. */
  last_engaged_at: number | null;
  emails_out: number;
  emails_in: number;
  /** Human opens and clicks only (docs/engagement.md). */
  opens: number;
  clicks: number;
  replies: number;
  updated_at: number;
}

/** held: waiting for send_at; claimed: being sent; done: the `sends` row with this id tells the outcome. */
export type HeldSendState = 'held' | 'claimed' | 'done' | 'cancelled';

/** A send held in Tandem until its time (undo send, schedule send), performed by the sync worker once. */
export interface HeldSendsTable {
  /** Also the id of the `sends` row made when it goes out (so at most one SMTP send). */
  id: string;
  owner_user_id: string;
  mailbox_id: string;
  state: HeldSendState;
  send_at: number;
  subject: string;
  /** JSON {to, cc, bcc}. */
  recipients: string;
  /** JSON of the SendInput (attachments included), as the draft was when held. */
  input_json: string;
  /** JSON of the draft's fields: the draft given back on undo, cancel or a refusal. */
  draft_json: string;
  /** JSON of the merge-tag values looked up when held. */
  merge_values_json: string;
  /** JSON {recordType, recordId}: the record the sent email is linked to. */
  link_to_json: string | null;
  claimed_at: number | null;
  /** Why it was not sent (the draft is back). */
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** A new email whose mailroom rules wait for its body (docs/crm.md): they run once it is indexed. */
export interface RuleWaitsTable {
  message_id: number;
  /** The folder it was stored in, as the rules see it. */
  folder: string;
  created_at: number;
}
