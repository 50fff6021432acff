/**
 * A comment's text as React nodes: text, line breaks, http(s) links and mentions
 * (shared/comments/comment-text.ts splits it). Never HTML: markup or script in a comment shows
 * as the characters typed. Links open outside the app (main allows only http/https there).
 */
import { Fragment } from 'react';
import { commentSegments } from '../../../shared/comments/comment-text';

export function CommentText({ text, mentions }: { readonly text: string; readonly mentions: readonly { readonly id: string; readonly name: string }[] }) {
  return (
    <>
      {commentSegments(text, mentions).map((segment, index) => {
        switch (segment.kind) {
          case 'text':
            return <Fragment key={index}>{segment.text}</Fragment>;
          case 'break':
            return <br key={index} />;
          case 'link':
            return (
              <a key={index} href={segment.href} target="_blank" rel="noopener noreferrer">
                {segment.text}
              </a>
            );
          case 'mention':
            return (
              <span key={index} className="comment-mention">
                {segment.text}
              </span>
            );
        }
      })}
    </>
  );
}
