import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { CamelCasePlugin, CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type QueryResult, type SelectQueryBuilder, type Transaction } from 'kysely'
import type { Database } from './schema.ts'
import { migrateToLatest } from './migrations.ts'
import { allowDirect } from './direct-sqlite.ts'
import { allowRemembered } from './remembered-postgres.ts'
import { isStalePlan, useNamedStatements } from './postgres-statements.ts'
import { sqliteFile } from './sqlite-url.ts'
import { SnakeCaseQueries, StatementCache } from './sqlite-statements.ts'
import { isSealed, resolveMasterKey, secretBox, type SecretBox } from './secrets.ts'
import { noteOutboxWrite, wroteOutbox } from './repos/events.ts'

export type Dialect = 'sqlite' | 'postgres'
export type Db = Kysely<Database>
export type Tx = Transaction<Database>
/** Anything a repository query can run on: the database or an open transaction. */
export type Executor = Db | Tx

/** The only place that knows which driver is behind the typed SQL layer. */
export interface Store {
  readonly db: Db
  readonly dialect: Dialect
  /** Runs `work` in one transaction; retried when the database reports a transient write conflict. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Runs read-only `work` on one consistent view of the database, so a list's total_count and its page
   * agree even while other instances commit (REPEATABLE READ on PostgreSQL; on SQLite a transaction, which
   * also keeps this process's writers from running between the reads).
   */
  snapshot<T>(work: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Runs one statement as a transaction of its own and answers its result once it is committed (durably:
   * synchronous_commit / synchronous=FULL). On PostgreSQL it goes to the server alone, without BEGIN and
   * COMMIT round trips; on SQLite it joins the group commit. `wroteOutbox(result)` says whether the
   * statement wrote outbox events, for the onOutboxCommit listeners. Retried like a transaction.
   */
  statement<R>(query: CompiledQuery<R>, wroteOutbox?: (result: QueryResult<R>) => boolean): Promise<QueryResult<R>>
  /** Encrypts and decrypts secrets stored at rest (AK/SK secret keys, webhook signing secrets). */
  readonly secrets: SecretBox
  /**
   * Calls `listener` after each commit of this process that wrote outbox events, so followers of the
   * outbox (event delivery, live streams) need not poll to learn of local changes. Answers an unsubscribe.
   */
  onOutboxCommit(listener: (origin: 'here' | 'elsewhere') => void): () => void
  /**
   * Tells the onOutboxCommit listeners of a commit that wrote outbox events in another process of this
   * server (src/workers), as if it had been made here; listeners learn it came from `elsewhere`, so a
   * relay does not send it back.
   */
  announceOutboxCommit(): void
  close(): Promise<void>
}

// PostgreSQL returns BIGINT (count(*)) as text; every count here fits a JS number.
pg.types.setTypeParser(20, (value) => Number(value))

function openSqlite(url: string): Kysely<Database> {
  const file = sqliteFile(url)
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 })
    // Created owner-only before SQLite opens it: its -wal and -shm files take the same mode.
    fs.closeSync(fs.openSync(file, 'a', 0o600))
  }
  const database = new SqliteDatabase(file)
  database.pragma('journal_mode = WAL')
  // FULL makes every acknowledged commit survive power loss as well as a killed process.
  database.pragma('synchronous = FULL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  const statements = new StatementCache(database)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements.forDialect() }), plugins: [new SnakeCaseQueries()] })
  allowDirect(db, database, statements)
  return db
}

function openPostgres(url: string): Kysely<Database> {
  // Bounded waits: an unreachable or hung database turns into a 503 within seconds, never a stuck request.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, query_timeout: 15000 })
  // A client losing its connection (idle in the pool, or checked out between queries) must not take the
  // process down: the error reaches the query that uses it, and the pool replaces the client.
  pool.on('error', () => {})
  pool.on('connect', (client) => {
    client.on('error', () => {})
    useNamedStatements(client)
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
  allowRemembered(db, pool)
  return db
}

const TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', '40001', '40P01'])

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (typeof code === 'string' && TRANSIENT.has(code)) || isStalePlan(error)
}

/**
 * Opens the database named by `url` (sqlite:/path.db or postgres://…), brings its schema up to date and
 * seals any secret still stored in clear. `masterKey` defaults to resolveMasterKey(url).
 */
export async function openStore(url: string, options: { masterKey?: Buffer } = {}): Promise<Store> {
  const dialect: Dialect = url.startsWith('sqlite:') ? 'sqlite' : 'postgres'
  const secrets = secretBox(options.masterKey ?? resolveMasterKey(url))
  const db = dialect === 'sqlite' ? openSqlite(url) : openPostgres(url)
  try {
    if (dialect === 'postgres') {
      // Kysely's own migration lock is taken after it creates its bookkeeping tables; instances starting
      // together could race on that first CREATE TABLE, so the whole migration runs under a session lock.
      await db.connection().execute(async (connection) => {
        await sql`select pg_advisory_lock(7403116)`.execute(connection)
        try {
          await migrateToLatest(connection, dialect)
        } finally {
          await sql`select pg_advisory_unlock(7403116)`.execute(connection)
        }
      })
    } else {
      await migrateToLatest(db, dialect)
    }
    await sealClearSecrets(db, secrets)
  } catch (error) {
    await db.destroy()
    throw error
  }
  const transaction: Store['transaction'] = dialect === 'sqlite' ? groupCommit(db) : (work) => retried(db, work)
  const outboxListeners = new Set<(origin: 'here' | 'elsewhere') => void>()
  const announce = (origin: 'here' | 'elsewhere') => {
    for (const listener of outboxListeners) listener(origin)
  }
  outboxCommits.set(db, () => announce('here'))
  const statement: Store['statement'] =
    dialect === 'sqlite'
      ? (query, wrote) =>
          transaction(async (tx) => {
            const result = await tx.executeQuery(query)
            if (wrote?.(result)) noteOutboxWrite(tx)
            return result
          })
      : (query, wrote) =>
          withRetries(async () => {
            const result = await db.executeQuery(query)
            if (wrote?.(result)) announce('here')
            return result
          })
  return {
    db,
    dialect,
    transaction,
    statement,
    onOutboxCommit(listener) {
      outboxListeners.add(listener)
      return () => outboxListeners.delete(listener)
    },
    announceOutboxCommit: () => announce('elsewhere'),
    snapshot: (work) => runTransaction(db, work, { snapshot: true }),
    secrets,
    close: () => db.destroy(),
  }
}

/** Per database, what to call after a commit that wrote outbox events. */
const outboxCommits = new WeakMap<Db, () => void>()

/**
 * One transaction. The original failure always wins: when SQLite aborts a transaction by itself (a full
 * disk, an I/O error), its ROLLBACK then fails with "no transaction is active", and that second error must
 * not hide the first, which says what happened.
 */
async function runTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
  const begin = options.snapshot ? db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only') : db.startTransaction()
  const tx = await begin.execute()
  let result: T
  try {
    result = await work(tx)
  } catch (error) {
    await tx.rollback().execute().catch(() => {})
    throw error
  }
  try {
    await tx.commit().execute()
  } catch (error) {
    await tx.rollback().execute().catch(() => {})
    throw error
  }
  if (wroteOutbox(tx)) outboxCommits.get(db)?.()
  return result
}

/** Runs `work` in one transaction, again (up to five times) when the database reports a transient write conflict. */
function retried<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return withRetries(() => runTransaction(db, work))
}

/** Runs `attempt` (a whole transaction), again (up to five times) when the database reports a transient write conflict. */
async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (error) {
      if (!isTransient(error) || n >= 5) throw error
      await new Promise((resolve) => setTimeout(resolve, n * 10 + Math.random() * 20))
    }
  }
}

interface Queued {
  work: (tx: Tx) => Promise<unknown>
  resolve(value: unknown): void
  reject(error: unknown): void
}

/**
 * SQLite transactions with group commit. SQLite runs one write transaction at a time and, with
 * synchronous=FULL, each COMMIT waits for the disk. Transactions asked for while others run are queued,
 * then run one after the other inside a single database transaction, each in a savepoint of its own: one
 * that fails is rolled back alone, as if it had been a transaction of its own, and one COMMIT (one flush)
 * makes the whole group durable before any caller is answered. Each caller sees exactly what running the
 * transactions one by one would have given. A transient conflict (another process holding the database)
 * makes the group fall back to one transaction per caller, each retried as before.
 */
function groupCommit(db: Db): Store['transaction'] {
  let queue: Queued[] = []
  let scheduled = false
  const drain = async () => {
    const group = queue
    queue = []
    try {
      await commitGroup(db, group)
    } catch (error) {
      for (const item of group) item.reject(error)
    }
    // The next group starts on a later turn, so that every request which was waiting for the connection
    // meanwhile (its reads run once this group commits) has queued its transaction by then.
    if (queue.length > 0) setImmediate(() => void drain())
    else scheduled = false
  }
  return <T>(work: (tx: Tx) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!scheduled) {
        scheduled = true
        // Requests read from the network in the same turn of the event loop join one group.
        setImmediate(() => void drain())
      }
    })
}

const SAVEPOINT = CompiledQuery.raw('savepoint vpcep_group')
const RELEASE = CompiledQuery.raw('release vpcep_group')
const ROLLBACK_TO = CompiledQuery.raw('rollback to vpcep_group')

async function commitGroup(db: Db, group: Queued[]): Promise<void> {
  if (group.length === 1) {
    const [only] = group as [Queued]
    await retried(db, only.work).then(only.resolve, only.reject)
    return
  }
  const outcomes: Array<{ value: unknown } | { error: unknown }> = []
  try {
    await runTransaction(db, async (tx) => {
      for (const item of group) {
        await tx.executeQuery(SAVEPOINT)
        try {
          const value = await item.work(tx)
          await tx.executeQuery(RELEASE)
          outcomes.push({ value })
        } catch (error) {
          if (isTransient(error)) throw error
          try {
            await tx.executeQuery(ROLLBACK_TO)
            await tx.executeQuery(RELEASE)
          } catch {
            // SQLite ended the whole transaction by itself (a full disk, an I/O error): the original failure says why.
            throw error
          }
          outcomes.push({ error })
        }
      }
    })
  } catch (error) {
    if (isTransient(error)) {
      for (const item of group) await retried(db, item.work).then(item.resolve, item.reject)
    } else {
      // Nothing of the group was committed; a transaction that had failed by itself keeps its own error.
      group.forEach((item, i) => {
        const outcome = outcomes[i]
        item.reject(outcome !== undefined && 'error' in outcome ? outcome.error : error)
      })
    }
    return
  }
  group.forEach((item, i) => {
    const outcome = outcomes[i]!
    if ('error' in outcome) item.reject(outcome.error)
    else item.resolve(outcome.value)
  })
}

/** Databases written before secrets were encrypted keep them in clear; seal those once. */
async function sealClearSecrets(db: Db, secrets: SecretBox): Promise<void> {
  const clear = (await db.selectFrom('credentials').select(['accessKey', 'secretKey']).execute()).filter((c) => !isSealed(c.secretKey))
  for (const credential of clear) {
    await db.updateTable('credentials').set({ secretKey: secrets.seal(credential.secretKey) }).where('accessKey', '=', credential.accessKey).where('secretKey', '=', credential.secretKey).execute()
  }
}

/** A unique or primary-key constraint refused the write (SQLite and PostgreSQL codes). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505'
}

/**
 * Adds a row lock on PostgreSQL (`share`: others may read-lock too but not change the row until this
 * transaction ends; `update`: exclusive). SQLite runs one write transaction at a time and needs none.
 */
export function lockRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, dialect: Dialect, mode: 'share' | 'update'): SelectQueryBuilder<DB, TB, O> {
  if (dialect !== 'postgres') return query
  return mode === 'share' ? query.forShare() : query.forUpdate()
}

/**
 * Serialises writers of one project on PostgreSQL (row lock on the project) so read-then-write rules
 * such as port conflicts hold across instances. SQLite already runs one write transaction at a time.
 */
export async function lockProject(tx: Tx, dialect: Dialect, projectId: string): Promise<void> {
  if (dialect === 'postgres') await tx.selectFrom('projects').select('id').where('id', '=', projectId).forUpdate().execute()
}
