/**
 * Putting studies into a collection and taking them out, from the desktop (issue 13),
 * offline-first like shares: one `collection.add` / `collection.remove` operation per study goes
 * into the outbox (a local study the hub does not know yet is published first, in the same
 * outbox, and named by UID so the add follows it), is pushed at once when the hub answers, and
 * otherwise waits. The answer says what went in, what was there already, what waits, and what
 * the hub refused and why (the collection was deleted meanwhile, no right to add, a private
 * study not theirs). The rest of collections is plain hub calls (create-app.ts).
 */
import type Database from 'better-sqlite3';
import type { CallParsedInput, CollectionOutcome } from '../../../shared/contract';
import type { HubConnection } from '../hub-connection/hub-connection';
import { runPerStudyOperations } from '../sync-client/per-study-operations';

type Input = CallParsedInput<'collections:add-studies'>;

export class CollectionStudies {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: HubConnection,
  ) {}

  change(input: Input, add: boolean): Promise<CollectionOutcome> {
    const seriesUids = 'seriesUids' in input && input.seriesUids !== undefined ? [...input.seriesUids] : null;
    return runPerStudyOperations(this.db, this.hub, {
      refs: input.studies,
      adding: add,
      targetLabel: 'collection',
      operation: (study) => (add ? { kind: 'collection.add', collectionId: input.collectionId, study, seriesUids } : { kind: 'collection.remove', collectionId: input.collectionId, study }),
      already: (value) => value.alreadyIn === true || value.removed === false,
    });
  }
}
