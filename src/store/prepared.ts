import type { Compilable, CompiledQuery, QueryResult } from 'kysely'
import type { Executor } from './database.ts'

/** Marks where an argument goes while a prepared query is compiled; never reaches the database. */
const PLACEHOLDER = '\u0000vpcep-argument:'

interface Compiled {
  query: CompiledQuery<unknown>
  /** For each bound parameter: the index of the argument that supplies it, or -1 for a constant of the query. */
  sources: number[]
}

/**
 * A query that Kysely builds and compiles once per dialect and then runs with new argument values, so a
 * hot query does not pay for building, plugin transforms and SQL compilation on every call (Kysely's
 * "execute compiled queries" recipe). `build` gets placeholders in place of the arguments; each argument
 * must become exactly one bound parameter (scalars only: an `in` list would change the SQL with its
 * length). Answers Kysely's QueryResult (rows, numAffectedRows); results go through the plugins (camelCase) as usual.
 */
export function prepared<A extends unknown[], R>(build: (db: Executor, ...args: A) => Compilable<R>): (db: Executor, ...args: A) => Promise<QueryResult<R>> {
  const byAdapter = new WeakMap<object, Compiled>()
  return async (db, ...args) => {
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
    }
    const { query, sources } = compiled
    const parameters = sources.map((source, i) => (source < 0 ? query.parameters[i] : args[source]))
    return db.executeQuery<R>({ ...(query as CompiledQuery<R>), parameters })
  }
}
