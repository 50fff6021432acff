/**
 * bench:hub --scale --lists --trace — every statement one list request sends, with its time
 * (from compiling to its result, so a PostgreSQL statement's wait for a pooled connection and a
 * core is in it) and the start of its SQL. A Kysely plugin: transformQuery marks the start by
 * query id, transformResult the end; raw `sql` statements pass through both as well.
 */
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

interface Traced {
  readonly node: RootOperationNode;
  readonly queryId: PluginTransformQueryArgs['queryId'];
  readonly started: number;
  ended: number | null;
}

export class StatementTrace implements KyselyPlugin {
  private on = false;
  private statements: Traced[] = [];
  private readonly open = new WeakMap<object, Traced>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.on) {
      const traced: Traced = { node: args.node, queryId: args.queryId, started: performance.now(), ended: null };
      this.statements.push(traced);
      this.open.set(args.queryId, traced);
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const traced = this.open.get(args.queryId);
    if (traced !== undefined) traced.ended = performance.now();
    return args.result;
  }

  start(): void {
    this.statements = [];
    this.on = true;
  }

  /** The statements since start(), one line each: milliseconds and the first words of the SQL. */
  stop(db: Kysely<never>): string[] {
    this.on = false;
    const executor = db.getExecutor();
    return this.statements.map((s, k) => {
      const text = executor.compileQuery(s.node, s.queryId).sql.replace(/\s+/g, ' ');
      const ms = s.ended === null ? '   ?' : (s.ended - s.started).toFixed(1).padStart(6);
      return `    ${String(k + 1).padStart(2)} ${ms} ms  ${text.slice(0, 150)}`;
    });
  }
}
