import type SqliteDatabase from 'better-sqlite3'
import type { QueryResult } from 'kysely'
import type { BoundQuery } from './prepared.ts'
import type { StatementCache } from './sqlite-statements.ts'

/** Runs one bound query inside `readConsistently` and answers its rows. */
export type ConsistentRead = <R>(query: BoundQuery) => R[]

/**
 * Rows remembered at most, all results together; past that the cache starts again empty. One-resource
 * reads are a row or a few, a page up to 100: about 10 MB of rows in the worst case.
 */
const REMEMBERED_ROWS = 10_000

/**
 * Runs prepared (hot, precompiled) queries straight on better-sqlite3. Kysely hands its one SQLite
 * connection to one query at a time through promises; for a query that takes a few microseconds that is
 * most of the cost. better-sqlite3 runs a statement synchronously, so nothing can interleave with it:
 * the only state another caller can leave behind is an open transaction, and while one is open queries
 * take Kysely's path (they wait for it, and never read its uncommitted rows).
 *
 * Reads marked cacheable also remember their result until the database changes. Two counters tell,
 * exactly, whether it may have: `total_changes()` (every row this connection inserted, updated or
 * deleted, committed or not) and `data_version` (moves whenever another connection, in this process or
 * another, such as the CLI, commits). Both are read before every cached answer, so a read never misses
 * a write that committed before it began; the cost is two statements that read no table.
 */
export class DirectSqlite {
  private readonly results = new Map<string, QueryResult<unknown>>()
  private readonly totalChanges: SqliteDatabase.Statement
  private readonly dataVersion: SqliteDatabase.Statement
  private cachedTotalChanges = -1
  private cachedDataVersion = -1
  private rememberedRows = 0
  private readonly inReadTransaction: (work: (read: ConsistentRead) => unknown) => unknown

  constructor(
    private readonly database: SqliteDatabase.Database,
    private readonly statements: StatementCache,
  ) {
    // Two statements: read through the pragma_data_version table function, the pragma is compiled anew every time.
    this.totalChanges = database.prepare('select total_changes()').pluck()
    this.dataVersion = database.prepare('pragma data_version').pluck()
    const read: ConsistentRead = <R>(query: BoundQuery) => this.remembered<R>(query.sql, query.parameters).rows
    this.inReadTransaction = database.transaction((work: (read: ConsistentRead) => unknown) => {
      this.forgetIfChanged()
      return work(read)
    }).deferred
  }

  /** False while a transaction is open on the connection: then a query must wait its turn in Kysely. */
  get usable(): boolean {
    return !this.database.inTransaction
  }

  execute<R>(sql: string, parameters: readonly unknown[], options: { cacheable?: boolean } = {}): QueryResult<R> {
    if (!options.cacheable) return this.run<R>(sql, parameters)
    this.forgetIfChanged()
    return this.remembered<R>(sql, parameters)
  }

  /**
   * Runs several remembered reads as one: inside one read transaction, synchronously, so they all see the
   * same committed state (the counter reads, `pragma data_version` first among them, open the read and fix
   * the snapshot for the rest, so a commit in between cannot split them, and the counters need reading only
   * once). Only while `usable`.
   */
  readConsistently<T>(work: (read: ConsistentRead) => T): T {
    return this.inReadTransaction(work) as T
  }

  /** Drops everything remembered when the database may have changed since it was read. */
  private forgetIfChanged(): void {
    const totalChanges = this.totalChanges.get() as number
    const dataVersion = this.dataVersion.get() as number
    if (totalChanges !== this.cachedTotalChanges || dataVersion !== this.cachedDataVersion) {
      this.forget()
      this.cachedTotalChanges = totalChanges
      this.cachedDataVersion = dataVersion
    }
  }

  private forget(): void {
    this.results.clear()
    this.rememberedRows = 0
  }

  /** The remembered result of a read, or the read run now and remembered; callers checked freshness. */
  private remembered<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    if (this.rememberedRows >= REMEMBERED_ROWS) this.forget()
    const key = `${sql}\u0000${JSON.stringify(parameters)}`
    let result = this.results.get(key) as QueryResult<R> | undefined
    if (result === undefined) {
      result = this.run<R>(sql, parameters)
      // Callers share these rows from now on: frozen, so one that changed them would fail loudly.
      for (const row of result.rows) Object.freeze(row)
      Object.freeze(result.rows)
      this.results.set(key, result)
      this.rememberedRows += Math.max(1, result.rows.length)
    }
    return result
  }

  private run<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    const statement = this.statements.statement(sql)
    if (statement.reader) return { rows: statement.all(parameters) as R[] }
    const { changes } = statement.run(parameters)
    return { rows: [], numAffectedRows: BigInt(changes) }
  }
}

const directByDatabase = new WeakMap<object, DirectSqlite>()

/** Lets prepared queries on `db` (the root Kysely instance, never a transaction) run on `database` directly. */
export function allowDirect(db: object, database: SqliteDatabase.Database, statements: StatementCache): void {
  directByDatabase.set(db, new DirectSqlite(database, statements))
}

/** The direct runner for `db`, when it is a SQLite database (not a transaction) that allows one. */
export function directSqliteOf(db: object): DirectSqlite | undefined {
  return directByDatabase.get(db)
}
