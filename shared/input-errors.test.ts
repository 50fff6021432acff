import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeInputIssues, fieldLabel } from './input-errors';

describe('input errors as a person reads them', () => {
  it.each([
    [['siteName'], 'Site name'],
    [['adminName'], 'Your name'],
    [['targets', 0, 'worklistId'], 'Worklist id'],
    [['studies', 3], 'Studies'],
    [[], 'The input'],
  ] as const)('%j is called %j', (path, label) => expect(fieldLabel(path)).toBe(label));

  it('says what each field needs, in words, without the field names of the code', () => {
    const schema = z.object({ siteName: z.string().trim().min(1, 'filled in'), email: z.string().email('an email address'), password: z.string().min(10, 'at least 10 characters') });
    const parsed = schema.safeParse({ siteName: ' ', email: 'nope', password: 'short' });
    expect(parsed.success).toBe(false);
    const message = describeInputIssues(parsed.error!.issues);
    expect(message).toBe('Site name must be filled in. Email must be an email address. Password must be at least 10 characters.');
    expect(message).not.toMatch(/siteName|:/);
  });

  it('keeps a sentence a form wrote, and labels zod’s own wording', () => {
    expect(describeInputIssues([{ path: ['name'], message: 'Enter your name.' }])).toBe('Enter your name.');
    expect(describeInputIssues([{ path: ['limit'], message: 'Too big: expected number to be <=500' }])).toBe('Limit: Too big: expected number to be <=500.');
  });
});
