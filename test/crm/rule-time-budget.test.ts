import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRules } from '../../src/crm/rules/run.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { insertFolder, insertMailbox, rawEmail, storeEmail } from './support.ts';

/** Mailroom rules run inside the transaction that stores a batch: a pattern that runs out of time must not hold it for every email. */
describe('a mailroom pattern over its time budget', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite');
  });
  afterAll(() => api.close());

  it('is stopped once per batch: the rule is skipped for the batch’s other emails, the other rules run', async () => {
    const alice = await signedInUser(api);
    const mailboxId = await insertMailbox(api, alice.user.id, 'alice@example.test');
    const folderId = await insertFolder(api, mailboxId, 'INBOX');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        Number(
          await storeEmail(
            api,
            'sqlite',
            { mailboxId, folderId },
            rawEmail({ from: 'x@sender.example', subject: 'a'.repeat(27) }),
          ),
        ),
      );
    for (const rule of [
      {
        name: 'Hostile',
        conditions: [{ field: 'subject', op: 'matches', value: '(.|a)*!' }],
        actions: [{ type: 'mark_private' }],
      },
      {
        name: 'Benign',
        conditions: [{ field: 'subject', op: 'matches', value: '^a+$' }],
        actions: [{ type: 'archive' }],
      },
    ]) {
      const created = await api.app.inject({
        method: 'POST',
        url: '/api/v1/mailroom/rules',
        headers: alice.auth,
        payload: rule,
      });
      expect(created.statusCode).toBe(201);
    }
    const { db } = api.context.store;
    const mailbox = await db.selectFrom('mailboxes').selectAll().where('id', '=', mailboxId).executeTakeFirstOrThrow();
    await db.transaction().execute((trx) => applyRules(trx, mailbox, 'INBOX', ids));

    const runs = await db
      .selectFrom('rule_runs')
      .select(['rule_name', 'results'])
      .where('message_id', 'in', ids)
      .execute();
    const outcome = (name: string) =>
      runs
        .filter((r) => r.rule_name === name)
        .map((r) =>
          (JSON.parse(r.results) as { type: string; error?: string }[])
            .map((x) => x.error?.replace(/ \d+ ms/, ' N ms') ?? x.type)
            .join(),
        )
        .sort();
    expect(outcome('Hostile')).toEqual([
      'a pattern of this rule ran over N ms on this email and was stopped',
      'skipped: a pattern of this rule ran over N ms on an earlier email of the same batch',
      'skipped: a pattern of this rule ran over N ms on an earlier email of the same batch',
    ]);
    expect(outcome('Benign')).toEqual(['archive', 'archive', 'archive']);
    const privacy = await db.selectFrom('messages').select('private').where('id', 'in', ids).execute();
    expect(privacy.map((m) => m.private)).toEqual([0, 0, 0]);
  });
});
