import { sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** One list of migrations for both stores; a few column types differ by dialect. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

function migrations(dialect: Dialect): Record<string, Migration> {
  const serial = dialect === 'postgres' ? 'serial' : 'integer';
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0001_foundation': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('expires_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('api_tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('last_used_at', time)
          .execute();
        await db.schema
          .createTable('mailboxes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text')
          .addColumn('imap_host', 'text', (c) => c.notNull())
          .addColumn('imap_port', 'integer', (c) => c.notNull())
          .addColumn('imap_security', 'text', (c) => c.notNull())
          .addColumn('imap_username', 'text', (c) => c.notNull())
          .addColumn('smtp_host', 'text', (c) => c.notNull())
          .addColumn('smtp_port', 'integer', (c) => c.notNull())
          .addColumn('smtp_security', 'text', (c) => c.notNull())
          .addColumn('smtp_username', 'text', (c) => c.notNull())
          .addColumn('secrets', 'text', (c) => c.notNull())
          .addColumn('sync_period', 'text', (c) => c.notNull())
          .addColumn('sync_since', time, (c) => c.notNull())
          .addColumn('mark_incoming_private', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('fallback_consent', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('archive_and_create_past', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        // One personal mailbox per user ("My Mailbox").
        await sql`create unique index mailboxes_one_personal on mailboxes (owner_user_id) where kind = 'personal'`.execute(
          db,
        );
        await db.schema
          .createTable('folders')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('delimiter', 'text')
          .addColumn('special_use', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('enabled_at', time)
          .addColumn('uid_validity', time)
          .addColumn('uid_next', time)
          .addColumn('highest_modseq', 'text')
          .addColumn('server_total', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('synced_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('first_sync_low_uid', time)
          .addColumn('first_sync_done', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_full_check_at', time)
          .addColumn('created_at', time, (c) => c.notNull())
          .addUniqueConstraint('folders_mailbox_path', ['mailbox_id', 'path'])
          .execute();
      },
    },
    '0002_messages': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('messages')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('stable_key', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text')
          .addColumn('in_reply_to', 'text')
          .addColumn('references', 'text', (c) => c.notNull())
          .addColumn('thread_id', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('from_name', 'text')
          .addColumn('from_address', 'text')
          .addColumn('to_json', 'text', (c) => c.notNull())
          .addColumn('cc_json', 'text', (c) => c.notNull())
          .addColumn('bcc_json', 'text', (c) => c.notNull())
          .addColumn('reply_to_json', 'text', (c) => c.notNull())
          .addColumn('date', time, (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('snippet', 'text', (c) => c.notNull())
          .addColumn('body_text', 'text', (c) => c.notNull())
          .addColumn('body_html', 'text')
          .addColumn('has_attachments', 'integer', (c) => c.notNull())
          .addColumn('raw_blob', 'text', (c) => c.notNull())
          .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('headers_json', 'text', (c) => c.notNull())
          .addColumn('problems_json', 'text', (c) => c.notNull())
          .addColumn('orphaned_at', time)
          .addColumn('created_at', time, (c) => c.notNull())
          .$call((t) => (dialect === 'postgres' ? t.addColumn('search', sql`tsvector`) : t))
          .execute();
        await db.schema
          .createIndex('messages_stable_key')
          .on('messages')
          .columns(['mailbox_id', 'stable_key'])
          .execute();
        await db.schema
          .createIndex('messages_message_id')
          .on('messages')
          .columns(['mailbox_id', 'message_id'])
          .execute();
        await db.schema.createIndex('messages_thread').on('messages').columns(['thread_id']).execute();
        await db.schema
          .createTable('message_locations')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'text', (c) => c.notNull())
          .addColumn('folder_id', 'integer', (c) => c.notNull().references('folders.id').onDelete('cascade'))
          .addColumn('uid_validity', time, (c) => c.notNull())
          .addColumn('uid', time, (c) => c.notNull())
          .addColumn('flags', 'text', (c) => c.notNull())
          .addColumn('seen', 'integer', (c) => c.notNull())
          .addColumn('flagged', 'integer', (c) => c.notNull())
          .addColumn('modseq', 'text')
          .addColumn('date', time, (c) => c.notNull())
          .addUniqueConstraint('locations_folder_uid', ['folder_id', 'uid_validity', 'uid'])
          .execute();
        await db.schema
          .createIndex('locations_folder_date')
          .on('message_locations')
          .columns(['folder_id', 'date', 'id'])
          .execute();
        await db.schema.createIndex('locations_message').on('message_locations').columns(['message_id']).execute();
        await db.schema
          .createIndex('locations_mailbox_date')
          .on('message_locations')
          .columns(['mailbox_id', 'date', 'id'])
          .execute();
        await db.schema
          .createTable('attachments')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('filename', 'text')
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('content_id', 'text')
          .addColumn('inline', 'integer', (c) => c.notNull())
          .addColumn('blob_key', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('attachments_message').on('attachments').columns(['message_id']).execute();
        await db.schema
          .createTable('mailbox_leases')
          .addColumn('mailbox_id', 'text', (c) => c.primaryKey().references('mailboxes.id').onDelete('cascade'))
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('epoch', 'integer', (c) => c.notNull())
          .addColumn('expires_at', time, (c) => c.notNull())
          .execute();
        if (dialect === 'postgres') {
          await sql`create index messages_search on messages using gin (search)`.execute(db);
        } else {
          // Contentless: the text lives in messages; rowid = messages.id.
          await sql`create virtual table messages_fts using fts5(subject, participants, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(
            db,
          );
        }
      },
    },
    '0003_outbox': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('outbox_ops')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('message_id', 'integer', (c) => c.references('messages.id').onDelete('set null'))
          .addColumn('location_id', 'integer')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_attempt_at', time, (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('outbox_pending').on('outbox_ops').columns(['mailbox_id', 'state', 'id']).execute();
        await db.schema.createIndex('outbox_location').on('outbox_ops').columns(['location_id', 'state']).execute();
      },
    },
    '0004_sends': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sends')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('raw_blob', 'text', (c) => c.notNull())
          .addColumn('recipients', 'text', (c) => c.notNull())
          .addColumn('in_reply_to_message_id', 'integer', (c) => c.references('messages.id').onDelete('set null'))
          .addColumn('smtp_response', 'text')
          .addColumn('error', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sends_state').on('sends').columns(['state', 'created_at']).execute();
        await db.schema.createIndex('sends_mailbox').on('sends').columns(['mailbox_id']).execute();
        // Providers that file the sent copy themselves (Gmail, Outlook): Tandem must not APPEND one.
        await db.schema
          .alterTable('mailboxes')
          .addColumn('provider_files_sent', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0005_drafts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('drafts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('version_id', 'text', (c) => c.notNull())
          .addColumn('raw_blob', 'text', (c) => c.notNull())
          .addColumn('fields_json', 'text', (c) => c.notNull())
          .addColumn('folder_path', 'text')
          .addColumn('uid_validity', time)
          .addColumn('uid', time)
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
      },
    },
    '0006_signature': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('users')
          .addColumn('signature', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
      },
    },
    '0007_crm': {
      async up(db: Kysely<unknown>) {
        const money = dialect === 'postgres' ? 'double precision' : 'real';
        // Contacts, leads, organizations, deals, cases and tickets: one table, `kind` says which.
        await db.schema
          .createTable('records')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('shared', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('first_name', 'text')
          .addColumn('last_name', 'text')
          .addColumn('company', 'text')
          .addColumn('job_title', 'text')
          .addColumn('phone', 'text')
          .addColumn('website', 'text')
          .addColumn('organization_id', 'text', (c) => c.references('records.id').onDelete('set null'))
          .addColumn('contact_id', 'text', (c) => c.references('records.id').onDelete('set null'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('open', 'integer', (c) => c.notNull())
          .addColumn('amount', money)
          .addColumn('currency', 'text')
          .addColumn('priority', 'text')
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('records_kind_name').on('records').columns(['kind', 'name']).execute();
        await db.schema.createIndex('records_contact').on('records').columns(['contact_id', 'open']).execute();
        await db.schema
          .createTable('record_emails')
          .addColumn('record_id', 'text', (c) => c.notNull().references('records.id').onDelete('cascade'))
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('record_emails_pk', ['record_id', 'address'])
          .execute();
        await db.schema.createIndex('record_emails_address').on('record_emails').columns(['address']).execute();
        // Who took part in each email (from, to, cc; lowercase), so matching a record's addresses is an index lookup.
        await db.schema
          .createTable('message_participants')
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('address', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('message_participants_pk', ['message_id', 'address'])
          .execute();
        await db.schema
          .createIndex('message_participants_address')
          .on('message_participants')
          .columns(['address'])
          .execute();
        await db.schema
          .createTable('email_links')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('record_id', 'text', (c) => c.notNull().references('records.id').onDelete('cascade'))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('created_at', time, (c) => c.notNull())
          .addUniqueConstraint('email_links_message_record', ['message_id', 'record_id'])
          .execute();
        await db.schema.createIndex('email_links_record').on('email_links').columns(['record_id', 'state']).execute();
        // A link asked for when sending (linkTo), made when the sent copy is synced.
        await db.schema
          .createTable('pending_links')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('message_id_header', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text', (c) => c.notNull().references('records.id').onDelete('cascade'))
          .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('pending_links_message')
          .on('pending_links')
          .columns(['mailbox_id', 'message_id_header'])
          .execute();
        await db.schema
          .createTable('comments')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('author_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('mentions', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('comments_message').on('comments').columns(['message_id', 'id']).execute();
        await db.schema
          .createTable('mailroom_rules')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'text', (c) => c.references('mailboxes.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('match', 'text', (c) => c.notNull())
          .addColumn('conditions', 'text', (c) => c.notNull())
          .addColumn('actions', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('mailroom_rules_owner')
          .on('mailroom_rules')
          .columns(['owner_user_id', 'position'])
          .execute();
        await db.schema
          .createTable('rule_runs')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('rule_id', 'text', (c) => c.references('mailroom_rules.id').onDelete('set null'))
          .addColumn('rule_name', 'text', (c) => c.notNull())
          .addColumn('results', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('rule_runs_message').on('rule_runs').columns(['message_id']).execute();
      },
    },
    '0008_oauth': {
      async up(db: Kysely<unknown>) {
        // OAuth2 clients an administrator registered with a provider; the secret is sealed.
        await db.schema
          .createTable('oauth_providers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('client_secret', 'text', (c) => c.notNull())
          .addColumn('issuer_url', 'text')
          .addColumn('settings_json', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        // A user's permission to use a mail account, as sealed tokens; `token_version` orders refreshes.
        await db.schema
          .createTable('oauth_grants')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('provider_id', 'text', (c) => c.notNull())
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('tokens', 'text', (c) => c.notNull())
          .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        // Sign-ins under way: the state parameter, the PKCE verifier (sealed) and the browser that started it.
        await db.schema
          .createTable('oauth_authorizations')
          .addColumn('state', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('browser_hash', 'text', (c) => c.notNull())
          .addColumn('provider_id', 'text', (c) => c.notNull())
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('code_verifier', 'text', (c) => c.notNull())
          .addColumn('redirect_uri', 'text', (c) => c.notNull())
          .addColumn('mailbox_id', 'text')
          .addColumn('expires_at', time, (c) => c.notNull())
          .execute();
        await db.schema.alterTable('mailboxes').addColumn('oauth_grant_id', 'text').execute();
        await db.schema.alterTable('mailboxes').addColumn('provider_id', 'text').execute();
      },
    },
    '0009_outgoing': {
      async up(db: Kysely<unknown>) {
        // Instance-wide settings an admin makes (values that hold secrets are sealed).
        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        // Which server took a send: the mailbox's own, or the admin's fallback.
        await db.schema
          .alterTable('sends')
          .addColumn('via', 'text', (c) => c.notNull().defaultTo('mailbox'))
          .execute();
        // The server's APPENDLIMIT (RFC 7889) in bytes, learned when the sync connects; null when none is advertised.
        await db.schema.alterTable('mailboxes').addColumn('append_limit', time).execute();
      },
    },
    '0010_orphan_index': {
      async up(db: Kysely<unknown>) {
        // The idle loop looks for orphans after every pass: only the few orphans are in this index, not every message.
        await db.schema
          .createIndex('messages_orphaned')
          .on('messages')
          .columns(['mailbox_id', 'orphaned_at'])
          .where(sql.ref('orphaned_at'), 'is not', null)
          .execute();
      },
    },
    '0011_credentials': {
      async up(db: Kysely<unknown>) {
        // Failed sign-ins per account (sha256 of the normalized email, known or not): the lockout outlives a process.
        await db.schema
          .createTable('login_throttle')
          .addColumn('account_key', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('locked_until', time, (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        // A deactivated user cannot sign in and has no session or token; their data stays.
        await db.schema
          .alterTable('users')
          .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        // What a session list shows: where and with what it was opened.
        await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
        await db.schema.alterTable('sessions').addColumn('client_ip', 'text').execute();
        // API tokens may expire; null: never.
        await db.schema.alterTable('api_tokens').addColumn('expires_at', time).execute();
        // One-time password reset tokens an admin issues (stored as sha256).
        await db.schema
          .createTable('password_resets')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('expires_at', time, (c) => c.notNull())
          .execute();
      },
    },
    '0012_period_start_uid': {
      async up(db: Kysely<unknown>) {
        // The folder's UIDNEXT when the mailbox was saved: every UID from it on arrived later, whatever its date.
        await db.schema.alterTable('folders').addColumn('period_start_uid', 'integer').execute();
      },
    },
    '0013_address_verification': {
      async up(db: Kysely<unknown>) {
        // How the mailbox's address was shown to be its owner's ('oauth', 'smtp', 'code'); null: not yet.
        // The admin's fallback outgoing server relays only for verified addresses.
        await db.schema.alterTable('mailboxes').addColumn('address_verified_by', 'text').execute();
        await db.schema.alterTable('mailboxes').addColumn('address_verified_at', time).execute();
        // 1 when the provider's identity (the ID token's email claim) named the grant's address.
        await db.schema
          .alterTable('oauth_grants')
          .addColumn('address_confirmed', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        // A confirmation code mailed to a mailbox's address (stored as sha256), while one is pending.
        await db.schema
          .createTable('address_codes')
          .addColumn('mailbox_id', 'text', (c) => c.primaryKey().references('mailboxes.id').onDelete('cascade'))
          .addColumn('code_hash', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expires_at', time, (c) => c.notNull())
          .execute();
      },
    },
    '0014_outbox_epoch': {
      async up(db: Kysely<unknown>) {
        // The lease epoch under which an op was started ('running'): its end is recorded only under that same epoch.
        await db.schema.alterTable('outbox_ops').addColumn('lease_epoch', 'integer').execute();
      },
    },
    '0015_send_subject': {
      async up(db: Kysely<unknown>) {
        // What the list of sends shows; null for sends made before it was kept.
        await db.schema.alterTable('sends').addColumn('subject', 'text').execute();
        // The list of a mailbox's sends, newest first.
        await db.schema
          .createIndex('sends_mailbox_created')
          .on('sends')
          .columns(['mailbox_id', 'created_at'])
          .execute();
      },
    },
    '0016_group_mailboxes': {
      async up(db: Kysely<unknown>) {
        // A team that owns group mailboxes; its members work in them (one may be allowed to manage one).
        await db.schema
          .createTable('groups')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('group_members')
          .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('can_manage', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('available', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('last_assigned_at', time, (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', time, (c) => c.notNull())
          .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
          .execute();
        await db.schema.createIndex('group_members_user').on('group_members').columns(['user_id']).execute();
        await db.schema
          .alterTable('mailboxes')
          .addColumn('group_id', 'text', (c) => c.references('groups.id').onDelete('cascade'))
          .execute();
        await db.schema
          .alterTable('mailboxes')
          .addColumn('email_to_case', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .alterTable('mailboxes')
          .addColumn('case_token_prefix', 'text', (c) => c.notNull().defaultTo('#'))
          .execute();
        await db.schema
          .alterTable('mailboxes')
          .addColumn('assign_rule', 'text', (c) => c.notNull().defaultTo('manual'))
          .execute();
        // A thread of a group mailbox as the team works it; its id is the number in the subject token.
        await db.schema
          .createTable('conversations')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('customer_address', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('snoozed_until', time)
          .addColumn('assignee_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('case_record_id', 'text', (c) => c.references('records.id').onDelete('set null'))
          .addColumn('last_activity_at', time, (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('conversations_mailbox_activity')
          .on('conversations')
          .columns(['mailbox_id', 'last_activity_at'])
          .execute();
        await db.schema
          .createIndex('conversations_customer')
          .on('conversations')
          .columns(['mailbox_id', 'customer_address', 'created_at'])
          .execute();
        // Which conversation each email of a group mailbox belongs to, and by which signal it was threaded.
        await db.schema
          .createTable('conversation_messages')
          .addColumn('message_id', 'integer', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
          .addColumn('conversation_id', 'integer', (c) =>
            c.notNull().references('conversations.id').onDelete('cascade'),
          )
          .addColumn('signal', 'text', (c) => c.notNull())
          .addColumn('automatic', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('conversation_messages_conversation')
          .on('conversation_messages')
          .columns(['conversation_id'])
          .execute();
        // Replies sent from a conversation in Tandem, by Message-ID: the first threading signal.
        await db.schema
          .createTable('conversation_sends')
          .addColumn('message_id_header', 'text', (c) => c.primaryKey())
          .addColumn('conversation_id', 'integer', (c) =>
            c.notNull().references('conversations.id').onDelete('cascade'),
          )
          .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        // Everything that happened in a conversation, in order: the collision check compares against its ids.
        await db.schema
          .createTable('conversation_events')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('conversation_id', 'integer', (c) =>
            c.notNull().references('conversations.id').onDelete('cascade'),
          )
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('actor_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('message_id', 'integer', (c) => c.references('messages.id').onDelete('cascade'))
          .addColumn('comment_id', 'integer', (c) => c.references('comments.id').onDelete('cascade'))
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('conversation_events_conversation')
          .on('conversation_events')
          .columns(['conversation_id', 'id'])
          .execute();
      },
    },
    '0017_notifications': {
      async up(db: Kysely<unknown>) {
        // What a user is told in the app: a mention, a reply to an email they sent; `kind` says which.
        await db.schema
          .createTable('notifications')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('message_id', 'integer', (c) => c.references('messages.id').onDelete('cascade'))
          .addColumn('actor_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('read_at', time)
          .execute();
        await db.schema
          .createIndex('notifications_user')
          .on('notifications')
          .columns(['user_id', 'created_at'])
          .execute();
      },
    },
    '0018_workflows': {
      async up(db: Kysely<unknown>) {
        // What changed, written in the transaction of the change; the workflow engine consumes (deletes) each row once.
        await db.schema
          .createTable('change_events')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text')
          .addColumn('message_id', 'integer')
          .addColumn('mailbox_id', 'text')
          .addColumn('before_json', 'text')
          .addColumn('after_json', 'text')
          // The workflow run whose action made the change: that workflow is not triggered by it again.
          .addColumn('cause_run_id', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('workflows')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('definition_json', 'text', (c) => c.notNull())
          .addColumn('trigger_type', 'text', (c) => c.notNull())
          .addColumn('next_fire_at', time)
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('workflows_trigger').on('workflows').columns(['trigger_type', 'enabled']).execute();
        // Per (workflow, record): enrolled once, and whether the conditions held at the last save (transition mode).
        await db.schema
          .createTable('workflow_enrolments')
          .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('enrolled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_match', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', time, (c) => c.notNull())
          .addPrimaryKeyConstraint('workflow_enrolments_pk', ['workflow_id', 'record_id'])
          .execute();
        await db.schema
          .createTable('workflow_runs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
          // What made the run, unique per workflow: an event, a schedule slot, a manual request.
          .addColumn('dedupe_key', 'text', (c) => c.notNull())
          .addColumn('record_id', 'text')
          .addColumn('message_id', 'integer')
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('next_step', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('due_at', time, (c) => c.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until', time, (c) => c.notNull().defaultTo(0))
          .addColumn('error', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .addUniqueConstraint('workflow_runs_once', ['workflow_id', 'dedupe_key'])
          .execute();
        await db.schema.createIndex('workflow_runs_due').on('workflow_runs').columns(['state', 'due_at']).execute();
        // One row per (run, step), inserted before the step acts: the claim that makes it happen once.
        await db.schema
          .createTable('workflow_steps')
          .addColumn('run_id', 'text', (c) => c.notNull().references('workflow_runs.id').onDelete('cascade'))
          .addColumn('step_index', 'integer', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('send_id', 'text')
          .addColumn('outcome', 'text')
          .addColumn('error', 'text')
          .addColumn('started_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .addPrimaryKeyConstraint('workflow_steps_pk', ['run_id', 'step_index'])
          .execute();
        // The per-mailbox send rate: a token bucket shared by every process.
        await db.schema
          .createTable('send_buckets')
          .addColumn('mailbox_id', 'text', (c) => c.primaryKey().references('mailboxes.id').onDelete('cascade'))
          .addColumn('tokens', 'real', (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
      },
    },
    '0019_tracking': {
      async up(db: Kysely<unknown>) {
        // Whether a send carried open/click marks (the copy filed in Sent never does).
        await db.schema
          .alterTable('sends')
          .addColumn('tracked', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        // The links of a tracked send, by their index in it: a click token names an index, never a URL.
        await db.schema
          .createTable('tracked_links')
          .addColumn('send_id', 'text', (c) => c.notNull().references('sends.id').onDelete('cascade'))
          .addColumn('link_index', 'integer', (c) => c.notNull())
          .addColumn('url', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('tracked_links_pk', ['send_id', 'link_index'])
          .execute();
        // One open or click of a tracked send by one recipient, classified when recorded.
        await db.schema
          .createTable('tracking_events')
          .addColumn('id', serial, (c) =>
            c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)),
          )
          .addColumn('send_id', 'text', (c) => c.notNull().references('sends.id').onDelete('cascade'))
          .addColumn('recipient', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('link_index', 'integer')
          .addColumn('classification', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('ip_prefix', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('tracking_events_send').on('tracking_events').columns(['send_id', 'at']).execute();
        await db.schema.createIndex('tracking_events_at').on('tracking_events').columns(['at']).execute();
      },
    },
    '0022_do_not_track': {
      async up(db: Kysely<unknown>) {
        // A contact (or any record) marked do not track: mail to its addresses carries no marks.
        await db.schema
          .alterTable('records')
          .addColumn('do_not_track', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0023_touchpoints': {
      async up(db: Kysely<unknown>) {
        // An email that answers a send (threaded to it): a person's reply or an auto-reply.
        await db.schema
          .createTable('send_responses')
          .addColumn('message_id', 'integer', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
          .addColumn('send_id', 'text', (c) => c.notNull().references('sends.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('from_address', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('send_responses_send').on('send_responses').columns(['send_id']).execute();
        // A reply names the send by its Message-ID.
        await db.schema.createIndex('sends_message_id').on('sends').columns(['message_id']).execute();
        // One failed recipient named by a delivery report; cleared once mail from that address arrives.
        await db.schema
          .createTable('bounces')
          .addColumn('message_id', 'integer', (c) => c.notNull().references('messages.id').onDelete('cascade'))
          .addColumn('address', 'text', (c) => c.notNull())
          .addColumn('send_id', 'text', (c) => c.references('sends.id').onDelete('set null'))
          .addColumn('status', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('at', time, (c) => c.notNull())
          .addColumn('cleared_at', time)
          .addPrimaryKeyConstraint('bounces_pk', ['message_id', 'address'])
          .execute();
        await db.schema.createIndex('bounces_address').on('bounces').columns(['address', 'cleared_at']).execute();
        await db.schema.createIndex('bounces_send').on('bounces').columns(['send_id']).execute();
        // Each record's touchpoints, recomputed in the transaction of whatever changed them.
        await db.schema
          .createTable('record_touchpoints')
          .addColumn('record_id', 'text', (c) => c.primaryKey().references('records.id').onDelete('cascade'))
          .addColumn('last_contacted_at', time)
          .addColumn('last_replied_at', time)
          .addColumn('last_engaged_at', time)
          .addColumn('emails_out', 'integer', (c) => c.notNull())
          .addColumn('emails_in', 'integer', (c) => c.notNull())
          .addColumn('opens', 'integer', (c) => c.notNull())
          .addColumn('clicks', 'integer', (c) => c.notNull())
          .addColumn('replies', 'integer', (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('record_touchpoints_contacted')
          .on('record_touchpoints')
          .columns(['last_contacted_at'])
          .execute();
      },
    },
    '0024_indexer': {
      async up(db: Kysely<unknown>) {
        // 0 while only the header pass stored the message (listed); 1 once its body is indexed.
        // Every message stored before this migration was parsed whole, so the default is 1.
        await db.schema
          .alterTable('messages')
          .addColumn('indexed', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        // The indexer's queue, newest first per mailbox; a partial index stays as small as the backlog.
        await sql`create index messages_unindexed on messages (mailbox_id, date) where indexed = 0`.execute(db);
        // A new email whose mailroom rules need its body: they run once the indexer has it.
        await db.schema
          .createTable('rule_waits')
          .addColumn('message_id', 'integer', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
          .addColumn('folder', 'text', (c) => c.notNull())
          .addColumn('created_at', time, (c) => c.notNull())
          .execute();
      },
    },
    '0025_held_sends': {
      async up(db: Kysely<unknown>) {
        // A send held in Tandem until its time (undo send, schedule send); its id becomes the send's id.
        await db.schema
          .createTable('held_sends')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('owner_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('mailbox_id', 'text', (c) => c.notNull().references('mailboxes.id').onDelete('cascade'))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('send_at', time, (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('recipients', 'text', (c) => c.notNull())
          .addColumn('input_json', 'text', (c) => c.notNull())
          .addColumn('draft_json', 'text', (c) => c.notNull())
          .addColumn('merge_values_json', 'text', (c) => c.notNull())
          .addColumn('link_to_json', 'text')
          .addColumn('claimed_at', time)
          .addColumn('error', 'text')
          .addColumn('created_at', time, (c) => c.notNull())
          .addColumn('updated_at', time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('held_sends_due').on('held_sends').columns(['state', 'send_at']).execute();
        await db.schema
          .createIndex('held_sends_owner')
          .on('held_sends')
          .columns(['owner_user_id', 'state', 'send_at'])
          .execute();
      },
    },
    '0026_record_dates': {
      async up(db: Kysely<unknown>) {
        // A deal's expected close date; a case's or ticket's due date (workflow date triggers read it).
        await db.schema.alterTable('records').addColumn('due_at', time).execute();
      },
    },
  };
}
