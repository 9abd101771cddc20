import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEngine } from '../../src/workflows/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

const postgres = (await storeDialects()).includes('postgres');

/** Several engines on one PostgreSQL (as `tandem worker`s): each run and each step happens once. */
describe.runIf(postgres)('workflow engines sharing one PostgreSQL', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('postgres');
  });
  afterAll(() => api.close());

  it('perform every run once when three engines take work at the same time', async () => {
    const { auth } = await signedInUser(api);
    const call = async <T>(url: string, payload: unknown) =>
      (await api.app.inject({ method: 'POST', url, headers: auth, payload: payload as object })).json<T>();
    const workflow = await call<{ id: string }>('/api/v1/workflows', {
      name: 'Open a ticket per new contact',
      trigger: { type: 'record_created', recordType: 'contact' },
      mode: 'first_save',
      actions: [{ type: 'create_record', recordType: 'ticket', name: 'Welcome {{contact.firstName}}' }],
    });
    for (let i = 0; i < 40; i += 1) await call('/api/v1/contacts', { firstName: `P${i}` });

    const engines = [0, 1, 2].map(() => new WorkflowEngine(api.context, { intervalMs: 0, concurrency: 3 }));
    expect(new Set(engines.map((e) => e.owner)).size).toBe(3);
    await Promise.all(engines.map((e) => e.tick()));
    await Promise.all(engines.map((e) => e.tick()));

    const { db } = api.context.store;
    const runs = await db.selectFrom('workflow_runs').selectAll().where('workflow_id', '=', workflow.id).execute();
    expect(runs).toHaveLength(40);
    expect(runs.every((r) => r.state === 'done')).toBe(true);
    const steps = await db
      .selectFrom('workflow_steps')
      .select(['attempts', 'state'])
      .where(
        'run_id',
        'in',
        runs.map((r) => r.id),
      )
      .execute();
    expect(steps.map((s) => [s.state, s.attempts])).toEqual(runs.map(() => ['done', 1]));
    const tickets = await db.selectFrom('records').select('name').where('kind', '=', 'ticket').execute();
    expect(tickets).toHaveLength(40);
    expect(new Set(tickets.map((t) => t.name)).size).toBe(40);
  });
});
