import { PostgresAdapter, type Compilable, type CompiledQuery, type QueryResult } from 'kysely'
import type { Db, Executor } from './database.ts'
import { directSqliteOf } from './direct-sqlite.ts'
import { rememberedPostgresOf } from './remembered-postgres.ts'
import { isStalePlan, nameStatement } from './postgres-statements.ts'

/** Marks where an argument goes while a prepared query is compiled; never reaches the database. */
const PLACEHOLDER = '\u0000vpcep-argument:'

interface Compiled {
  query: CompiledQuery<unknown>
  /** For each bound parameter: the index of the argument that supplies it, or -1 for a constant of the query. */
  sources: number[]
}

/** A prepared query's SQL for one database with the arguments in place of its placeholders. */
export interface BoundQuery {
  sql: string
  parameters: unknown[]
}

/** A prepared query: run it, or bind it (for a caller that runs several statements on the driver itself). */
export interface Prepared<A extends unknown[], R> {
  (db: Executor, ...args: A): Promise<QueryResult<R>>
  bind(db: Executor, ...args: A): BoundQuery
}

export interface PreparedOptions {
  /**
   * A read whose result may be remembered until the database changes (outside transactions; SQLite: see
   * direct-sqlite.ts, PostgreSQL: remembered-postgres.ts). For hot reads that every request repeats; the
   * rows come back frozen.
   */
  cacheable?: boolean
}

/**
 * A query that Kysely builds and compiles once per dialect and then runs with new argument values, so a
 * hot query does not pay for building, plugin transforms and SQL compilation on every call (Kysely's
 * "execute compiled queries" recipe). `build` gets placeholders in place of the arguments; each argument
 * must become exactly one bound parameter (scalars only: an `in` list would change the SQL with its
 * length). Answers Kysely's QueryResult (rows, numAffectedRows), rows in camelCase as the plugin gives them.
 * On SQLite outside a transaction the query runs on the driver directly (direct-sqlite.ts).
 */
export function prepared<A extends unknown[], R>(
  build: (db: Executor, ...args: A) => Compilable<R>,
  options: PreparedOptions = {},
): Prepared<A, R> {
  const byAdapter = new WeakMap<object, Compiled>()
  const bind = (db: Executor, args: A): BoundQuery & { query: CompiledQuery<unknown> } => {
    const adapter = db.getExecutor().adapter
    let compiled = byAdapter.get(adapter)
    if (compiled === undefined) {
      const placeholders = args.map((_, i) => `${PLACEHOLDER}${i}`) as unknown as A
      const query = build(db, ...placeholders).compile() as CompiledQuery<unknown>
      const sources = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(PLACEHOLDER) ? Number(p.slice(PLACEHOLDER.length)) : -1))
      args.forEach((_, i) => {
        if (sources.filter((s) => s === i).length !== 1) throw new Error(`prepared query: argument ${i} must be bound exactly once in ${query.sql}`)
      })
      compiled = { query, sources }
      byAdapter.set(adapter, compiled)
      if (adapter instanceof PostgresAdapter) nameStatement(query.sql)
    }
    const { query, sources } = compiled
    const parameters = sources.map((source, i) => (source < 0 ? query.parameters[i] : args[source]))
    return { sql: query.sql, parameters, query }
  }
  const run = async (db: Executor, ...args: A): Promise<QueryResult<R>> => {
    const { sql: text, parameters, query: compiled } = bind(db, args)
    const direct = directSqliteOf(db)
    if (direct?.usable) return direct.execute<R>(text, parameters, options)
    const query = { ...(compiled as CompiledQuery<R>), parameters }
    const remembered = options.cacheable ? rememberedPostgresOf(db) : undefined
    const once = () => (remembered !== undefined ? remembered.execute<R>(db as Db, query, parameters) : db.executeQuery<R>(query))
    if (db.isTransaction) return once()
    // Outside a transaction a read whose kept plan went stale (postgres-statements.ts) is simply asked again.
    return once().catch((error: unknown) => {
      if (!isStalePlan(error)) throw error
      return once()
    })
  }
  return Object.assign(run, {
    bind: (db: Executor, ...args: A): BoundQuery => {
      const { sql: text, parameters } = bind(db, args)
      return { sql: text, parameters }
    },
  })
}
