/**
 * The desktop's copy of studies' comments (issue 16): one row per hub study with the comments
 * as the hub last listed them (JSON of shared/comments CommentView), the revision that copy is
 * of, and the revision the change feed last announced. The copy is read again only when the feed
 * says something changed (or this desktop wrote something), so opening a study's comments costs
 * no hub request most of the time and still works offline. What the person wrote and the hub has
 * not taken yet is in the outbox (comment.* operations), never here.
 */
import type { Migration } from './index';

export const comments0070: Migration = {
  version: 70,
  name: 'comment-cache',
  up(db) {
    db.exec(`
      CREATE TABLE comment_cache (
        hub_study_id TEXT PRIMARY KEY,
        announced_revision INTEGER NOT NULL DEFAULT 0,
        fetched_revision INTEGER,
        may_comment INTEGER NOT NULL DEFAULT 0 CHECK (may_comment IN (0, 1)),
        comments TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
    `);
  },
};
