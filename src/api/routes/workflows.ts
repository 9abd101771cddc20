import { z } from 'zod';
import {
  createWorkflow,
  deleteWorkflow,
  getRun,
  getWorkflow,
  listRuns,
  listWorkflows,
  MERGE_TAGS,
  previewTemplate,
  rerunStep,
  runNow,
  updateWorkflow,
  workflowInputSchema,
} from '../../workflows/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const workflowSchema = workflowInputSchema.extend({
  id: z.string(),
  ownerId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const runStates = ['queued', 'running', 'waiting', 'done', 'failed', 'uncertain', 'stopped'] as const;

const stepSchema = z.object({
  index: z.number().int(),
  type: z.string(),
  state: z.enum(['running', 'done', 'failed', 'uncertain', 'skipped']),
  attempts: z.number().int(),
  outcome: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('Send Email: sendId, messageId, mailboxId, to (and foundInSent when a crash hid the outcome)'),
  error: z.string().nullable().describe('In plain words'),
  updatedAt: z.string(),
});

const runSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  recordId: z.string().nullable(),
  messageId: z.string().nullable().describe('The email that triggered it'),
  trigger: z.string(),
  state: z
    .enum(runStates)
    .describe(
      'uncertain: an email may or may not have gone out; Tandem never sends it again by itself. stopped: the contact replied by hand (stopOnReply); error says who and when',
    ),
  error: z.string().nullable(),
  dueAt: z.string(),
  createdAt: z.string(),
  steps: z.array(stepSchema),
});

const previewSchema = z.object({
  subject: z.string(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  errors: z.array(z.string()).describe('Unknown merge tags: a workflow with them is refused'),
  missing: z.array(z.string()).describe('Known tags with no value for this record: their fallback is used'),
  values: z.record(z.string(), z.string().nullable()),
});

const tags = ['workflows'];
const idParams = z.object({ id: z.string() });
const runParams = z.object({ id: z.string(), runId: z.string() });

/** Workflows (Automate Tasks): triggers, conditions, actions; their runs; template previews. */
export function workflowRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;
  const clock = () => ({
    timeZone: app.tandem.config.timeZone,
    now: Date.now(),
    secrets: app.tandem.secrets,
    blobs: app.tandem.blobs,
  });
  app.get(
    '/api/v1/workflows',
    { schema: { tags, summary: 'Your workflows', response: { 200: z.object({ items: z.array(workflowSchema) }) } } },
    async (request) => ({ items: await listWorkflows(db(), currentUser(request)) }),
  );
  app.post(
    '/api/v1/workflows',
    {
      schema: {
        tags,
        summary: 'Add a workflow: a trigger, a mode, conditions (all/any) and actions in order',
        body: workflowInputSchema,
        response: { 201: workflowSchema, 400: errorSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createWorkflow(db(), currentUser(request), request.body, clock())),
  );
  app.get(
    '/api/v1/workflows/merge-tags',
    {
      schema: {
        tags,
        summary: 'The merge tags templates may use ({{contact.firstName | "there"}} gives a fallback)',
        response: { 200: z.object({ tags: z.array(z.string()) }) },
      },
    },
    async () => ({ tags: [...MERGE_TAGS] }),
  );
  app.post(
    '/api/v1/workflows/preview',
    {
      schema: {
        tags,
        summary: 'Fill a template against a real record; unknown tags are reported as errors',
        body: z.object({
          recordId: z.string(),
          subject: z.string().max(998),
          text: z.string().max(100_000).optional(),
          html: z.string().max(500_000).optional(),
        }),
        response: { 200: previewSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => previewTemplate(db(), currentUser(request), request.body),
  );
  app.get(
    '/api/v1/workflows/:id',
    {
      schema: { tags, summary: 'A workflow', params: idParams, response: { 200: workflowSchema, 404: errorSchema } },
    },
    async (request) => getWorkflow(db(), currentUser(request), request.params.id),
  );
  app.put(
    '/api/v1/workflows/:id',
    {
      schema: {
        tags,
        summary: 'Replace a workflow’s definition (runs under way finish with the steps they have)',
        params: idParams,
        body: workflowInputSchema,
        response: { 200: workflowSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => updateWorkflow(db(), currentUser(request), request.params.id, request.body, clock()),
  );
  app.delete(
    '/api/v1/workflows/:id',
    {
      schema: {
        tags,
        summary: 'Delete a workflow and its runs',
        params: idParams,
        response: { 204: z.null(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await deleteWorkflow(db(), currentUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/workflows/:id/runs',
    {
      schema: {
        tags,
        summary: 'A workflow’s runs, newest first, each step with its outcome; state=failed for those to look at',
        params: idParams,
        querystring: z.object({
          state: z.enum(runStates).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(runSchema) }), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => ({
      items: await listRuns(db(), currentUser(request), request.params.id, request.query),
    }),
  );
  app.get(
    '/api/v1/workflows/:id/runs/:runId',
    {
      schema: { tags, summary: 'One run', params: runParams, response: { 200: runSchema, 404: errorSchema } },
    },
    async (request) => getRun(db(), currentUser(request), request.params.id, request.params.runId),
  );
  app.post(
    '/api/v1/workflows/:id/run',
    {
      schema: {
        tags,
        summary: 'Run now on one record (whatever the trigger); the run starts within moments',
        params: idParams,
        body: z.object({ recordId: z.string() }),
        response: { 202: z.object({ runId: z.string() }), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const runId = await runNow(db(), currentUser(request), request.params.id, request.body.recordId, Date.now());
      return reply.status(202).send({ runId });
    },
  );
  app.post(
    '/api/v1/workflows/:id/runs/:runId/steps/:index/rerun',
    {
      schema: {
        tags,
        summary: 'Run a failed step again, and the steps after it (never an uncertain one)',
        params: runParams.extend({ index: z.coerce.number().int().min(0).max(100) }),
        response: { 202: z.null(), 404: errorSchema, 409: errorSchema },
      },
    },
    async (request, reply) => {
      const { id, runId, index } = request.params;
      await rerunStep(db(), currentUser(request), id, runId, index, Date.now());
      return reply.status(202).send(null);
    },
  );
}
