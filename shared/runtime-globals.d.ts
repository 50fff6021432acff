/**
 * The few globals shared/ may use: present alike in Node, browsers and Electron's renderer, and
 * declared here because shared/ is typechecked without Node's or the DOM's declarations.
 */
interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare var TextDecoder: {
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};
