/**
 * Actions → Add physician… and taking an added physician off a study, from the desktop (issue 14,
 * part 3), offline-first like collections and shares: one `physician.link` / `physician.unlink`
 * operation per study goes into the outbox (a local study the hub does not know yet is published
 * first, in the same outbox, and named by UID so the link follows it), is pushed at once when the
 * hub answers, and otherwise waits. The answer says what changed, what was so already, what waits
 * and what the hub refused and why (no right to share the study, a physician of another site, a
 * doctor the case manager does not act for).
 */
import type Database from 'better-sqlite3';
import type { CallParsedInput, CollectionOutcome } from '../../../shared/contract';
import type { HubConnection } from '../hub-connection/hub-connection';
import { runPerStudyOperations } from '../sync-client/per-study-operations';

type Ref = CallParsedInput<'physicians:link'>['studies'][number];

export class StudyPhysicians {
  constructor(
    private readonly db: Database.Database,
    private readonly hub: Pick<HubConnection, 'requireSync' | 'hubStudyId' | 'pushNow' | 'syncSoon'>,
  ) {}

  link(input: CallParsedInput<'physicians:link'>): Promise<CollectionOutcome> {
    return this.change(input.studies, true, input.physicianId, input.forPhysicianId);
  }

  unlink(input: CallParsedInput<'physicians:unlink'>): Promise<CollectionOutcome> {
    return this.change([input.study], false, input.physicianId, input.forPhysicianId);
  }

  private change(refs: readonly Ref[], add: boolean, physicianId: string, forPhysicianId: string | undefined): Promise<CollectionOutcome> {
    const forWhom = forPhysicianId === undefined ? {} : { forPhysicianId };
    return runPerStudyOperations(this.db, this.hub, {
      refs,
      adding: add,
      targetLabel: 'physician',
      operation: (study) => ({ kind: add ? 'physician.link' : 'physician.unlink', study, physicianId, ...forWhom }),
      already: (value) => value.added === false || value.removed === false,
    });
  }
}
