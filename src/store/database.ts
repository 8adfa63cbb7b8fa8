import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql, type SelectQueryBuilder, type Transaction } from 'kysely'
import type { Database } from './schema.ts'
import { migrateToLatest } from './migrations.ts'
import { isSealed, resolveMasterKey, secretBox, type SecretBox } from './secrets.ts'

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
  /** Encrypts and decrypts secrets stored at rest (AK/SK secret keys). */
  readonly secrets: SecretBox
  close(): Promise<void>
}

// PostgreSQL returns BIGINT (count(*)) as text; every count here fits a JS number.
pg.types.setTypeParser(20, (value) => Number(value))

function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length)
  return rest.startsWith('//') ? rest.slice(2) : rest
}

function openSqlite(url: string): Kysely<Database> {
  const file = sqlitePath(url)
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const database = new SqliteDatabase(file)
  database.pragma('journal_mode = WAL')
  // FULL makes every acknowledged commit survive power loss as well as a killed process.
  database.pragma('synchronous = FULL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }), plugins: [new CamelCasePlugin()] })
}

function openPostgres(url: string): Kysely<Database> {
  // Bounded waits: an unreachable or hung database turns into a 503 within seconds, never a stuck request.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, query_timeout: 15000 })
  // A client losing its connection (idle in the pool, or checked out between queries) must not take the
  // process down: the error reaches the query that uses it, and the pool replaces the client.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
}

const TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', '40001', '40P01'])

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && TRANSIENT.has(code)
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
  return {
    db,
    dialect,
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await runTransaction(db, work)
        } catch (error) {
          if (!isTransient(error) || attempt >= 5) throw error
          await new Promise((resolve) => setTimeout(resolve, attempt * 10 + Math.random() * 20))
        }
      }
    },
    snapshot: (work) => runTransaction(db, work, { snapshot: true }),
    secrets,
    close: () => db.destroy(),
  }
}

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
  return result
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
