import type pg from 'pg'
import type { CompiledQuery, QueryResult } from 'kysely'
import type { Db } from './database.ts'

/** Remembered results at most; past that the cache starts again empty (each entry is a few rows). */
const RESULT_CAPACITY = 10_000

/**
 * Under a steady write load every check finds a commit since the last one, so a remembered read costs a
 * check and then the query anyway. After this many such checks in a row, reads go straight to the
 * database for CHECK_PAUSE_MS before checking again.
 */
const CHANGED_CHECKS_BEFORE_PAUSE = 3
const CHECK_PAUSE_MS = 20

/** What the server's snapshot is made of: the first running txid, the first unassigned one, the running ones. */
const SNAPSHOT = 'select pg_current_snapshot()::text as s'

interface Check {
  sequence: number
  waiters: Array<{ resolve(check: { sequence: number; version: string }): void; reject(error: unknown): void }>
}

/**
 * Hot reads on PostgreSQL remembered across requests, exact across instances. Before a remembered answer
 * the server's current snapshot (`pg_current_snapshot()`: xmax and the list of running transaction ids)
 * is read. Two snapshots with the same xmax and the same running ids see exactly the same committed
 * transactions: a write that committed in between either was running at the first (its id leaves the
 * list) or started after it (xmax moves past its id). So while the snapshot text is unchanged nothing
 * has committed anywhere in the cluster, by this instance or any other, and a remembered row is the row;
 * when it changes everything remembered is dropped. A write another instance acknowledged has left the
 * running list before its COMMIT returned, so the next check here sees it.
 *
 * Results are stored only under the check that preceded their query, so a row read before a commit is
 * never filed under a snapshot that includes it. Checks asked for in the same turn of the event loop
 * share one round trip; one asked for while another is on the wire waits for the next, which is sent
 * after it was asked for. A hit therefore costs one short statement that reads no table.
 */
export class RememberedPostgres {
  private readonly results = new Map<string, QueryResult<unknown>>()
  private version: string | undefined
  private versionSequence = -1
  private nextSequence = 0
  private pending: Check | undefined
  /** Checks in a row that found the database changed, and until when reads skip the check because of them. */
  private changedInARow = 0
  private directUntil = 0

  constructor(private readonly pool: pg.Pool) {}

  async execute<R>(db: Db, query: CompiledQuery<R>, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    // A direct read is always fresh; while checks keep finding changes it is also the cheaper one.
    if (this.directUntil > 0 && performance.now() < this.directUntil) return db.executeQuery<R>({ ...query, parameters })
    const { sequence, version } = await this.check()
    if (sequence < this.versionSequence) return db.executeQuery<R>({ ...query, parameters })
    if (sequence > this.versionSequence) {
      if (version !== this.version) {
        this.changedInARow++
        if (this.changedInARow >= CHANGED_CHECKS_BEFORE_PAUSE) this.directUntil = performance.now() + CHECK_PAUSE_MS
      } else {
        this.changedInARow = 0
        this.directUntil = 0
      }
      if (version !== this.version || this.results.size >= RESULT_CAPACITY) this.results.clear()
      this.version = version
      this.versionSequence = sequence
    }
    const key = `${query.sql}\u0000${JSON.stringify(parameters)}`
    const remembered = this.results.get(key) as QueryResult<R> | undefined
    if (remembered !== undefined) return remembered
    const result = await db.executeQuery<R>({ ...query, parameters })
    // Callers share these rows from now on: frozen, so one that changed them would fail loudly.
    for (const row of result.rows) Object.freeze(row)
    Object.freeze(result.rows)
    // A newer check may have arrived meanwhile and found the database changed; this row may predate that.
    if (this.version === version) this.results.set(key, result)
    return result
  }

  private check(): Promise<{ sequence: number; version: string }> {
    return new Promise((resolve, reject) => {
      if (this.pending === undefined) {
        const check: Check = { sequence: this.nextSequence++, waiters: [] }
        this.pending = check
        // After the I/O callbacks of this turn: every request read from the network in it shares the check.
        setImmediate(() => this.send(check))
      }
      this.pending.waiters.push({ resolve, reject })
    })
  }

  private send(check: Check): void {
    if (this.pending === check) this.pending = undefined
    this.pool.query<{ s: string }>(SNAPSHOT).then(
      (result) => {
        const answer = { sequence: check.sequence, version: result.rows[0]!.s }
        for (const waiter of check.waiters) waiter.resolve(answer)
      },
      (error: unknown) => {
        for (const waiter of check.waiters) waiter.reject(error)
      },
    )
  }
}

const rememberedByDatabase = new WeakMap<object, RememberedPostgres>()

/** Lets cacheable prepared queries on `db` (the root Kysely instance, never a transaction) be remembered. */
export function allowRemembered(db: object, pool: pg.Pool): void {
  rememberedByDatabase.set(db, new RememberedPostgres(pool))
}

/** The read cache for `db`, when it is a PostgreSQL database (not a transaction) that has one. */
export function rememberedPostgresOf(db: object): RememberedPostgres | undefined {
  return rememberedByDatabase.get(db)
}
