/**
 * The WHATWG URL parser, which every runtime shared/ runs in has (Node, the renderer, the
 * preload), typed here because shared/ compiles with the ES library only (no DOM, no node:*).
 */
export interface ParsedUrl {
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly host: string;
  readonly port: string;
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}

const UrlParser = (globalThis as unknown as { URL: new (input: string, base?: string) => ParsedUrl }).URL;

/** Parses an absolute URL (or one relative to `base`), or null when it is not one. */
export function parseUrl(input: string, base?: string): ParsedUrl | null {
  try {
    return new UrlParser(input, base);
  } catch {
    return null;
  }
}
