/**
 * A comment's text as segments to render: plain text, line breaks, links (http and https only)
 * and mentions of the people the comment names. The renderer turns each segment into a React
 * node (text nodes, <br>, <a>), never HTML: whatever a comment holds — `<script>`, markup,
 * `javascript:` — shows as the characters it is.
 */
import { parseUrl } from '../web-url';

export type CommentSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'break' }
  | { readonly kind: 'link'; readonly href: string; readonly text: string }
  | { readonly kind: 'mention'; readonly userId: string; readonly text: string };

// A URL runs to the next space or angle bracket; trailing sentence punctuation is not part of it.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?)\]'"]+$/;

/** The link as a safe href, or null (not http/https once parsed, or not a URL at all). */
export function safeHref(candidate: string): string | null {
  const url = parseUrl(candidate);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') ? candidate : null;
}

function linkify(line: string, out: CommentSegment[]): void {
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, '');
    const start = match.index;
    const href = safeHref(raw);
    if (href === null) continue;
    if (start > last) out.push({ kind: 'text', text: line.slice(last, start) });
    out.push({ kind: 'link', href, text: raw });
    last = start + raw.length;
  }
  if (last < line.length) out.push({ kind: 'text', text: line.slice(last) });
}

/** Splits a line's text segments further where `@Name` names a mentioned person (longest names first). */
function markMentions(segments: CommentSegment[], mentions: readonly { readonly id: string; readonly name: string }[]): CommentSegment[] {
  const named = [...mentions].filter((m) => m.name.length > 0).sort((a, b) => b.name.length - a.name.length);
  if (named.length === 0) return segments;
  const out: CommentSegment[] = [];
  for (const segment of segments) {
    if (segment.kind !== 'text') {
      out.push(segment);
      continue;
    }
    let rest = segment.text;
    for (;;) {
      let best: { at: number; mention: { id: string; name: string } } | null = null;
      for (const mention of named) {
        const at = rest.indexOf(`@${mention.name}`);
        if (at >= 0 && (best === null || at < best.at)) best = { at, mention };
      }
      if (best === null) break;
      if (best.at > 0) out.push({ kind: 'text', text: rest.slice(0, best.at) });
      out.push({ kind: 'mention', userId: best.mention.id, text: `@${best.mention.name}` });
      rest = rest.slice(best.at + best.mention.name.length + 1);
    }
    if (rest.length > 0) out.push({ kind: 'text', text: rest });
  }
  return out;
}

export function commentSegments(text: string, mentions: readonly { readonly id: string; readonly name: string }[] = []): CommentSegment[] {
  const out: CommentSegment[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, index) => {
    if (index > 0) out.push({ kind: 'break' });
    linkify(line, out);
  });
  return markMentions(out, mentions);
}
