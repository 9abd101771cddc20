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
