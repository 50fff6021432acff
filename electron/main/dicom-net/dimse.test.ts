/**
 * dimse.ts replaces memorystream's `toBuffer` (its deprecated `new Buffer` cost a stack walk per
 * message): the replacement must give the same bytes, on the very module dcmjs-dimse loads.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { memoryStreamForTest } from './dimse';

describe('memorystream toBuffer (dimse.ts)', () => {
  it('gathers written chunks into one buffer, in order', async () => {
    const stream = memoryStreamForTest.createWriteStream() as NodeJS.WritableStream & { toBuffer(): Buffer };
    const chunks = [Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.from('DICM', 'latin1'), Buffer.alloc(70_000, 9)];
    for (const chunk of chunks) await new Promise<void>((resolve) => stream.write(chunk, () => resolve()));
    expect(stream.toBuffer().equals(Buffer.concat(chunks))).toBe(true);
    expect(memoryStreamForTest.createWriteStream()).toBeDefined();
    expect((memoryStreamForTest.createWriteStream() as { toBuffer(): Buffer }).toBuffer()).toHaveLength(0);
  });

  it('is the copy of memorystream that dcmjs-dimse itself requires', () => {
    const fromDimse = createRequire(createRequire(import.meta.url).resolve('dcmjs-dimse'))('memorystream') as unknown;
    expect(fromDimse).toBe(memoryStreamForTest);
  });
});
