import { describe, expect, it } from 'vitest';
import { fillMergeTags, hasMergeTags, unknownMergeTags } from './merge-tags.ts';

describe('merge tags', () => {
  const values = { 'contact.firstName': 'Ann', 'contact.lastName': 'Buyer', 'organization.name': 'Fish & Chips <Ltd>' };

  it('fills known tags, with spaces inside the braces allowed', () => {
    expect(fillMergeTags('Hi {{contact.firstName}} {{ contact.lastName }},', values)).toBe('Hi Ann Buyer,');
  });

  it('uses the fallback, or nothing, when a known value is missing', () => {
    expect(fillMergeTags('Hi {{contact.phone|there}}!', values)).toBe('Hi there!');
    expect(fillMergeTags('Hi {{ contact.jobTitle }}!', {})).toBe('Hi !');
    expect(fillMergeTags('Dear {{contact.firstName | customer}}', { 'contact.firstName': '  ' })).toBe('Dear customer');
  });

  it('takes a quoted fallback without its quotes', () => {
    expect(fillMergeTags('Hi {{contact.firstName | "there"}}!', {})).toBe('Hi there!');
    expect(fillMergeTags("Hi {{contact.firstName | 'you'}}!", {})).toBe('Hi you!');
  });

  it('names the unknown tags of a template, once each', () => {
    expect(unknownMergeTags('{{contact.shoeSize}} {{record.name}} {{deal.amount|0}} {{contact.shoeSize}}')).toEqual([
      'contact.shoeSize',
      'deal.amount',
    ]);
  });

  it('leaves unknown tags and other braces exactly as written', () => {
    expect(fillMergeTags('{{contact.shoeSize}} {{deal.amount|0}} {{ firstName }} {x}', values)).toBe(
      '{{contact.shoeSize}} {{deal.amount|0}} {{ firstName }} {x}',
    );
  });

  it('escapes values in HTML, not in text', () => {
    expect(fillMergeTags('<p>{{organization.name}}</p>', values, 'html')).toBe('<p>Fish &#38; Chips &#60;Ltd&#62;</p>');
    expect(fillMergeTags('{{organization.name}}', values)).toBe('Fish & Chips <Ltd>');
  });

  it('tells whether a text has tags', () => {
    expect(hasMergeTags('Hi {{contact.firstName}}')).toBe(true);
    expect(hasMergeTags('Hi there')).toBe(false);
  });
});
