import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../../api.ts';
import type { RecordKind } from '../../contract.ts';
import { RecordPicker } from './RecordPicker.tsx';
import { RunHistory } from './RunHistory.tsx';
import { WorkflowBuilder, emptyWorkflow } from './WorkflowBuilder.tsx';
import type { Workflow, WorkflowInput } from './types.ts';
import './workflows.css';

/** Automate Tasks → Workflows: the user's workflows, the builder, running one by hand, and each one's runs. */
export function Workflows() {
  const [workflows, setWorkflows] = useState<Workflow[] | null>(null);
  const [editing, setEditing] = useState<Workflow | 'new' | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revision, setRevision] = useState(0);

  const load = async () => {
    try {
      setWorkflows((await ok(api.GET('/workflows'))).items);
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const save = async (input: WorkflowInput) => {
    const saved = await ok(
      editing === 'new' || editing === null
        ? api.POST('/workflows', { body: input })
        : api.PUT('/workflows/{id}', { params: { path: { id: editing.id } }, body: input }),
    );
    setEditing(null);
    setOpen(saved.id);
    await load();
  };
  const remove = async (workflow: Workflow) => {
    if (!window.confirm(`Delete the workflow ${workflow.name} and its runs?`)) return;
    try {
      await ok(api.DELETE('/workflows/{id}', { params: { path: { id: workflow.id } } }));
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <section aria-label="Workflows" className="workflows">
      <h3>Workflows</h3>
      <p>
        When a record is created or changes, an email arrives, or at a time: check conditions, then act — send an email
        from the record owner’s mailbox (once, filed in Sent, linked to the record), update fields, create a record,
        comment, call a webhook, wait.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {workflows === null ? (
        <p aria-busy="true">Loading…</p>
      ) : workflows.length === 0 ? (
        <p className="empty">No workflows yet.</p>
      ) : (
        <ul className="rules" aria-label="Workflow list">
          {workflows.map((w) => (
            <li key={w.id} className="rule">
              <div>
                <strong>{w.name}</strong>
                {!w.enabled && <span className="badge">off</span>}
                <div className="note">
                  {w.trigger.type.replace('_', ' ')} → {w.actions.map((a) => a.type.replace('_', ' ')).join(', ')}
                </div>
              </div>
              <div className="rule-actions">
                <button onClick={() => setOpen(open === w.id ? null : w.id)}>
                  {open === w.id ? 'Hide runs' : 'Runs'}
                </button>
                <button onClick={() => setEditing(w)}>Edit</button>
                <button className="danger" aria-label={`Delete ${w.name}`} onClick={() => void remove(w)}>
                  Delete
                </button>
              </div>
              {open === w.id && (
                <div className="workflow-runs">
                  <RunNow workflow={w} onRun={() => setRevision((n) => n + 1)} />
                  <RunHistory workflowId={w.id} revision={revision} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {editing ? (
        <WorkflowBuilder
          key={editing === 'new' ? 'new' : editing.id}
          initial={editing === 'new' ? emptyWorkflow() : editing}
          onCancel={() => setEditing(null)}
          onSave={save}
        />
      ) : (
        <button className="primary" onClick={() => setEditing('new')}>
          New workflow
        </button>
      )}
    </section>
  );
}

function RunNow(props: { workflow: Workflow; onRun: () => void }) {
  const kind: RecordKind = 'recordType' in props.workflow.trigger ? props.workflow.trigger.recordType : 'contact';
  const [recordId, setRecordId] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const run = async () => {
    try {
      await ok(api.POST('/workflows/{id}/run', { params: { path: { id: props.workflow.id } }, body: { recordId } }));
      setMessage('Started: the run appears below within moments.');
      props.onRun();
    } catch (e) {
      setMessage(describeError(e));
    }
  };
  return (
    <div className="inline">
      <RecordPicker kind={kind} label="Run on" value={recordId} onChange={setRecordId} />
      <button type="button" disabled={!recordId} onClick={() => void run()}>
        Run now
      </button>
      {message && <span className="note">{message}</span>}
    </div>
  );
}
