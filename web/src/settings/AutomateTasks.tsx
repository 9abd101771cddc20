import { useEffect, useState } from 'react';
import { ArrowDown, ArrowUp, X } from 'lucide-react';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import type { FormEvent } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Mailbox, MailroomRule, RuleAction, RuleCondition } from '../contract.ts';
import { Workflows } from './workflows/Workflows.tsx';

type RuleField = RuleCondition['field'];
type RuleOp = RuleCondition['op'];

const FIELDS: Record<RuleField, string> = {
  from: 'From',
  to: 'To',
  cc: 'Cc',
  subject: 'Subject',
  body: 'Body',
  folder: 'Folder',
};
const OPS: Record<RuleOp, string> = {
  contains: 'contains',
  equals: 'equals',
  domain_is: 'domain is',
  matches: 'matches (regular expression)',
};
const CREATABLE = ['contact', 'lead', 'organization', 'case'] as const;
const ADDRESS_FIELDS: readonly RuleField[] = ['from', 'to', 'cc'];

type RuleDraft = Pick<MailroomRule, 'name' | 'match' | 'conditions' | 'actions' | 'enabled'> & {
  allMailboxes: boolean;
};

const emptyRule = (): RuleDraft => ({
  name: '',
  match: 'all',
  conditions: [{ field: 'from', op: 'contains', value: '' }],
  actions: [{ type: 'archive' }],
  enabled: true,
  allMailboxes: false,
});

/** Mailbox settings → Automate Tasks: the user's mailroom rules, in the order they run. */
export function AutomateTasks({ mailbox }: { mailbox: Mailbox }) {
  const [rules, setRules] = useState<MailroomRule[] | null>(null);
  const [editing, setEditing] = useState<MailroomRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<MailroomRule | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      setRules((await ok(api.GET('/mailroom/rules'))).items);
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await load();
    } catch (e) {
      setError(describeError(e));
    }
  };
  /** Swaps a rule's position with its neighbour's. */
  const move = (index: number, by: -1 | 1) => {
    const list = rules ?? [];
    const a = list[index];
    const b = list[index + by];
    if (!a || !b) return;
    void act(async () => {
      await ok(api.PATCH('/mailroom/rules/{id}', { params: { path: { id: a.id } }, body: { position: b.position } }));
      await ok(api.PATCH('/mailroom/rules/{id}', { params: { path: { id: b.id } }, body: { position: a.position } }));
    });
  };

  return (
    <section role="tabpanel" aria-label="Automate Tasks">
      <p>
        Mailroom rules run, top to bottom, on every new email as it arrives in a synced folder (Drafts excepted); each
        rule that matches is logged on the email. <strong>Archive</strong> links the email to the records it matches;{' '}
        <strong>create</strong> makes a contact, lead, organization or case from it when none matches, then links it.
      </p>
      <p className="note">
        Past emails: with <em>archive and create</em> chosen when the mailbox was set up, the rules are applied once to
        the past emails fetched by the first sync only (this mailbox: {mailbox.archiveAndCreatePast ? 'on' : 'off'}).
        Emails already in Tandem never go through the rules again — not after a new rule either.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rules === null ? (
        <p aria-busy="true">Loading…</p>
      ) : rules.length === 0 ? (
        <p className="empty">No rules yet.</p>
      ) : (
        <ol className="rules" aria-label="Rules">
          {rules.map((rule, i) => (
            <li key={rule.id} className="rule">
              <div>
                <strong>{rule.name}</strong>
                {!rule.enabled && <span className="badge">off</span>}
                <div className="note">{describeRule(rule)}</div>
              </div>
              <div className="rule-actions">
                <button aria-label={`Move ${rule.name} up`} onClick={() => move(i, -1)} disabled={i === 0}>
                  <ArrowUp aria-hidden="true" size={14} />
                </button>
                <button
                  aria-label={`Move ${rule.name} down`}
                  onClick={() => move(i, 1)}
                  disabled={i === rules.length - 1}
                >
                  <ArrowDown aria-hidden="true" size={14} />
                </button>
                <button onClick={() => setEditing(rule)}>Edit</button>
                <button className="danger" aria-label={`Delete ${rule.name}`} onClick={() => setDeleting(rule)}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the rule ${deleting.name}?`}
          confirm="Delete rule"
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            setDeleting(null);
            void act(() => ok(api.DELETE('/mailroom/rules/{id}', { params: { path: { id: deleting.id } } })));
          }}
        >
          <p>This cannot be undone.</p>
        </ConfirmDialog>
      )}
      {editing ? (
        <RuleForm
          key={editing === 'new' ? 'new' : editing.id}
          initial={editing === 'new' ? emptyRule() : { ...editing, allMailboxes: editing.mailboxId === null }}
          onCancel={() => setEditing(null)}
          onSave={async (draft) => {
            const { allMailboxes, ...rest } = draft;
            const body = { ...rest, mailboxId: allMailboxes ? null : mailbox.id };
            await ok(
              editing === 'new'
                ? api.POST('/mailroom/rules', { body })
                : api.PATCH('/mailroom/rules/{id}', { params: { path: { id: editing.id } }, body }),
            );
            setEditing(null);
            await load();
          }}
        />
      ) : (
        <button className="primary" onClick={() => setEditing('new')}>
          New rule
        </button>
      )}
      <Workflows />
    </section>
  );
}

function describeRule(rule: MailroomRule): string {
  const when = rule.conditions
    .map((c) => `${FIELDS[c.field].toLowerCase()} ${OPS[c.op].replace(' (regular expression)', '')} “${c.value}”`)
    .join(rule.match === 'all' ? ' and ' : ' or ');
  const then = rule.actions
    .map((a) => (a.type === 'create' ? `create ${a.recordType}` : a.type === 'archive' ? 'archive' : 'mark private'))
    .join(', ');
  return `When ${when}: ${then}${rule.mailboxId === null ? ' · all my mailboxes' : ''}`;
}

function RuleForm({
  initial,
  onSave,
  onCancel,
}: {
  initial: RuleDraft;
  onSave: (draft: RuleDraft) => Promise<void>;
  onCancel: () => void;
}) {
  const [rule, setRule] = useState<RuleDraft>(initial);
  const [error, setError] = useState<string | null>(null);
  const setCondition = (i: number, change: Partial<RuleCondition>) =>
    setRule((r) => ({ ...r, conditions: r.conditions.map((c, j) => (j === i ? { ...c, ...change } : c)) }));
  const has = (type: RuleAction['type']) => rule.actions.some((a) => a.type === type);
  const created = rule.actions.find((a) => a.type === 'create');
  const setAction = (type: RuleAction['type'], on: boolean, action?: RuleAction) =>
    setRule((r) => ({
      ...r,
      actions: [...r.actions.filter((a) => a.type !== type), ...(on && action ? [action] : [])].sort(
        (a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type),
      ),
    }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await onSave(rule);
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <form className="rule-form" aria-label="Rule" onSubmit={(e) => void save(e)}>
      <label>
        Rule name
        <input required value={rule.name} onChange={(e) => setRule({ ...rule, name: e.target.value })} />
      </label>
      <fieldset>
        <legend>Conditions</legend>
        <label className="inline">
          When
          <select
            aria-label="Match"
            value={rule.match}
            onChange={(e) => setRule({ ...rule, match: e.target.value as 'all' | 'any' })}
          >
            <option value="all">all conditions match</option>
            <option value="any">any condition matches</option>
          </select>
        </label>
        {rule.conditions.map((c, i) => (
          <div className="condition" key={i}>
            <select
              aria-label={`Condition ${i + 1} field`}
              value={c.field}
              onChange={(e) => {
                const field = e.target.value as RuleField;
                setCondition(i, {
                  field,
                  op: c.op === 'domain_is' && !ADDRESS_FIELDS.includes(field) ? 'contains' : c.op,
                });
              }}
            >
              {Object.entries(FIELDS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            <select
              aria-label={`Condition ${i + 1} test`}
              value={c.op}
              onChange={(e) => setCondition(i, { op: e.target.value as RuleOp })}
            >
              {Object.entries(OPS)
                .filter(([op]) => op !== 'domain_is' || ADDRESS_FIELDS.includes(c.field))
                .map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
            </select>
            <input
              aria-label={`Condition ${i + 1} value`}
              required
              value={c.value}
              onChange={(e) => setCondition(i, { value: e.target.value })}
            />
            {rule.conditions.length > 1 && (
              <button
                type="button"
                className="link"
                aria-label={`Remove condition ${i + 1}`}
                onClick={() => setRule({ ...rule, conditions: rule.conditions.filter((_, j) => j !== i) })}
              >
                <X aria-hidden="true" size={14} />
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          onClick={() =>
            setRule({ ...rule, conditions: [...rule.conditions, { field: 'subject', op: 'contains', value: '' }] })
          }
        >
          Add condition
        </button>
      </fieldset>
      <fieldset>
        <legend>Actions</legend>
        <label className="inline">
          <input
            type="checkbox"
            checked={has('archive')}
            onChange={(e) => setAction('archive', e.target.checked, { type: 'archive' })}
          />{' '}
          Archive: link to the records it matches
        </label>
        <label className="inline">
          <input
            type="checkbox"
            aria-label="Create a record when none matches"
            checked={has('create')}
            onChange={(e) => setAction('create', e.target.checked, { type: 'create', recordType: 'contact' })}
          />{' '}
          Create
          <select
            aria-label="Record to create"
            value={created?.type === 'create' ? created.recordType : 'contact'}
            disabled={!has('create')}
            onChange={(e) =>
              setAction('create', true, { type: 'create', recordType: e.target.value as (typeof CREATABLE)[number] })
            }
          >
            {CREATABLE.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          when none matches, then link
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={has('mark_private')}
            onChange={(e) => setAction('mark_private', e.target.checked, { type: 'mark_private' })}
          />{' '}
          Mark private
        </label>
      </fieldset>
      <label className="inline">
        <input
          type="checkbox"
          checked={rule.allMailboxes}
          onChange={(e) => setRule({ ...rule, allMailboxes: e.target.checked })}
        />{' '}
        Apply to all my mailboxes (otherwise this one only)
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={rule.enabled}
          onChange={(e) => setRule({ ...rule, enabled: e.target.checked })}
        />{' '}
        Enabled
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={rule.actions.length === 0}>
          Save rule
        </button>
      </div>
    </form>
  );
}

const ORDER: RuleAction['type'][] = ['archive', 'create', 'mark_private'];
