import { describe, expect, it } from 'vitest';
import { withSignature } from './signature.ts';

describe('withSignature', () => {
  it('adds the signature to text and html behind "-- "', () => {
    expect(withSignature({ text: 'Hi' }, 'Ann\nAcme')).toEqual({ text: 'Hi\n\n-- \nAnn\nAcme' });
    expect(withSignature({ html: '<p>Hi</p>' }, 'Ann <CEO>')).toEqual({
      html: '<p>Hi</p><div class="signature"><br>-- <br>Ann &#60;CEO&#62;</div>',
    });
    expect(withSignature({ text: 'Hi', html: '<p>Hi</p>' }, 'Ann').text).toBe('Hi\n\n-- \nAnn');
  });

  it('leaves the content alone without a signature', () => {
    expect(withSignature({ text: 'Hi' }, '  ')).toEqual({ text: 'Hi' });
  });
});

describe('withSignature on a reply', () => {
  it('puts the signature above the quoted text', () => {
    const html = '<p>Thanks</p><div class="quote"><p>On Monday, Bob wrote:</p><blockquote>Hi</blockquote></div>';
    expect(withSignature({ html }, 'Ann').html).toBe(
      '<p>Thanks</p><div class="signature"><br>-- <br>Ann</div><div class="quote"><p>On Monday, Bob wrote:</p><blockquote>Hi</blockquote></div>',
    );
    expect(withSignature({ text: 'Thanks\n\nOn Monday, Bob wrote:\n> Hi' }, 'Ann').text).toBe(
      'Thanks\n\n-- \nAnn\n\nOn Monday, Bob wrote:\n> Hi',
    );
  });
});
