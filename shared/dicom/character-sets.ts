/**
 * Decodes DICOM text values (PN, SH, LO, ST, LT, UT, UC) according to Specific Character Set
 * (0008,0005), PS3.5 §6.1 and Annexes H–K: single-byte ISO 8859 sets, ISO 2022 code extensions with
 * escape sequences (Japanese, Korean, Chinese, and the 8859 sets as G1), UTF-8, GB18030 and GBK.
 *
 * Pure: no I/O, only the WHATWG TextDecoder that Node, browsers and Electron all provide.
 */

/** Which half of the code table a repertoire is designated into (ISO 2022). */
type CodeElement = 'G0' | 'G1';

/** How bytes of one repertoire become text. */
type Repertoire =
  | { readonly kind: 'ascii' }
  | { readonly kind: 'latin1' }
  /** An ISO 8859 part (or TIS 620) whose upper half a WHATWG decoder knows. */
  | { readonly kind: 'single'; readonly label: string }
  | { readonly kind: 'katakana' }
  /** A 94×94 set read two bytes at a time through an EUC decoder. */
  | { readonly kind: 'double'; readonly label: string; readonly prefix?: number };

interface Designation {
  readonly element: CodeElement;
  readonly repertoire: Repertoire;
}

const ASCII: Repertoire = { kind: 'ascii' };
const LATIN1: Repertoire = { kind: 'latin1' };
const KATAKANA: Repertoire = { kind: 'katakana' };
const JIS_X_0208: Repertoire = { kind: 'double', label: 'euc-jp' };
// JIS X 0212 is reached in EUC-JP through the single-shift-3 byte 0x8F.
const JIS_X_0212: Repertoire = { kind: 'double', label: 'euc-jp', prefix: 0x8f };
const KS_X_1001: Repertoire = { kind: 'double', label: 'euc-kr' };
const GB_2312: Repertoire = { kind: 'double', label: 'gbk' };

// WHATWG maps iso-8859-9 to windows-1254 and TIS-620 to windows-874: both are supersets whose
// only differences sit in 0x80–0x9F, which a conforming DICOM value never uses.
const SINGLE_BYTE_LABELS: Readonly<Record<string, string>> = {
  'IR 101': 'iso-8859-2',
  'IR 109': 'iso-8859-3',
  'IR 110': 'iso-8859-4',
  'IR 144': 'iso-8859-5',
  'IR 127': 'iso-8859-6',
  'IR 126': 'iso-8859-7',
  'IR 138': 'iso-8859-8',
  'IR 148': 'iso-8859-9',
  'IR 203': 'iso-8859-15',
  'IR 166': 'windows-874',
};

/** The repertoire(s) a defined term designates, keyed by its IR number ("IR 100"). */
function designationsFor(ir: string): readonly Designation[] {
  switch (ir) {
    case 'IR 6':
      return [{ element: 'G0', repertoire: ASCII }];
    case 'IR 100':
      return [
        { element: 'G0', repertoire: ASCII },
        { element: 'G1', repertoire: LATIN1 },
      ];
    case 'IR 13':
      // JIS X 0201: Roman in G0 (read as ASCII, as dcmtk and pydicom do), katakana in G1.
      return [
        { element: 'G0', repertoire: ASCII },
        { element: 'G1', repertoire: KATAKANA },
      ];
    case 'IR 87':
      return [{ element: 'G0', repertoire: JIS_X_0208 }];
    case 'IR 159':
      return [{ element: 'G0', repertoire: JIS_X_0212 }];
    case 'IR 149':
      return [{ element: 'G1', repertoire: KS_X_1001 }];
    case 'IR 58':
      return [{ element: 'G1', repertoire: GB_2312 }];
    default: {
      const label = SINGLE_BYTE_LABELS[ir];
      if (label === undefined) return [];
      return [
        { element: 'G0', repertoire: ASCII },
        { element: 'G1', repertoire: { kind: 'single', label } },
      ];
    }
  }
}

/** Escape sequences (bytes after ESC) and what they designate, PS3.3 Table C.12-3/4. */
const ESCAPES: ReadonlyArray<readonly [readonly number[], Designation]> = [
  [[0x28, 0x42], { element: 'G0', repertoire: ASCII }], // ESC ( B
  [[0x28, 0x4a], { element: 'G0', repertoire: ASCII }], // ESC ( J  JIS X 0201 Roman
  [[0x29, 0x49], { element: 'G1', repertoire: KATAKANA }], // ESC ) I
  [[0x24, 0x42], { element: 'G0', repertoire: JIS_X_0208 }], // ESC $ B
  [[0x24, 0x28, 0x44], { element: 'G0', repertoire: JIS_X_0212 }], // ESC $ ( D
  [[0x24, 0x29, 0x43], { element: 'G1', repertoire: KS_X_1001 }], // ESC $ ) C
  [[0x24, 0x29, 0x41], { element: 'G1', repertoire: GB_2312 }], // ESC $ ) A
  [[0x2d, 0x41], { element: 'G1', repertoire: LATIN1 }], // ESC - A
  ...(
    [
      [0x42, 'IR 101'],
      [0x43, 'IR 109'],
      [0x44, 'IR 110'],
      [0x4c, 'IR 144'],
      [0x47, 'IR 127'],
      [0x46, 'IR 126'],
      [0x48, 'IR 138'],
      [0x4d, 'IR 148'],
      [0x54, 'IR 166'],
    ] as const
  ).map(
    ([final, ir]) =>
      [[0x2d, final], { element: 'G1', repertoire: { kind: 'single', label: SINGLE_BYTE_LABELS[ir] } }] as const,
  ),
  [[0x2d, 0x62], { element: 'G1', repertoire: { kind: 'single', label: 'iso-8859-15' } }], // ESC - b
];

type Decoder = InstanceType<typeof TextDecoder>;
const decoders = new Map<string, Decoder>();
function decoder(label: string): Decoder {
  let found = decoders.get(label);
  if (found === undefined) {
    found = new TextDecoder(label);
    decoders.set(label, found);
  }
  return found;
}

/** The character set model a value of (0008,0005) selects. */
export type CharacterSetPlan =
  /** Whole value through one decoder, no code extensions (UTF-8, GB18030, GBK, plain ISO_IR nnn). */
  | { readonly kind: 'whole'; readonly repertoire: Repertoire | { kind: 'label'; label: string } }
  /** ISO 2022 code extensions: initial G0/G1, escapes switch them. */
  | { readonly kind: 'iso2022'; readonly g0: Repertoire; readonly g1: Repertoire | null };

/** Normalises one defined term: trims padding, accepts the common `ISO-IR 100`/`ISO_IR100` slips. */
function irOf(term: string): string | null {
  const match = /^ISO[ _-]?(?:2022[ _-]?)?IR[ _-]?(\d+)$/i.exec(term.trim());
  return match === null ? null : `IR ${Number(match[1])}`;
}

/**
 * Builds the decoding plan for the values of Specific Character Set. Unknown terms fall back to
 * the default repertoire with Latin-1 for stray high bytes: real archives hold many files that
 * declare nothing and still carry Latin-1 names, and showing them beats refusing the study.
 */
export function planCharacterSet(values: readonly string[]): CharacterSetPlan {
  const terms = values.map((value) => value.trim().toUpperCase());
  const first = terms[0] ?? '';
  if (terms.length <= 1) {
    if (first === 'ISO_IR 192') return { kind: 'whole', repertoire: { kind: 'label', label: 'utf-8' } };
    if (first === 'GB18030') return { kind: 'whole', repertoire: { kind: 'label', label: 'gb18030' } };
    if (first === 'GBK') return { kind: 'whole', repertoire: { kind: 'label', label: 'gbk' } };
  }
  const usesExtensions = terms.length > 1 || first.startsWith('ISO 2022');
  const initial = designationsFor(irOf(first) ?? 'IR 6');
  let g0: Repertoire = initial.find((d) => d.element === 'G0')?.repertoire ?? ASCII;
  let g1: Repertoire | null = initial.find((d) => d.element === 'G1')?.repertoire ?? null;
  if (!usesExtensions) {
    if (first === '' || first === 'ISO_IR 6') g1 = LATIN1;
    return { kind: 'whole', repertoire: g1 ?? LATIN1 };
  }
  // Many Korean and Chinese files list "\ISO 2022 IR 149" yet omit the escape before the
  // high bytes; when value 1 designates no G1, the first listed G1 set is the lenient default.
  if (g1 === null) {
    for (const term of terms.slice(1)) {
      const g1Set = designationsFor(irOf(term) ?? '').find((d) => d.element === 'G1');
      if (g1Set !== undefined) {
        g1 = g1Set.repertoire;
        break;
      }
    }
  }
  if (g0.kind === 'double') g0 = ASCII;
  return { kind: 'iso2022', g0, g1 };
}

function decodeSingle(repertoire: Repertoire | { kind: 'label'; label: string }, bytes: Uint8Array): string {
  switch (repertoire.kind) {
    case 'ascii':
    case 'latin1': {
      let text = '';
      for (const byte of bytes) text += String.fromCharCode(byte);
      return text;
    }
    case 'katakana': {
      let text = '';
      for (const byte of bytes) {
        text += byte >= 0xa1 && byte <= 0xdf ? String.fromCharCode(0xff61 + byte - 0xa1) : String.fromCharCode(byte);
      }
      return text;
    }
    case 'single':
    case 'label':
    case 'double':
      return decoder(repertoire.label).decode(bytes);
  }
}

// Control characters and delimiters before which the initial designations are active again.
const LF = 0x0a;
const FF = 0x0c;
const CR = 0x0d;
const TAB = 0x09;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const EQUALS = 0x3d;
const ESC = 0x1b;

function resetsDesignations(byte: number, isPersonName: boolean): boolean {
  if (byte === LF || byte === FF || byte === CR || byte === TAB || byte === BACKSLASH) return true;
  return isPersonName && (byte === CARET || byte === EQUALS);
}

function matchEscape(bytes: Uint8Array, at: number): { length: number; designation: Designation } | null {
  for (const [sequence, designation] of ESCAPES) {
    if (sequence.every((expected, i) => bytes[at + 1 + i] === expected)) {
      return { length: 1 + sequence.length, designation };
    }
  }
  return null;
}

function decodeIso2022(bytes: Uint8Array, plan: Extract<CharacterSetPlan, { kind: 'iso2022' }>, isPersonName: boolean): string {
  let g0 = plan.g0;
  let g1 = plan.g1;
  let text = '';
  let run: number[] = [];
  let runRepertoire: Repertoire = ASCII;
  const flush = (): void => {
    if (run.length > 0) text += decodeSingle(runRepertoire, Uint8Array.from(run));
    run = [];
  };
  const push = (repertoire: Repertoire, ...values: number[]): void => {
    if (repertoire !== runRepertoire) {
      flush();
      runRepertoire = repertoire;
    }
    run.push(...values);
  };

  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === ESC) {
      const escape = matchEscape(bytes, i);
      if (escape !== null) {
        if (escape.designation.element === 'G0') g0 = escape.designation.repertoire;
        else g1 = escape.designation.repertoire;
        i += escape.length - 1;
        continue;
      }
      // An unknown escape (ESC, intermediates 0x20–0x2F, one final byte) is dropped rather than
      // shown as stray characters.
      let end = i + 1;
      while (end < bytes.length && bytes[end] >= 0x20 && bytes[end] <= 0x2f) end++;
      i = end;
      continue;
    }
    if (byte < 0x80) {
      if (g0.kind === 'double') {
        const next = bytes[i + 1];
        if (byte >= 0x21 && byte <= 0x7e && next !== undefined && next >= 0x21 && next <= 0x7e) {
          if (g0.prefix !== undefined) push(g0, g0.prefix, byte | 0x80, next | 0x80);
          else push(g0, byte | 0x80, next | 0x80);
          i++;
          continue;
        }
        // A space or control inside a two-byte run is read as ASCII.
        push(ASCII, byte);
        continue;
      }
      if (resetsDesignations(byte, isPersonName)) {
        g0 = plan.g0;
        g1 = plan.g1;
      }
      push(ASCII, byte);
      continue;
    }
    const upper = g1 ?? LATIN1;
    if (upper.kind === 'double') {
      const next = bytes[i + 1];
      if (next !== undefined && next >= 0x80) {
        push(upper, byte, next);
        i++;
        continue;
      }
      push(LATIN1, byte);
      continue;
    }
    push(upper, byte);
  }
  flush();
  return text;
}

/**
 * Decodes the raw bytes of one text element. Returns the whole value, multi-valued ones still
 * joined by `\`: in GBK and in ISO 2022 two-byte runs the byte 0x5C can be half of a character,
 * so values are split only after decoding.
 */
export function decodeText(bytes: Uint8Array, plan: CharacterSetPlan, isPersonName = false): string {
  if (plan.kind === 'whole') return decodeSingle(plan.repertoire, bytes);
  return decodeIso2022(bytes, plan, isPersonName);
}
