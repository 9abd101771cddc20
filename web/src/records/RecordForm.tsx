import { useEffect, useState } from 'react';
import { X } from 'lucide-react';
import type { FormEvent } from 'react';
import { api, describeError, ok } from '../api.ts';
import type { Body, CrmRecord, RecordKind } from '../contract.ts';
import {
  KIND_LABELS,
  KIND_PATHS,
  PRIORITIES,
  STATUSES,
  hasEmails,
  isAbout,
  isPerson,
  priorityOf,
  statusLabel,
} from './kinds.ts';
import type { Priority } from './kinds.ts';

interface Form {
  firstName: string;
  lastName: string;
  name: string;
  emails: string[];
  phone: string;
  jobTitle: string;
  company: string;
  website: string;
  organizationId: string;
  contactId: string;
  status: string;
  amount: string;
  currency: string;
  priority: Priority;
  description: string;
  shared: boolean;
  doNotTrack: boolean;
  /** yyyy-mm-dd, or empty. */
  dueDate: string;
}

function formOf(kind: RecordKind, record: CrmRecord | null): Form {
  return {
    firstName: record?.firstName ?? '',
    lastName: record?.lastName ?? '',
    name: record?.name ?? '',
    emails: record && record.emails.length > 0 ? record.emails : [''],
    phone: record?.phone ?? '',
    jobTitle: record?.jobTitle ?? '',
    company: record?.company ?? '',
    website: record?.website ?? '',
    organizationId: record?.organizationId ?? '',
    contactId: record?.contactId ?? '',
    status: record?.status ?? STATUSES[kind][0] ?? '',
    amount: record?.amount == null ? '' : String(record.amount),
    currency: record?.currency ?? '',
    priority: priorityOf(record?.priority),
    description: record?.description ?? '',
    shared: record?.shared ?? true,
    doNotTrack: record?.doNotTrack ?? false,
    dueDate: record?.dueDate ? localDate(record.dueDate) : '',
  };
}

/** The request body: only the fields the kind uses; empty optional fields are cleared. */
function bodyOf(kind: RecordKind, f: Form): Body<'/contacts', 'post'> {
  const orNull = (v: string) => (v.trim() === '' ? null : v.trim());
  const body: Body<'/contacts', 'post'> = { status: f.status, description: f.description, shared: f.shared };
  if (isPerson(kind))
    Object.assign(body, {
      firstName: f.firstName,
      lastName: f.lastName,
      phone: orNull(f.phone),
      jobTitle: orNull(f.jobTitle),
    });
  else Object.assign(body, { name: f.name });
  if (hasEmails(kind)) {
    body.emails = f.emails.map((e) => e.trim()).filter(Boolean);
    body.doNotTrack = f.doNotTrack;
  }
  if (kind === 'lead') body.company = orNull(f.company);
  if (kind === 'organization') Object.assign(body, { website: orNull(f.website), phone: orNull(f.phone) });
  if (kind === 'contact' || isAbout(kind)) body.organizationId = orNull(f.organizationId);
  if (isAbout(kind)) body.contactId = orNull(f.contactId);
  if (kind === 'deal')
    Object.assign(body, {
      amount: f.amount.trim() === '' ? null : Number(f.amount),
      currency: orNull(f.currency.toUpperCase()),
    });
  if (kind === 'case' || kind === 'ticket') body.priority = f.priority;
  // The day starts at midnight where the user is.
  if (hasDueDate(kind)) body.dueDate = f.dueDate ? new Date(`${f.dueDate}T00:00:00`).toISOString() : null;
  return body;
}

/** Deals close, cases and tickets fall due. */
function hasDueDate(kind: RecordKind): boolean {
  return kind === 'deal' || kind === 'case' || kind === 'ticket';
}

/** An instant as the yyyy-mm-dd of the user's own calendar. */
function localDate(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Create or edit a record of any kind, with the fields that kind uses. */
export function RecordForm({
  kind,
  record,
  onSaved,
  onCancel,
}: {
  kind: RecordKind;
  record: CrmRecord | null;
  onSaved: (record: CrmRecord) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<Form>(() => formOf(kind, record));
  const [organizations, setOrganizations] = useState<CrmRecord[]>([]);
  const [contacts, setContacts] = useState<CrmRecord[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    if (kind === 'contact' || isAbout(kind))
      void ok(api.GET('/organizations', { params: { query: { limit: 200 } } })).then(
        (p) => setOrganizations(p.items),
        () => undefined,
      );
    if (isAbout(kind))
      void ok(api.GET('/contacts', { params: { query: { limit: 200 } } })).then(
        (p) => setContacts(p.items),
        () => undefined,
      );
  }, [kind]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = bodyOf(kind, form);
      onSaved(
        record
          ? await ok(api.PATCH(`/${KIND_PATHS[kind]}/{id}`, { params: { path: { id: record.id } }, body }))
          : await ok(api.POST(`/${KIND_PATHS[kind]}`, { body })),
      );
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  const text = (
    key: 'firstName' | 'lastName' | 'name' | 'phone' | 'jobTitle' | 'company' | 'website' | 'amount' | 'currency',
    label: string,
    extra: { type?: string; required?: boolean } = {},
  ) => (
    <label>
      {label}
      <input
        type={extra.type ?? 'text'}
        required={extra.required}
        value={form[key]}
        onChange={(e) => set(key, e.target.value)}
      />
    </label>
  );

  return (
    <form
      className="record-form"
      onSubmit={(e) => void save(e)}
      aria-label={`${record ? 'Edit' : 'New'} ${KIND_LABELS[kind].one.toLowerCase()}`}
    >
      <h2>{record ? `Edit ${record.name}` : `New ${KIND_LABELS[kind].one.toLowerCase()}`}</h2>
      {isPerson(kind) ? (
        <div className="pair">
          {text('firstName', 'First name')}
          {text('lastName', 'Last name')}
        </div>
      ) : (
        text('name', kind === 'organization' ? 'Name' : 'Title', { required: true })
      )}
      {hasEmails(kind) && (
        <fieldset>
          <legend>Email addresses</legend>
          {form.emails.map((value, i) => (
            <div className="email-row" key={i}>
              <label className="grow">
                {`Email ${i + 1}`}
                <input
                  type="email"
                  value={value}
                  onChange={(e) =>
                    set(
                      'emails',
                      form.emails.map((v, j) => (j === i ? e.target.value : v)),
                    )
                  }
                />
              </label>
              {form.emails.length > 1 && (
                <button
                  type="button"
                  className="link"
                  aria-label={`Remove email ${i + 1}`}
                  onClick={() =>
                    set(
                      'emails',
                      form.emails.filter((_, j) => j !== i),
                    )
                  }
                >
                  <X aria-hidden="true" size={14} />
                </button>
              )}
            </div>
          ))}
          <button type="button" onClick={() => set('emails', [...form.emails, ''])}>
            Add another email
          </button>
        </fieldset>
      )}
      {(isPerson(kind) || kind === 'organization') && text('phone', 'Phone', { type: 'tel' })}
      {isPerson(kind) && text('jobTitle', 'Job title')}
      {kind === 'lead' && text('company', 'Company')}
      {kind === 'organization' && text('website', 'Website')}
      {isAbout(kind) && (
        <label>
          Contact
          <select value={form.contactId} onChange={(e) => set('contactId', e.target.value)}>
            <option value="">None</option>
            {contacts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {(kind === 'contact' || isAbout(kind)) && (
        <label>
          Organization
          <select value={form.organizationId} onChange={(e) => set('organizationId', e.target.value)}>
            <option value="">None</option>
            {organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {kind === 'deal' ? 'Stage' : 'Status'}
        <select value={form.status} onChange={(e) => set('status', e.target.value)}>
          {STATUSES[kind].map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      {kind === 'deal' && (
        <div className="pair">
          {text('amount', 'Amount', { type: 'number' })}
          {text('currency', 'Currency (e.g. EUR)')}
        </div>
      )}
      {(kind === 'case' || kind === 'ticket') && (
        <label>
          Priority
          <select value={form.priority} onChange={(e) => set('priority', priorityOf(e.target.value))}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      )}
      {hasDueDate(kind) && (
        <label>
          {kind === 'deal' ? 'Expected close date' : 'Due date'}
          <input type="date" value={form.dueDate} onChange={(e) => set('dueDate', e.target.value)} />
        </label>
      )}
      <label>
        Description
        <textarea value={form.description} onChange={(e) => set('description', e.target.value)} rows={3} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={form.shared} onChange={(e) => set('shared', e.target.checked)} /> Shared with
        every user (otherwise only you and administrators see it)
      </label>
      {hasEmails(kind) && (
        <label className="inline">
          <input type="checkbox" checked={form.doNotTrack} onChange={(e) => set('doNotTrack', e.target.checked)} /> Do
          not track: emails to these addresses carry no open or click tracking
        </label>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {record ? 'Save' : 'Create'}
        </button>
      </div>
    </form>
  );
}
