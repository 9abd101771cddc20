import { describe, expect, it } from 'vitest';
import { mentionedAddresses } from './comments.ts';
import { splitName } from './rules/run.ts';

describe('comment mentions', () => {
  it('finds @user@address mentions, once each, lowercase, without trailing punctuation', () => {
    expect(
      mentionedAddresses('@Ann@Example.test please look, and (@bob@example.test). Thanks @ann@example.test.'),
    ).toEqual(['ann@example.test', 'bob@example.test']);
  });

  it('does not take a plain email address for a mention', () => {
    expect(mentionedAddresses('write to ann@example.test or me@x.test')).toEqual([]);
  });
});

describe('names of records made from an email', () => {
  it('splits a display name at its last space, else uses the local part', () => {
    expect(splitName({ name: 'Mary Ann Smith', address: 'm@x.test' })).toEqual({
      firstName: 'Mary Ann',
      lastName: 'Smith',
    });
    expect(splitName({ name: '', address: 'milton@x.test' })).toEqual({ firstName: 'milton', lastName: '' });
  });
});
