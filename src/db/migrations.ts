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
        await sql`create unique index mailboxes_one_personal on mailboxes (owner_user_id) where kind = 'personal'`.execute(db);
        await db.schema
          .createTable('folders')
          .addColumn('id', serial, (c) => c.primaryKey().$call((col) => (dialect === 'sqlite' ? col.autoIncrement() : col)))
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
  };
}
