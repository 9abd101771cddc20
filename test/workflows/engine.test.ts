import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEngine } from '../../src/workflows/index.ts';
import { signedInUser, startTestApi } from '../support/api.ts';
import type { TestApi } from '../support/api.ts';
import { storeDialects } from '../support/stores.ts';

const dialects = await storeDialects();

describe.each(dialects)('workflow engine (%s)', (dialect) => {
  let api: TestApi;
  let clock = Date.now();
  let engine: WorkflowEngine;
  let allowingEngine: WorkflowEngine;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    engine = new WorkflowEngine(api.context, { now: () => clock, intervalMs: 0 });
    // The same store, with an admin's permission for webhooks to this machine.
    allowingEngine = new WorkflowEngine(
      { ...api.context, config: { ...api.context.config, allowedWebhookHosts: ['127.0.0.0/8'] } },
      { now: () => clock, intervalMs: 0 },
    );
  });
  afterAll(() => api.close());

  async function user() {
    const { auth } = await signedInUser(api);
    const call = async <T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
      const response = await api.app.inject({ method, url, headers: auth, payload: payload as object });
      return { status: response.statusCode, body: response.body ? response.json<T>() : (undefined as T) };
    };
    const ok = async <T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) => {
      const r = await call<T>(method, url, payload);
      if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const runsOf = async (id: string, query = '') =>
      (
        await ok<{
          items: {
            id: string;
            state: string;
            recordId: string;
            steps: { index: number; state: string; error: string | null; outcome: Record<string, unknown> | null }[];
          }[];
        }>('GET', `/api/v1/workflows/${id}/runs${query}`)
      ).items;
    return { call, ok, runsOf };
  }

  const stamp = (text: string) => ({ type: 'update_fields', fields: { description: text } });

  it('refuses a template with an unknown merge tag (400), and previews one against a real record', async () => {
    const { call, ok } = await user();
    const contact = await ok<{ id: string }>('POST', '/api/v1/contacts', {
      firstName: 'Ann',
      emails: ['ann@example.test'],
    });
    const bad = await call<{ error: { code: string; message: string } }>('POST', '/api/v1/workflows', {
      name: 'Typo',
      trigger: { type: 'manual', recordType: 'contact' },
      actions: [{ type: 'send_email', to: [{ type: 'contact' }], template: { subject: 'Hi {{contact.frstName}}' } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed' });
    expect(bad.body.error.message).toContain('{{contact.frstName}}');
    expect(
      (await call('POST', '/api/v1/workflows', { name: 'x', trigger: { type: 'nope' }, actions: [] })).status,
    ).toBe(400);

    const preview = await ok<{ subject: string; text: string; errors: string[]; missing: string[] }>(
      'POST',
      '/api/v1/workflows/preview',
      {
        recordId: contact.id,
        subject: 'Hi {{contact.firstName | "there"}} from {{organization.name | "us"}}',
        text: '{{contact.shoeSize}}',
      },
    );
    expect(preview.subject).toBe('Hi Ann from us');
    expect(preview.errors).toEqual(['Unknown merge tag {{contact.shoeSize}}']);
    expect(preview.missing).toEqual(['organization.name']);
  });

  it('runs a transition workflow when its condition becomes true, not on the next save, and once per record', async () => {
    const { ok, runsOf } = await user();
    const workflow = await ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Big deals',
      trigger: { type: 'record_updated', recordType: 'deal' },
      mode: 'transition',
      conditions: {
        match: 'any',
        conditions: [
          { field: 'record.amount', op: 'greater_than', value: '1000' },
          { field: 'record.priority', op: 'equals', value: 'urgent' },
        ],
      },
      actions: [stamp('big')],
    });
    const deal = await ok<{ id: string }>('POST', '/api/v1/deals', { name: 'D', amount: 10 });
    await ok('PATCH', `/api/v1/deals/${deal.id}`, { amount: 50 });
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(0);
    await ok('PATCH', `/api/v1/deals/${deal.id}`, { amount: 5000 });
    await engine.tick();
    const runs = await runsOf(workflow.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ state: 'done', recordId: deal.id });
    // Its own change does not trigger it again; the next save with the condition still true neither.
    await ok('PATCH', `/api/v1/deals/${deal.id}`, { name: 'D renamed' });
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(1);
    expect((await ok<{ description: string }>('GET', `/api/v1/deals/${deal.id}`)).description).toBe('big');
    // Back to false and true again: a record enrols once by default.
    await ok('PATCH', `/api/v1/deals/${deal.id}`, { amount: 1 });
    await ok('PATCH', `/api/v1/deals/${deal.id}`, { amount: 9000 });
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(1);
  });

  it('every_save with re-enrolment runs on each save that meets the conditions; until_true stops after the first', async () => {
    const { ok, runsOf } = await user();
    const every = await ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Every',
      trigger: { type: 'record_updated', recordType: 'case' },
      mode: 'every_save',
      reenroll: true,
      conditions: { match: 'all', conditions: [{ field: 'record.priority', op: 'equals', value: 'high' }] },
      actions: [{ type: 'create_record', recordType: 'ticket', name: 'Follow up {{record.name}}' }],
    });
    const until = await ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Until',
      trigger: { type: 'record_updated', recordType: 'case' },
      mode: 'until_true',
      reenroll: true,
      conditions: { match: 'all', conditions: [{ field: 'record.priority', op: 'equals', value: 'high' }] },
      actions: [{ type: 'create_record', recordType: 'ticket', name: 'Escalation' }],
    });
    const kase = await ok<{ id: string }>('POST', '/api/v1/cases', { name: 'Broken printer' });
    for (const priority of ['low', 'high', 'high', 'normal', 'high']) {
      await ok('PATCH', `/api/v1/cases/${kase.id}`, { priority });
    }
    await engine.tick();
    expect(await runsOf(every.id)).toHaveLength(3);
    expect(await runsOf(until.id)).toHaveLength(1);
    const created = (await runsOf(every.id))[0]?.steps[0]?.outcome as { recordId: string };
    expect(await ok('GET', `/api/v1/tickets/${created.recordId}`)).toMatchObject({ name: 'Follow up Broken printer' });
  });

  it('fires a schedule at its time once, then at the next slot', async () => {
    const { ok, runsOf } = await user();
    const workflow = await ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Morning',
      trigger: { type: 'schedule', recordType: 'organization', every: 'day', at: '09:00' },
      reenroll: true,
      conditions: { match: 'all', conditions: [{ field: 'record.name', op: 'contains', value: 'scheduled' }] },
      actions: [stamp('morning')],
    });
    const org = await ok<{ id: string }>('POST', '/api/v1/organizations', {
      name: `scheduled ${dialect} ${Date.now()}`,
    });
    const row = await api.context.store.db
      .selectFrom('workflows')
      .select('next_fire_at')
      .where('id', '=', workflow.id)
      .executeTakeFirstOrThrow();
    const slot = Number(row.next_fire_at);
    expect(new Date(slot).toISOString()).toMatch(/T09:00:00\.000Z$/); // the workspace time zone is UTC by default

    clock = slot - 60_000;
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(0);
    clock = slot + 1000;
    await engine.tick();
    await engine.tick();
    const runs = await runsOf(workflow.id);
    expect(runs.map((r) => [r.recordId, r.state])).toEqual([[org.id, 'done']]);
    clock = slot + 24 * 3600_000 + 1000;
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(2);
    clock = Date.now();
  });

  it('fires when a date plus its offset is reached, and a Wait step resumes the run later', async () => {
    const { ok, runsOf } = await user();
    const workflow = await ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'An hour after',
      trigger: { type: 'date_field', recordType: 'lead', field: 'createdAt', offsetMinutes: 60 },
      actions: [{ type: 'wait', minutes: 30 }, stamp('followed up')],
    });
    const lead = await ok<{ id: string; createdAt: string }>('POST', '/api/v1/leads', { firstName: 'Lee' });
    const created = Date.parse(lead.createdAt);
    clock = created + 59 * 60_000;
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(0);
    clock = created + 61 * 60_000;
    await engine.tick();
    const [waiting] = await runsOf(workflow.id);
    expect(waiting?.state).toBe('waiting');
    expect(waiting?.steps.map((s) => s.state)).toEqual(['done']);
    clock = created + 92 * 60_000;
    await engine.tick();
    const runs = await runsOf(workflow.id);
    expect(runs.map((r) => r.state)).toEqual(['done']);
    expect((await ok<{ description: string }>('GET', `/api/v1/leads/${lead.id}`)).description).toBe('followed up');
    clock = Date.now();
  });

  it('fires three days before a deal’s close date, again for a new date when re-enrolling, never without a date', async () => {
    const { ok, runsOf } = await user();
    const start = Date.now();
    clock = start;
    const workflow = await ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Three days before closing',
      trigger: { type: 'date_field', recordType: 'deal', field: 'dueDate', offsetMinutes: -3 * 24 * 60 },
      reenroll: true,
      actions: [stamp('closing soon')],
    });
    const day = 24 * 3600_000;
    const closes = new Date(start + 10 * day).toISOString();
    const deal = await ok<{ id: string; dueDate: string }>('POST', '/api/v1/deals', {
      name: 'Big one',
      dueDate: closes,
    });
    expect(deal.dueDate).toBe(closes);
    await ok('POST', '/api/v1/deals', { name: 'No date' });

    clock = start + 7 * day - 60_000;
    await engine.tick();
    expect(await runsOf(workflow.id)).toHaveLength(0);
    clock = start + 7 * day + 60_000;
    await engine.tick();
    await engine.tick();
    expect((await runsOf(workflow.id)).map((r) => [r.recordId, r.state])).toEqual([[deal.id, 'done']]);

    // The close date moves out: the workflow (which re-enrols) comes round again for the new date, once.
    await ok('PATCH', `/api/v1/deals/${deal.id}`, { dueDate: new Date(start + 20 * day).toISOString() });
    clock = start + 17 * day + 60_000;
    await engine.tick();
    await engine.tick();
    clock = start + 18 * day;
    await engine.tick();
    expect((await runsOf(workflow.id)).map((r) => [r.recordId, r.state])).toEqual([
      [deal.id, 'done'],
      [deal.id, 'done'],
    ]);
    clock = Date.now();
  });

  it('POSTs a signed webhook where an admin allows it, refuses loopback otherwise, and re-runs a failed step by hand', async () => {
    const { ok, call, runsOf } = await user();
    const received: { body: string; signature: string; delivery: string }[] = [];
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        received.push({
          body: Buffer.concat(chunks).toString(),
          signature: String(request.headers['x-tandem-signature']),
          delivery: String(request.headers['x-tandem-delivery']),
        });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const secret = 'a-secret-of-enough-length';
    try {
      const hook = { type: 'webhook', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
      const definition = { name: 'Hook', trigger: { type: 'manual', recordType: 'contact' } };
      const workflow = await ok<{ id: string; actions: unknown[] }>('POST', '/api/v1/workflows', {
        ...definition,
        actions: [{ ...hook, secret }, stamp('hooked')],
      });
      // The secret is sealed at rest and never shown again: a hint stands for it.
      expect(workflow.actions[0]).toEqual({ ...hook, secretHint: '…ngth' });
      const stored = await api.context.store.db
        .selectFrom('workflows')
        .select('definition_json')
        .where('id', '=', workflow.id)
        .executeTakeFirstOrThrow();
      expect(stored.definition_json).not.toContain(secret);
      // Saved again without it, it keeps the one stored; a new webhook without one is refused.
      await ok('PUT', `/api/v1/workflows/${workflow.id}`, { ...definition, actions: [hook, stamp('hooked')] });
      const unsigned = await call<{ error: { code: string } }>('PUT', `/api/v1/workflows/${workflow.id}`, {
        ...definition,
        actions: [stamp('hooked'), hook],
      });
      expect(unsigned.status).toBe(400);
      expect(unsigned.body.error.code).toBe('validation_failed');
      const contact = await ok<{ id: string }>('POST', '/api/v1/contacts', { firstName: 'Hook' });
      await ok('POST', `/api/v1/workflows/${workflow.id}/run`, { recordId: contact.id });
      clock = Date.now(); // the run was queued now, by the real clock
      await engine.tick();
      const [failed] = await runsOf(workflow.id, '?state=failed');
      expect(failed?.steps[0]?.state).toBe('failed');
      expect(failed?.steps[0]?.error).toMatch(/does not connect to 127\.0\.0\.1.*allowedWebhookHosts/);
      expect(failed?.steps).toHaveLength(1);
      expect(received).toHaveLength(0);
      expect(await runsOf(workflow.id, '?state=done')).toHaveLength(0);

      // An uncertain or done step is not re-run; the failed one is, and the steps after it.
      expect((await call('POST', `/api/v1/workflows/${workflow.id}/runs/${failed?.id}/steps/5/rerun`)).status).toBe(
        404,
      );
      expect((await call('POST', `/api/v1/workflows/${workflow.id}/runs/${failed?.id}/steps/0/rerun`)).status).toBe(
        202,
      );
      clock = Date.now();
      await allowingEngine.tick();
      const [done] = await runsOf(workflow.id);
      expect(done).toMatchObject({ id: failed?.id, state: 'done' });
      expect(done?.steps.map((s) => s.state)).toEqual(['done', 'done']);
      expect(received).toHaveLength(1);
      const hit = received[0];
      expect(hit?.signature).toBe(
        `sha256=${createHmac('sha256', secret)
          .update(hit?.body ?? '')
          .digest('hex')}`,
      );
      expect(hit?.delivery).toBe(`${failed?.id}:0`);
      expect(JSON.parse(hit?.body ?? '{}')).toMatchObject({ record: { id: contact.id, firstName: 'Hook' } });
      expect((await ok<{ description: string }>('GET', `/api/v1/contacts/${contact.id}`)).description).toBe('hooked');
    } finally {
      server.close();
    }
  });

  it('shows a user only their own workflows', async () => {
    const a = await user();
    const b = await user();
    const mine = await a.ok<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'Mine',
      trigger: { type: 'manual', recordType: 'contact' },
      actions: [stamp('x')],
    });
    expect((await b.call('GET', `/api/v1/workflows/${mine.id}`)).status).toBe(404);
    expect((await b.call('GET', `/api/v1/workflows/${mine.id}/runs`)).status).toBe(404);
    expect((await b.call('DELETE', `/api/v1/workflows/${mine.id}`)).status).toBe(404);
    expect((await a.call('DELETE', `/api/v1/workflows/${mine.id}`)).status).toBe(204);
  });
});
