import { useState } from 'react';
import type { FormEvent } from 'react';
import { describeError } from '../../api.ts';
import type { RecordKind } from '../../contract.ts';
import { KIND_LABELS, RECORD_KINDS } from '../../records/kinds.ts';
import { SenderPicker } from './SenderPicker.tsx';
import { TemplateEditor } from './TemplateEditor.tsx';
import { TemplateFiles } from './TemplateFiles.tsx';
import { ACTION_LABELS, COMPARISONS, MODES, newAction } from './types.ts';
import type { Action, Condition, Trigger, WorkflowInput } from './types.ts';

const TRIGGERS: Record<Trigger['type'], string> = {
  record_created: 'A record is created',
  record_updated: 'A record is updated',
  email_received: 'An email is received',
  schedule: 'On a schedule',
  date_field: 'A date is reached',
  manual: 'Run by hand',
};

export const emptyWorkflow = (): WorkflowInput => ({
  name: '',
  enabled: true,
  trigger: { type: 'manual', recordType: 'contact' },
  mode: 'every_save',
  reenroll: false,
  stopOnReply: false,
  actions: [newAction('send_email')],
});

function triggerOf(type: Trigger['type'], kind: RecordKind): Trigger {
  switch (type) {
    case 'record_created':
    case 'record_updated':
    case 'manual':
      return { type, recordType: kind };
    case 'email_received':
      return { type };
    case 'schedule':
      return { type, recordType: kind, every: 'day', at: '09:00' };
    case 'date_field':
      return { type, recordType: kind, field: 'createdAt', offsetMinutes: 60 * 24 * 3 };
  }
}

/** The builder: trigger → conditions → actions, in that order on the page. */
export function WorkflowBuilder(props: {
  initial: WorkflowInput;
  onSave: (workflow: WorkflowInput) => Promise<void>;
  onCancel: () => void;
}) {
  const [workflow, setWorkflow] = useState<WorkflowInput>(props.initial);
  const [error, setError] = useState<string | null>(null);
  const { trigger } = workflow;
  const kind: RecordKind = 'recordType' in trigger ? trigger.recordType : 'contact';
  const conditions = workflow.conditions?.conditions ?? [];
  const setConditions = (list: Condition[]) =>
    setWorkflow({
      ...workflow,
      conditions: list.length === 0 ? undefined : { match: workflow.conditions?.match ?? 'all', conditions: list },
    });
  const setAction = (index: number, action: Action) =>
    setWorkflow({ ...workflow, actions: workflow.actions.map((a, i) => (i === index ? action : a)) });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await props.onSave(workflow);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <form className="rule-form workflow-form" aria-label="Workflow" onSubmit={(e) => void save(e)}>
      <label>
        Workflow name
        <input required value={workflow.name} onChange={(e) => setWorkflow({ ...workflow, name: e.target.value })} />
      </label>
      <fieldset>
        <legend>Trigger</legend>
        <select
          aria-label="Trigger"
          value={trigger.type}
          onChange={(e) => setWorkflow({ ...workflow, trigger: triggerOf(e.target.value as Trigger['type'], kind) })}
        >
          {Object.entries(TRIGGERS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        {'recordType' in trigger && (
          <select
            aria-label="Record type"
            value={kind}
            onChange={(e) =>
              setWorkflow({ ...workflow, trigger: { ...trigger, recordType: e.target.value as RecordKind } as Trigger })
            }
          >
            {RECORD_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k].one}
              </option>
            ))}
          </select>
        )}
        {trigger.type === 'record_updated' && (
          <>
            <input
              aria-label="Changed field"
              placeholder="field (e.g. status), or any"
              value={trigger.field ?? ''}
              onChange={(e) =>
                setWorkflow({
                  ...workflow,
                  trigger: { ...trigger, field: (e.target.value || undefined) as typeof trigger.field },
                })
              }
            />
            <input
              aria-label="Changed to"
              placeholder="to value (optional)"
              value={trigger.to ?? ''}
              onChange={(e) => setWorkflow({ ...workflow, trigger: { ...trigger, to: e.target.value || undefined } })}
            />
          </>
        )}
        {trigger.type === 'date_field' && (
          <DateTrigger trigger={trigger} onChange={(next) => setWorkflow({ ...workflow, trigger: next })} />
        )}
        {trigger.type === 'schedule' && (
          <>
            <select
              aria-label="Every"
              value={trigger.every}
              onChange={(e) =>
                setWorkflow({ ...workflow, trigger: { ...trigger, every: e.target.value as 'day' | 'week' } })
              }
            >
              <option value="day">every day</option>
              <option value="week">every week</option>
            </select>
            <input
              aria-label="At"
              type="time"
              value={trigger.at}
              onChange={(e) => setWorkflow({ ...workflow, trigger: { ...trigger, at: e.target.value } })}
            />
          </>
        )}
        <label className="inline">
          Runs
          <select
            aria-label="Mode"
            value={workflow.mode}
            onChange={(e) => setWorkflow({ ...workflow, mode: e.target.value as WorkflowInput['mode'] })}
          >
            {Object.entries(MODES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={workflow.reenroll ?? false}
            onChange={(e) => setWorkflow({ ...workflow, reenroll: e.target.checked })}
          />
          A record may run more than once
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={workflow.stopOnReply ?? false}
            onChange={(e) => setWorkflow({ ...workflow, stopOnReply: e.target.checked })}
          />
          Send no more emails to a contact who replied by hand
        </label>
      </fieldset>
      <fieldset>
        <legend>Conditions</legend>
        {conditions.length > 1 && (
          <select
            aria-label="Match"
            value={workflow.conditions?.match ?? 'all'}
            onChange={(e) =>
              setWorkflow({ ...workflow, conditions: { match: e.target.value as 'all' | 'any', conditions } })
            }
          >
            <option value="all">all conditions match</option>
            <option value="any">any condition matches</option>
          </select>
        )}
        {conditions.map((c, i) => (
          <div className="condition" key={i}>
            <input
              aria-label={`Condition ${i + 1} field`}
              value={c.field}
              onChange={(e) => setConditions(conditions.map((x, j) => (j === i ? { ...x, field: e.target.value } : x)))}
            />
            <select
              aria-label={`Condition ${i + 1} test`}
              value={c.op}
              onChange={(e) =>
                setConditions(conditions.map((x, j) => (j === i ? { ...x, op: e.target.value as Condition['op'] } : x)))
              }
            >
              {Object.entries(COMPARISONS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            <input
              aria-label={`Condition ${i + 1} value`}
              value={c.value ?? ''}
              onChange={(e) => setConditions(conditions.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
            />
            <button type="button" onClick={() => setConditions(conditions.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => setConditions([...conditions, { field: 'record.status', op: 'equals', value: '' }])}
        >
          Add condition
        </button>
        <p className="note">Fields: record.&lt;field&gt;, contact.&lt;field&gt;, organization.name, email.subject…</p>
      </fieldset>
      <fieldset>
        <legend>Actions, in order</legend>
        {workflow.actions.map((action, i) => (
          <div className="workflow-action" key={i}>
            <h4>
              {i + 1}. {ACTION_LABELS[action.type]}{' '}
              {workflow.actions.length > 1 && (
                <button
                  type="button"
                  onClick={() => setWorkflow({ ...workflow, actions: workflow.actions.filter((_, j) => j !== i) })}
                >
                  Remove
                </button>
              )}
            </h4>
            <ActionFields action={action} kind={kind} index={i} onChange={(a) => setAction(i, a)} />
          </div>
        ))}
        <select
          aria-label="Add action"
          value=""
          onChange={(e) =>
            e.target.value &&
            setWorkflow({ ...workflow, actions: [...workflow.actions, newAction(e.target.value as Action['type'])] })
          }
        >
          <option value="">Add an action…</option>
          {Object.entries(ACTION_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="rule-actions">
        <button className="primary" type="submit">
          Save workflow
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ActionFields(props: { action: Action; kind: RecordKind; index: number; onChange: (a: Action) => void }) {
  const { action, onChange } = props;
  const label = `Action ${props.index + 1}`;
  switch (action.type) {
    case 'send_email': {
      const fixed = action.to.find((r) => r.type === 'address');
      return (
        <>
          <label className="inline">
            To
            <select
              aria-label={`${label} to`}
              value={fixed ? 'address' : (action.to[0]?.type ?? 'contact')}
              onChange={(e) =>
                onChange({
                  ...action,
                  to: [
                    e.target.value === 'address'
                      ? { type: 'address', address: '' }
                      : { type: e.target.value as 'contact' | 'owner' },
                  ],
                })
              }
            >
              <option value="contact">the record’s contact</option>
              <option value="owner">the record’s owner</option>
              <option value="address">an address</option>
            </select>
            {fixed && (
              <input
                aria-label={`${label} address`}
                type="email"
                value={fixed.address}
                onChange={(e) => onChange({ ...action, to: [{ type: 'address', address: e.target.value }] })}
              />
            )}
          </label>
          <SenderPicker action={action} label={label} onChange={onChange} />
          <p className="note">Marked as sent automatically, filed in its mailbox’s Sent once.</p>
          <TemplateEditor
            template={action.template}
            kind={props.kind}
            label={label}
            onChange={(template) => onChange({ ...action, template })}
          />
          <TemplateFiles action={action} label={label} onChange={onChange} />
        </>
      );
    }
    case 'update_fields': {
      const [field = 'description', value = ''] = Object.entries(action.fields)[0] ?? [];
      return (
        <div className="inline">
          <input
            aria-label={`${label} field`}
            value={field}
            onChange={(e) => onChange({ ...action, fields: { [e.target.value]: value } })}
          />
          <input
            aria-label={`${label} value`}
            value={String(value ?? '')}
            onChange={(e) => onChange({ ...action, fields: { [field]: e.target.value } })}
          />
        </div>
      );
    }
    case 'create_record':
      return (
        <div className="inline">
          <select
            aria-label={`${label} record type`}
            value={action.recordType}
            onChange={(e) => onChange({ ...action, recordType: e.target.value as typeof action.recordType })}
          >
            <option value="case">Case</option>
            <option value="ticket">Ticket</option>
            <option value="deal">Deal</option>
          </select>
          <input
            aria-label={`${label} name`}
            required
            value={action.name}
            onChange={(e) => onChange({ ...action, name: e.target.value })}
          />
        </div>
      );
    case 'add_comment':
      return (
        <textarea
          aria-label={`${label} comment`}
          value={action.body}
          onChange={(e) => onChange({ ...action, body: e.target.value })}
        />
      );
    case 'webhook':
      return (
        <div className="inline">
          <input
            aria-label={`${label} URL`}
            type="url"
            value={action.url}
            onChange={(e) => onChange({ ...action, url: e.target.value })}
          />
          <input
            aria-label={`${label} secret`}
            value={action.secret ?? ''}
            placeholder={
              action.secretHint ? `kept (ends ${action.secretHint}); type to replace` : 'secret (16+ characters)'
            }
            onChange={(e) => onChange({ ...action, secret: e.target.value || undefined })}
          />
        </div>
      );
    case 'wait':
      return (
        <label className="inline">
          Minutes
          <input
            aria-label={`${label} minutes`}
            type="number"
            min={1}
            value={action.minutes ?? 60}
            onChange={(e) => onChange({ ...action, minutes: Number(e.target.value) })}
          />
        </label>
      );
  }
}

const DATE_FIELD_LABELS = {
  dueDate: 'close or due date',
  createdAt: 'creation date',
  updatedAt: 'last change',
} as const;
const DAY_MINUTES = 24 * 60;

/** "3 days before the deal's close date": a whole number of days before or after one of the record's dates. */
function DateTrigger({
  trigger,
  onChange,
}: {
  trigger: Extract<Trigger, { type: 'date_field' }>;
  onChange: (trigger: Trigger) => void;
}) {
  const days = Math.abs(Math.round(trigger.offsetMinutes / DAY_MINUTES));
  const before = trigger.offsetMinutes < 0;
  const offset = (nextDays: number, nextBefore: boolean) => (nextBefore ? -1 : 1) * nextDays * DAY_MINUTES;
  return (
    <>
      <input
        aria-label="Days"
        type="number"
        min={0}
        max={365}
        value={days}
        onChange={(e) => onChange({ ...trigger, offsetMinutes: offset(Number(e.target.value), before) })}
      />
      <select
        aria-label="Before or after"
        value={before ? 'before' : 'after'}
        onChange={(e) => onChange({ ...trigger, offsetMinutes: offset(days, e.target.value === 'before') })}
      >
        <option value="before">days before the</option>
        <option value="after">days after the</option>
      </select>
      <select
        aria-label="Date field"
        value={trigger.field}
        onChange={(e) => onChange({ ...trigger, field: e.target.value as typeof trigger.field })}
      >
        {Object.entries(DATE_FIELD_LABELS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </>
  );
}
