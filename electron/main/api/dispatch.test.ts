import { describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../../shared/contract';
import { AppError } from './app-error';
import { CALL_GATE, dispatch, type Handlers } from './dispatch';

// Calls these tests do not make answer with an error if ever reached.
const unused = Object.fromEntries(
  CALL_NAMES.map((name) => [
    name,
    () => {
      throw new Error(`${name} is not part of this test`);
    },
  ]),
);

const handlers = {
  ...unused,
  [CALL_GATE]: () => null,
  'host:info': () => ({ kind: 'browser', version: '1', platform: 'linux' }),
  'studies:query': (query: { limit: number }) => ({ rows: [], total: query.limit, nextCursor: null }),
  'studies:details': () => {
    throw new AppError('not-found', 'That study is no longer in the index.');
  },
  'import:pick-folder': () => {
    throw new Error('/home/doe/Jane Doe 1970-01-01 secret path');
  },
  'import:start': () => ({ importId: 'x' }),
  'import:cancel': () => ({ cancelled: false }),
} as unknown as Handlers;

describe('dispatch', () => {
  it('parses input with the contract schema, applying defaults, before the handler sees it', async () => {
    expect(await dispatch(handlers, 'studies:query', {})).toEqual({ ok: true, value: { rows: [], total: 100, nextCursor: null } });
  });

  it.each([
    ['an unknown name', 'studies:drop', {}, 'unknown-call'],
    ['a prototype key', '__proto__', {}, 'unknown-call'],
    ['a non-string name', 42, {}, 'unknown-call'],
    ['extra fields', 'host:info', { admin: true }, 'invalid-input'],
    ['a wrong type', 'studies:query', { limit: '10' }, 'invalid-input'],
    ['a bad UID', 'studies:details', { studyInstanceUid: '1.2.3; drop' }, 'invalid-input'],
    ['a relative-looking empty path list', 'import:start', { paths: [] }, 'invalid-input'],
  ])('refuses %s', async (_what, name, input, code) => {
    expect(await dispatch(handlers, name, input)).toMatchObject({ ok: false, error: { code } });
  });

  it('passes an AppError through with its code and sentence', async () => {
    expect(await dispatch(handlers, 'studies:details', { studyInstanceUid: '1.2.3' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'That study is no longer in the index.' },
    });
  });

  it('hides an unexpected error’s text from the caller and the log', async () => {
    const lines: string[] = [];
    const result = await dispatch(handlers, 'import:pick-folder', {}, (line) => lines.push(line));
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong in Studyshare. The action was not completed.' } });
    expect(lines.join('\n')).not.toMatch(/Doe|secret|1970/);
  });
});
