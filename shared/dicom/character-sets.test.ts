import { describe, expect, it } from 'vitest';
import { decodeText, planCharacterSet } from './character-sets';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

// Byte sequences from PS3.5 Annexes H, I and K, and from iconv for the single-byte sets.
const CASES: ReadonlyArray<{ name: string; charset: string; bytes: string; expected: string; pn?: boolean }> = [
  { name: 'default repertoire', charset: '', bytes: '446f655e4a6f686e', expected: 'Doe^John', pn: true },
  { name: 'undeclared Latin-1 is read leniently', charset: '', bytes: '4275635e4ae972f46d65', expected: 'Buc^Jérôme', pn: true },
  { name: 'ISO_IR 100 Latin-1', charset: 'ISO_IR 100', bytes: '4275635e4ae972f46d65', expected: 'Buc^Jérôme', pn: true },
  { name: 'ISO_IR 101 Latin-2', charset: 'ISO_IR 101', bytes: '5761b3ea73615ea375636a61', expected: 'Wałęsa^Łucja', pn: true },
  { name: 'ISO_IR 109 Latin-3', charset: 'ISO_IR 109', bytes: 'd575bf657070695ea161626962', expected: 'Ġużeppi^Ħabib', pn: true },
  { name: 'ISO_IR 110 Latin-4', charset: 'ISO_IR 110', bytes: 'ab697274735ed3ba6e69f1b9', expected: 'Ģirts^Ķēniņš', pn: true },
  { name: 'ISO_IR 144 Cyrillic', charset: 'ISO_IR 144', bytes: 'bbeedae1d5dcd1e3e0d35eb0ddddd0', expected: 'Люксембург^Анна', pn: true },
  { name: 'ISO_IR 127 Arabic', charset: 'ISO_IR 127', bytes: 'e2c8c7e6ea5ee4e6d2c7d1', expected: 'قباني^لنزار', pn: true },
  { name: 'ISO_IR 126 Greek', charset: 'ISO_IR 126', bytes: 'c4e9efedf5f3e9eff2', expected: 'Διονυσιος', pn: true },
  { name: 'ISO_IR 138 Hebrew', charset: 'ISO_IR 138', bytes: 'f9f8e5ef5ee3e1e5f8e4', expected: 'שרון^דבורה', pn: true },
  { name: 'ISO_IR 148 Latin-5', charset: 'ISO_IR 148', bytes: 'd67a74fc726b5ede756c65', expected: 'Öztürk^Şule', pn: true },
  { name: 'ISO_IR 203 Latin-9', charset: 'ISO_IR 203', bytes: 'bc757672655ea46d696c65', expected: 'Œuvre^€mile', pn: true },
  { name: 'ISO_IR 166 Thai', charset: 'ISO_IR 166', bytes: 'b3d1b0bec5', expected: 'ณัฐพล', pn: true },
  { name: 'ISO_IR 13 katakana', charset: 'ISO_IR 13', bytes: 'd4cfc0de5ec0dbb3', expected: 'ﾔﾏﾀﾞ^ﾀﾛｳ', pn: true },
  { name: 'ISO_IR 192 UTF-8', charset: 'ISO_IR 192', bytes: Buffer.from('Wang^XiaoDong=王^小東=').toString('hex'), expected: 'Wang^XiaoDong=王^小東=', pn: true },
  { name: 'GB18030', charset: 'GB18030', bytes: '57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d', expected: 'Wang^XiaoDong=王^小东=', pn: true },
  { name: 'GB18030 four-byte sequence', charset: 'GB18030', bytes: '95328236', expected: '𠀀' },
  { name: 'GBK', charset: 'GBK', bytes: '57616e675e5869616f446f6e673dcdf55ed0a1b6ab3d', expected: 'Wang^XiaoDong=王^小东=', pn: true },
  {
    name: 'ISO 2022 IR 87 (PS3.5 H.3.1)',
    charset: '\\ISO 2022 IR 87',
    bytes: `59616d6164615e5461726f753d 1b2442 3b334544 1b2842 5e 1b2442 42404f3a 1b2842 3d 1b2442 2464245e2440 1b2842 5e
            1b2442 243f246d2426 1b2842`,
    expected: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    pn: true,
  },
  {
    name: 'ISO 2022 IR 13 with IR 87 (PS3.5 H.3.2)',
    charset: 'ISO 2022 IR 13\\ISO 2022 IR 87',
    bytes: `d4cfc0de5ec0dbb33d 1b2442 3b334544 1b284a 5e 1b2442 42404f3a 1b284a 3d 1b2442 2464245e2440 1b284a 5e
            1b2442 243f246d2426 1b284a`,
    expected: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    pn: true,
  },
  { name: 'ISO 2022 IR 159 JIS X 0212', charset: '\\ISO 2022 IR 159', bytes: '1b24284430211b2842', expected: '丂' },
  {
    name: 'ISO 2022 IR 149 Korean (PS3.5 I.2)',
    charset: '\\ISO 2022 IR 149',
    bytes: '486f6e675e47696c646f6e673d 1b242943 fbf3 5e 1b242943 d1ced4d7 3d 1b242943 c8ab 5e 1b242943 b1e6b5bf',
    expected: 'Hong^Gildong=洪^吉洞=홍^길동',
    pn: true,
  },
  {
    name: 'ISO 2022 IR 149 without the escapes many Korean files omit',
    charset: '\\ISO 2022 IR 149',
    bytes: '486f6e675e47696c646f6e673d fbf3 5e d1ced4d7 3d c8ab 5e b1e6b5bf',
    expected: 'Hong^Gildong=洪^吉洞=홍^길동',
    pn: true,
  },
  {
    name: 'ISO 2022 IR 58 simplified Chinese (PS3.5 K.3)',
    charset: '\\ISO 2022 IR 58',
    bytes: '5a68616e675e5869616f446f6e673d 1b242941 d5c5 5e 1b242941 d0a1b6ab 3d',
    expected: 'Zhang^XiaoDong=张^小东=',
    pn: true,
  },
  {
    name: 'ISO 2022 Latin-1 switched to Greek by escape',
    charset: 'ISO 2022 IR 100\\ISO 2022 IR 126',
    bytes: '4ae972f46d653d 1b2d46 c4e9efedf5f3e9eff2',
    expected: 'Jérôme=Διονυσιος',
    pn: true,
  },
  {
    name: 'ISO 2022 G1 designation resets at a new line in text',
    charset: 'ISO 2022 IR 100\\ISO 2022 IR 144',
    bytes: '1b2d4cbbee0a e9',
    expected: 'Лю\né',
  },
  {
    name: 'a 0x5C byte inside a JIS X 0208 character is not a value delimiter',
    charset: '\\ISO 2022 IR 87',
    // 0x3F5C is 須 in JIS X 0208 (iconv -t ISO-2022-JP).
    bytes: '1b2442 3f5c 1b2842',
    expected: '須',
  },
];

describe('decodeText', () => {
  it.each(CASES)('$name', ({ charset, bytes, expected, pn }) => {
    const plan = planCharacterSet(charset === '' ? [] : charset.split('\\'));
    expect(decodeText(hex(bytes), plan, pn ?? false)).toBe(expected);
  });

  it('accepts the common misspellings of defined terms', () => {
    expect(decodeText(hex('e9'), planCharacterSet(['ISO-IR 100']))).toBe('é');
    expect(decodeText(hex('c4'), planCharacterSet(['iso_ir 126 ']))).toBe('Δ');
  });

  it('drops an unknown escape sequence instead of showing control characters', () => {
    expect(decodeText(hex('41 1b2d7a 42'), planCharacterSet(['ISO 2022 IR 100']))).toBe('AB');
  });
});
