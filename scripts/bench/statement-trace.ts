/**
 * bench:hub --scale --lists --trace — every statement one list request sends, with its time
 * (from compiling to its result, so a PostgreSQL statement's wait for a pooled connection and a
 * core is in it) and the start of its SQL. A Kysely plugin: transformQuery marks the start by
 * query id, transformResult the end; raw `sql` statements pass through both as well.
 * --explain adds the plan of each request's slowest statement, run again with its parameters:
 * EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite.
 */
import { CompiledQuery, type Kysely, type KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

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

  /** The plan of the slowest statement of the last trace, run again with its own parameters. */
  async explainSlowest(db: Kysely<never>, postgres: boolean): Promise<string[]> {
    const slowest = [...this.statements].sort((a, b) => (b.ended ?? 0) - b.started - ((a.ended ?? 0) - a.started))[0];
    if (slowest === undefined) return [];
    const compiled = db.getExecutor().compileQuery(slowest.node, slowest.queryId);
    const prefix = postgres ? 'EXPLAIN (ANALYZE, BUFFERS) ' : 'EXPLAIN QUERY PLAN ';
    const { rows } = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]));
    return rows.map((row) => `      ${postgres ? String(row['QUERY PLAN']) : `${String(row.id)}<${String(row.parent)} ${String(row.detail)}`}`);
  }
}
