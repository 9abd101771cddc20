// The API's shapes the web app gives names to, all derived from the server's OpenAPI
// document (api-schema.gen.ts): none is written here by hand.
import type { paths } from './api-schema.gen.ts';

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
/** What a route answers on success. */
export type Answer<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch'> = paths[P][M] extends {
  responses: infer R;
}
  ? Json<R[Extract<keyof R, 200 | 201 | 202>]>
  : never;
/** What a route takes as its JSON body. */
export type Body<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? Json<NonNullable<B>>
  : never;

export type User = NonNullable<Answer<'/auth/session', 'get'>['user']>;
/** A send with its state (sending, sent, uncertain, failed). */
export type SendItem = Answer<'/sends', 'get'>['items'][number];
export type HeldSend = Answer<'/held-sends/{id}', 'get'>;
export type AddressSuggestion = Answer<'/addresses/suggest', 'get'>['items'][number];
export type Mailbox = Answer<'/mailboxes/{id}', 'get'>;
export type Folder = Mailbox['folders'][number];
export type Security = Mailbox['imap']['security'];
export type ServerFolder = Answer<'/mailboxes/{id}/server-folders', 'get'>['items'][number];
/** What deleting a mailbox removes and keeps. */
export type DeletionSummary = Answer<'/mailboxes/{id}/deletion', 'get'>;
export type NewMailbox = Body<'/mailboxes', 'post'>;
export type Discovery = Answer<'/providers/discover', 'get'>;
export type ConnectionTest = Answer<'/mailboxes/test-connection', 'post'>;
export type ConnectionCheck = ConnectionTest['smtp'];
/** A folder on the mail server before the mailbox exists (connection test, OAuth2 sign-in). */
export type ServerFolderChoice = NonNullable<ConnectionTest['imap']['folders']>[number];

export type MessageSummary = Answer<'/messages', 'get'>['items'][number];
export type Address = MessageSummary['to'][number];
/** `GET /messages/:id`: the email with the viewer's view of its CRM side. */
export type MessageDetail = Answer<'/messages/{id}', 'get'>;
export type MessageWithCrm = MessageDetail;
export type RecordLink = MessageWithCrm['links'][number];
export type EmailComment = MessageWithCrm['comments'][number];
export type RuleRun = MessageWithCrm['mailroom'][number];

export type Draft = Answer<'/drafts/{id}', 'get'>;
export type DraftFields = Body<'/drafts/{id}', 'put'>;
/** An attachment being added in the composer (its size is shown there). */
export type NewAttachment = NonNullable<DraftFields['attachments']>[number] & { size: number };

export type CrmRecord = Answer<'/contacts/{id}', 'get'>;
export type RecordKind = CrmRecord['kind'];
/** Every kind's engagement has the contact's shape. */
export type RecordEngagement = Answer<'/contacts/{id}/engagement', 'get'>;
export type Touchpoint = RecordEngagement['items'][number];
export type BouncingAddress = Answer<'/bounces', 'get'>['items'][number];

export type MailroomRule = Answer<'/mailroom/rules', 'get'>['items'][number];
export type RuleCondition = MailroomRule['conditions'][number];
export type RuleAction = MailroomRule['actions'][number];

/** A group mailbox's conversation as the team view lists it, and one opened with its thread and notes. */
export type Conversation = Answer<'/mailboxes/{id}/conversations', 'get'>['items'][number];
export type ConversationDetail = Answer<'/conversations/{id}', 'get'>;
export type ConversationFilter = 'all' | 'mine' | 'unassigned' | 'snoozed' | 'closed';
export type GroupMember = NonNullable<Mailbox['group']>['members'][number];
/** A group mailbox whose team the viewer may change (Settings → Group Mailbox). */
export type EditableGroupMailbox = Answer<'/group-mailboxes', 'get'>['items'][number];
export type DirectoryUser = Answer<'/users/directory', 'get'>['items'][number];

export type Engagement = Answer<'/messages/{id}/engagement', 'get'>;
export type RecipientEngagement = Engagement['recipients'][number];
export type EngagementEvent = RecipientEngagement['events'][number];
export type TrackingSettings = Answer<'/tracking-settings', 'get'>;
