import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../../api.ts';
import type { Run } from './types.ts';
import { ACTION_LABELS } from './types.ts';
import type { Action } from './types.ts';

/** A workflow's runs, newest first: each step's outcome and errors in plain words; failed steps may be run again. */
export function RunHistory(props: { workflowId: string; revision: number }) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [failedOnly, setFailedOnly] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    const load = () =>
      ok(
        api.GET('/workflows/{id}/runs', {
          params: { path: { id: props.workflowId }, query: { limit: 50, ...(failedOnly ? { state: 'failed' } : {}) } },
        }),
      ).then(
        (answer) => setRuns(answer.items),
        (e: unknown) => setError(describeError(e)),
      );
    void load();
    // Runs move on in the background: look again every few seconds while the history is open.
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [props.workflowId, props.revision, failedOnly, reloads]);

  const rerun = async (run: Run, index: number) => {
    setError(null);
    try {
      await ok(
        api.POST('/workflows/{id}/runs/{runId}/steps/{index}/rerun', {
          params: { path: { id: props.workflowId, runId: run.id, index } },
        }),
      );
      setReloads((n) => n + 1);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <section aria-label="Run history" className="run-history">
      <h4>Runs</h4>
      <label className="inline">
        <input type="checkbox" checked={failedOnly} onChange={(e) => setFailedOnly(e.target.checked)} />
        Failed only
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {runs === null ? (
        <p aria-busy="true">Loading…</p>
      ) : runs.length === 0 ? (
        <p className="empty">No runs yet.</p>
      ) : (
        <ol className="runs">
          {runs.map((run) => (
            <li key={run.id} className={`run run-${run.state}`}>
              <div>
                <span className="badge">{run.state}</span> {run.trigger} · {new Date(run.createdAt).toLocaleString()}
              </div>
              {run.error && <div className="error">{run.error}</div>}
              <ul>
                {run.steps.map((step) => (
                  <li key={step.index}>
                    {ACTION_LABELS[step.type as Action['type']] ?? step.type}: {step.state}
                    {typeof step.outcome?.messageId === 'string' && ` (email ${step.outcome.messageId})`}
                    {step.error && <span className="error"> — {step.error}</span>}
                    {step.state === 'failed' && (
                      <button type="button" onClick={() => void rerun(run, step.index)}>
                        Run this step again
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
