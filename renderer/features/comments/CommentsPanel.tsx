/**
 * A study's comments (issue 16), in the study details and beside the viewer: threads oldest
 * first, each comment with its author, time, place (clicking an anchored one opens the viewer
 * there, with its window and zoom), "edited" (its history on request), pending or refused with
 * why; Reply, Edit and Delete on one's own, Hide for the site's admins. The composer mentions
 * people with @ (autocomplete over who can see the study); someone who cannot is offered a share
 * in the same step where the author may share, else the post is held back with why.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { COMMENT_MAX_CHARS, type CommentItem, type CommentOutcome, type CommentsPage, type MentionCandidate } from '../../../shared/comments/comment-schemas';
import type { CallResult } from '../../../shared/contract';
import type { ViewerAnchor } from '../../../shared/viewer/viewer-anchor';
import { ErrorMessage, Notice } from '../../components/Messages';
import { api } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { anchorWords } from './anchor-words';
import { CommentText } from './CommentText';
import './comments.css';

export type CommentStudyRef = { readonly uid: string } | { readonly hubId: string };

interface Props {
  readonly study: CommentStudyRef;
  /** Bumped when main says data changed (a sync pulled): the list is read again. */
  readonly version: number;
  /** Where the viewer is now (offered as the new comment's place); absent outside the viewer. */
  readonly currentAnchor?: () => ViewerAnchor | null;
  /** Opens the viewer at a comment's place. */
  readonly openAnchor: (anchor: ViewerAnchor) => void;
  /** The image's number in its series, for "Image 7". */
  readonly imageNumber?: (sop: string) => number | null;
  /** Called with every list read (the viewer turns it into scroll-bar markers). */
  readonly onComments?: (comments: readonly CommentItem[]) => void;
}

const keyOf = (study: CommentStudyRef) => ('uid' in study ? `u:${study.uid}` : `h:${study.hubId}`);

export function CommentsPanel({ study, version, currentAnchor, openAnchor, imageNumber, onComments }: Props) {
  const [page, setPage] = useState<CommentsPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<CommentItem | null>(null);
  const [editing, setEditing] = useState<CommentItem | null>(null);
  const [history, setHistory] = useState<{ id: string; edits: readonly { text: string; editedAt: string }[] } | null>(null);
  const latest = useRef({ study, onComments });
  useEffect(() => {
    latest.current = { study, onComments };
  });
  const key = keyOf(study);

  const load = useCallback(async () => {
    const result = await api.call('comments:list', { study: latest.current.study });
    if (result.ok) {
      setPage(result.value);
      setError(null);
      latest.current.onComments?.(result.value.comments);
    } else setError(result.error.message);
  }, []);
  useEffect(() => {
    setPage(null);
    setReplyTo(null);
    setEditing(null);
    setHistory(null);
    void load();
  }, [key, load]);
  // Only a new version re-reads (a sync pulled); a new study is the effect above.
  const seenVersion = useRef(version);
  useEffect(() => {
    if (version === seenVersion.current) return;
    seenVersion.current = version;
    void load();
  }, [version, load]);

  const outcome = async (run: () => Promise<CallResult<CommentOutcome>>, done: string): Promise<boolean> => {
    const result = await run();
    await load();
    if (!result.ok) {
      setError(result.error.message);
      return false;
    }
    if (result.value.state === 'refused') {
      setError(result.value.reason);
      return false;
    }
    setError(null);
    setNotice(result.value.state === 'pending' ? result.value.reason : done);
    return true;
  };

  const remove = (comment: CommentItem) => void outcome(() => api.call('comments:delete', { study, commentId: comment.id }), 'Comment deleted.');
  const hide = async (comment: CommentItem) => {
    const result = await api.call('comments:hide', { commentId: comment.id, hidden: comment.hiddenAt === null });
    if (!result.ok) setError(result.error.message);
    await load();
  };
  const showHistory = async (comment: CommentItem) => {
    if (history?.id === comment.id) return setHistory(null);
    const result = await api.call('comments:history', { commentId: comment.id });
    if (result.ok) setHistory({ id: comment.id, edits: result.value.edits });
    else setError(result.error.message);
  };

  const comments = page?.comments ?? [];
  const roots = comments.filter((c) => c.replyTo === null || !comments.some((p) => p.id === c.replyTo));
  const repliesTo = (id: string) => comments.filter((c) => c.replyTo === id);

  const renderComment = (comment: CommentItem) => {
    const gone = comment.deletedAt !== null;
    const hidden = comment.hiddenAt !== null;
    return (
      <article className={`comment${comment.state === 'posted' ? '' : ` comment-${comment.state}`}`} aria-label={`Comment by ${comment.author.name}`} data-comment-id={comment.id}>
        <header className="comment-head">
          <strong>{comment.author.name}</strong>
          <span className="muted small">{formatDateTime(comment.createdAt)}</span>
          {comment.editedAt !== null && !gone && (
            <button type="button" className="link-button small" aria-expanded={history?.id === comment.id} onClick={() => void showHistory(comment)} disabled={comment.state !== 'posted'}>
              edited
            </button>
          )}
          {comment.state === 'pending' && <span className="tag">Pending</span>}
          {comment.state === 'refused' && <span className="tag danger">Refused</span>}
          {hidden && <span className="tag">Hidden</span>}
        </header>
        {comment.anchor !== null && comment.anchor.sopInstanceUid !== undefined && (
          <button type="button" className="comment-anchor" onClick={() => openAnchor(comment.anchor!)} aria-label={`Open at ${anchorWords(comment.anchor, imageNumber)}`}>
            {anchorWords(comment.anchor, imageNumber)}
          </button>
        )}
        <div className="comment-text">
          {gone ? <em className="muted">Deleted by its author.</em> : hidden && comment.text === '' ? <em className="muted">Hidden by an administrator.</em> : <CommentText text={comment.text} mentions={comment.mentions} />}
        </div>
        {comment.reason !== null && comment.state !== 'posted' && <div className={comment.state === 'refused' ? 'error-text small' : 'muted small'}>{comment.reason}</div>}
        {history?.id === comment.id && (
          <ol className="comment-history" aria-label="Earlier versions">
            {history.edits.length === 0 && <li className="muted small">No earlier versions you may read.</li>}
            {history.edits.map((edit, index) => (
              <li key={index}>
                <span className="muted small">until {formatDateTime(edit.editedAt)}: </span>
                <CommentText text={edit.text} mentions={[]} />
              </li>
            ))}
          </ol>
        )}
        {comment.state === 'posted' && !gone && (
          <div className="comment-actions">
            {comment.replyTo === null && !hidden && page?.mayComment === true && (
              <button type="button" className="quiet small" onClick={() => setReplyTo(comment)}>
                Reply
              </button>
            )}
            {comment.mayEdit && (
              <button type="button" className="quiet small" onClick={() => setEditing(comment)}>
                Edit
              </button>
            )}
            {comment.mayEdit && (
              <button type="button" className="quiet small" onClick={() => remove(comment)}>
                Delete
              </button>
            )}
            {comment.mayHide && (
              <button type="button" className="quiet small" onClick={() => void hide(comment)}>
                {hidden ? 'Show again' : 'Hide'}
              </button>
            )}
          </div>
        )}
        {editing?.id === comment.id && (
          <Composer
            study={study}
            label="Edit comment"
            submit="Save"
            initial={comment.text}
            initialMentions={comment.mentions}
            onCancel={() => setEditing(null)}
            onPost={async ({ text, mentions }) => {
              const ok = await outcome(() => api.call('comments:edit', { study, commentId: comment.id, text, mentions }), 'Comment edited.');
              if (ok) setEditing(null);
              return ok;
            }}
          />
        )}
      </article>
    );
  };

  return (
    <section className="comments" aria-label="Comments">
      <h3>
        Comments {page !== null && <span className="muted small">({comments.filter((c) => c.deletedAt === null).length})</span>}
      </h3>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      {page !== null && !page.online && <p className="muted small">The hub cannot be reached: these are the comments as last read.</p>}
      {page === null && error === null && <p className="muted">Loading…</p>}
      {page !== null && comments.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comment-list" aria-label="Comment threads">
        {roots.map((root) => (
          <li key={root.id}>
            {renderComment(root)}
            {repliesTo(root.id).length > 0 && (
              <ol className="comment-replies" aria-label={`Replies to ${root.author.name}`}>
                {repliesTo(root.id).map((reply) => (
                  <li key={reply.id}>{renderComment(reply)}</li>
                ))}
              </ol>
            )}
          </li>
        ))}
      </ol>
      {page?.mayComment === true && (
        <Composer
          study={study}
          label={replyTo === null ? 'New comment' : `Reply to ${replyTo.author.name}`}
          submit={replyTo === null ? 'Post' : 'Reply'}
          currentAnchor={replyTo === null ? currentAnchor : undefined}
          onCancel={replyTo === null ? undefined : () => setReplyTo(null)}
          onPost={async ({ text, mentions, shareWith, anchor }) => {
            const ok = await outcome(
              () => api.call('comments:add', { study, text, mentions, shareWith, anchor: anchor ?? null, replyTo: replyTo?.id ?? null }),
              shareWith.length > 0 ? 'Comment posted, and the study shared with the people you mentioned.' : 'Comment posted.',
            );
            if (ok) setReplyTo(null);
            return ok;
          }}
        />
      )}
      {page !== null && !page.mayComment && <p className="muted small">Your role does not allow commenting on this study.</p>}
    </section>
  );
}

interface Posted {
  readonly text: string;
  readonly mentions: { id: string; name: string }[];
  readonly shareWith: string[];
  readonly anchor: ViewerAnchor | null;
}

/** The text box with @-mention autocomplete (↑/↓ to choose, Enter or Tab to take, Esc to close); Ctrl/⌘+Enter posts. */
function Composer({
  study,
  label,
  submit,
  initial = '',
  initialMentions = [],
  currentAnchor,
  onCancel,
  onPost,
}: {
  readonly study: CommentStudyRef;
  readonly label: string;
  readonly submit: string;
  readonly initial?: string;
  readonly initialMentions?: readonly { id: string; name: string }[];
  readonly currentAnchor?: () => ViewerAnchor | null;
  readonly onCancel?: () => void;
  readonly onPost: (posted: Posted) => Promise<boolean>;
}) {
  const [text, setText] = useState(initial);
  const [chosen, setChosen] = useState<MentionCandidate[]>(initialMentions.map((m) => ({ ...m, role: null, seesStudy: true, mayShare: false })));
  const [query, setQuery] = useState<string | null>(null);
  const [options, setOptions] = useState<readonly MentionCandidate[]>([]);
  const [active, setActive] = useState(0);
  const [anchored, setAnchored] = useState(true);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const listId = useRef(`mentions-${Math.random().toString(36).slice(2)}`).current;

  useEffect(() => {
    if (query === null || query.length === 0) {
      setOptions([]);
      return;
    }
    let current = true;
    void api.call('comments:mentions', { study, q: query }).then((result) => {
      if (!current) return;
      setOptions(result.ok ? result.value.people : []);
      setActive(0);
    });
    return () => {
      current = false;
    };
    // The study is told apart by its key; a new object each render must not re-ask.
  }, [query, keyOf(study)]); // eslint-disable-line react-hooks/exhaustive-deps

  const onChange = (value: string, caret: number) => {
    setText(value);
    setProblem(null);
    const match = /(?:^|\s)@([^\s@]{1,40})$/u.exec(value.slice(0, caret));
    setQuery(match === null ? null : match[1]);
  };

  const take = (person: MentionCandidate) => {
    const caret = box.current?.selectionStart ?? text.length;
    const before = text.slice(0, caret).replace(/@([^\s@]{1,40})$/u, `@${person.name} `);
    setText(before + text.slice(caret));
    setChosen((list) => (list.some((p) => p.id === person.id) ? list : [...list, person]));
    setQuery(null);
    setOptions([]);
    requestAnimationFrame(() => box.current?.focus());
  };

  const post = async () => {
    const mentions = chosen.filter((p) => text.includes(`@${p.name}`));
    const blocked = mentions.find((p) => !p.seesStudy && !p.mayShare);
    if (blocked !== undefined) {
      setProblem(`${blocked.name} cannot see this study, and your role does not let you share it with them. Remove the mention, or ask someone who may share it.`);
      return;
    }
    if (text.trim().length === 0) return;
    setBusy(true);
    const anchor = anchored ? (currentAnchor?.() ?? null) : null;
    const ok = await onPost({ text, mentions: mentions.map(({ id, name }) => ({ id, name })), shareWith: mentions.filter((p) => !p.seesStudy).map((p) => p.id), anchor });
    setBusy(false);
    if (ok && initial === '') {
      setText('');
      setChosen([]);
    }
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (options.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((i) => (i + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        take(options[active]);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setOptions([]);
        setQuery(null);
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void post();
    }
    // Keys typed here are text, not the viewer's or the worklist's shortcuts.
    event.stopPropagation();
  };

  const sharing = chosen.filter((p) => !p.seesStudy && p.mayShare && text.includes(`@${p.name}`));
  const over = text.length > COMMENT_MAX_CHARS;
  return (
    <form
      className="comment-composer"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        void post();
      }}
    >
      <textarea
        ref={box}
        aria-label={label}
        placeholder="Write a comment; @ to mention someone"
        value={text}
        rows={3}
        role="combobox"
        aria-expanded={options.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={options.length > 0 ? `${listId}-${active}` : undefined}
        onChange={(event) => onChange(event.target.value, event.target.selectionStart)}
        onKeyDown={onKeyDown}
      />
      {options.length > 0 && (
        <ul id={listId} role="listbox" aria-label="People to mention" className="mention-options">
          {options.map((person, index) => (
            <li
              key={person.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => {
                event.preventDefault();
                take(person);
              }}
            >
              <span>{person.name}</span>
              <span className="muted small">{person.role ?? ''}</span>
              {!person.seesStudy && <span className={person.mayShare ? 'tag' : 'tag danger'}>{person.mayShare ? 'Will be shared with' : 'Cannot see it'}</span>}
            </li>
          ))}
        </ul>
      )}
      {sharing.length > 0 && (
        <p className="warn-text small" role="status">
          {sharing.map((p) => p.name).join(', ')} cannot see this study yet: posting shares it with {sharing.length === 1 ? 'them' : 'each of them'} first.
        </p>
      )}
      <ErrorMessage message={problem ?? (over ? `A comment holds at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters; this one has ${text.length.toLocaleString('en')}.` : null)} />
      <div className="comment-composer-actions">
        {currentAnchor !== undefined && (
          <label className="small">
            <input type="checkbox" checked={anchored} onChange={(event) => setAnchored(event.target.checked)} /> On this image
          </label>
        )}
        {onCancel !== undefined && (
          <button type="button" className="quiet" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={busy || over || text.trim().length === 0}>
          {submit}
        </button>
      </div>
    </form>
  );
}
