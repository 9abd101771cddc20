import { describe, expect, it } from 'vitest';
import { groupMatches } from './conditions.ts';

describe('workflow conditions', () => {
  const facts = {
    record: { status: 'won', amount: 1200, name: 'Big Deal' },
    before: { status: 'negotiation', amount: 1200, name: 'Big Deal' },
    contact: { email: ['ann@example.test'], firstName: 'Ann' },
    email: { subject: 'Order #42' },
  };

  it('compares text case-insensitively, numbers as numbers, and lists by any element', () => {
    expect(
      groupMatches({ match: 'all', conditions: [{ field: 'record.status', op: 'equals', value: 'WON' }] }, facts),
    ).toBe(true);
    expect(
      groupMatches({ match: 'all', conditions: [{ field: 'record.amount', op: 'greater_than', value: '999' }] }, facts),
    ).toBe(true);
    expect(
      groupMatches({ match: 'all', conditions: [{ field: 'record.amount', op: 'less_than', value: '999' }] }, facts),
    ).toBe(false);
    expect(
      groupMatches(
        { match: 'all', conditions: [{ field: 'contact.email', op: 'contains', value: '@example' }] },
        facts,
      ),
    ).toBe(true);
    expect(groupMatches({ match: 'all', conditions: [{ field: 'contact.phone', op: 'is_empty' }] }, facts)).toBe(true);
    expect(
      groupMatches({ match: 'all', conditions: [{ field: 'email.subject', op: 'contains', value: 'order' }] }, facts),
    ).toBe(true);
  });

  it('knows what the last save changed', () => {
    expect(groupMatches({ match: 'all', conditions: [{ field: 'record.status', op: 'changed' }] }, facts)).toBe(true);
    expect(groupMatches({ match: 'all', conditions: [{ field: 'record.amount', op: 'changed' }] }, facts)).toBe(false);
    expect(
      groupMatches({ match: 'all', conditions: [{ field: 'record.status', op: 'changed_to', value: 'won' }] }, facts),
    ).toBe(true);
    expect(
      groupMatches({ match: 'all', conditions: [{ field: 'record.status', op: 'changed_to', value: 'lost' }] }, facts),
    ).toBe(false);
  });

  it('needs every condition of an all group, one of an any group', () => {
    const conditions = [
      { field: 'record.status', op: 'equals' as const, value: 'won' },
      { field: 'record.name', op: 'equals' as const, value: 'other' },
    ];
    expect(groupMatches({ match: 'all', conditions }, facts)).toBe(false);
    expect(groupMatches({ match: 'any', conditions }, facts)).toBe(true);
    expect(groupMatches(undefined, facts)).toBe(true);
  });
});
