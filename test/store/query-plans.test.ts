import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'
import { CamelCasePlugin, CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type CompiledQuery as Compiled, type Insertable } from 'kysely'
import { dialects, freshDatabaseUrl, type DialectName } from '../helpers/server.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import type { Database, EndpointServicesTable, EndpointsTable } from '../../src/store/schema.ts'
import { findOwnService, listServices } from '../../src/store/repos/services.ts'
import { findOwnEndpoint, listConnectionRows, listEndpointRows } from '../../src/store/repos/endpoints.ts'
import { listPermissions } from '../../src/store/repos/permissions.ts'
import { boundEndpointPage } from '../../src/store/repos/endpoint-pages.ts'
import type { Page, Scope } from '../../src/model/resources.ts'

/*
 * The list queries that grow with the data use their indexes. The SQL is exactly what the repository
 * functions send: they run against a second Kysely instance (same dialect, same CamelCasePlugin) whose
 * `log` hook records every compiled query, and each recorded query is then explained with its own
 * parameters: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL. The planners see a few thousand rows and
 * fresh statistics (ANALYZE); no planner setting is touched.
 */

const PROJECTS = 60
const PER_PROJECT = 50
const PERMISSIONS_PER_SERVICE = 3
const BUSY_WHITELIST = 600
const BUSY_SHARE = 20
const BIG_TABLES = ['endpoint_services', 'endpoints', 'service_permissions']

/** Deterministic, distinct, ordered times (so sorting has real work to do). */
const stamp = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString()

interface Seed {
  project: string
  service: string
}

async function seed(store: Store): Promise<Seed> {
  const services: Array<{ id: string; projectId: string }> = []
  const serviceRows: Array<Insertable<EndpointServicesTable>> = []
  for (let p = 0; p < PROJECTS; p++) {
    for (let i = 0; i < PER_PROJECT; i++) {
      const id = randomUUID()
      const projectId = `project${p}`
      services.push({ id, projectId })
      const n = i * PROJECTS + p
      serviceRows.push({
        id, projectId, accountId: `account${p}`, shortName: '', serviceName: `cn-north-4.${id}`, portId: randomUUID(), vpcId: randomUUID(),
        serverType: 'VM', serviceType: 'interface', approvalEnabled: 1, status: 'available', ip: '', tcpProxy: 'close', description: '',
        enablePolicy: 0, ipVersion: 'ipv4', snatNetworkId: '', ports: '[]', errors: '[]', createdAt: stamp(n), updatedAt: stamp(2 * n), transitionDueAt: null,
      })
    }
  }
  const endpointRows: Array<Insertable<EndpointsTable>> = []
  for (let p = 0; p < PROJECTS; p++) {
    for (let i = 0; i < PER_PROJECT; i++) {
      const n = i * PROJECTS + p
      // One endpoint in twenty connects to one busy service; the others spread over every service.
      const service = n % BUSY_SHARE === 0 ? services[0]! : services[(n * 7919) % services.length]!
      endpointRows.push({
        id: randomUUID(), projectId: `project${p}`, accountId: `account${p}`, serviceId: service.id, vpcId: randomUUID(), subnetId: randomUUID(),
        ip: '192.168.0.2', ipNumber: 3232235522, markerId: 16777216 + n, status: 'accepted', requiresApproval: 0, enableDns: 0, whitelist: '[]',
        enableWhitelist: 0, description: '', connectionDescription: '', routetables: '[]', policyStatement: '[]', policyDocument: null, errors: '[]',
        createdAt: stamp(n), updatedAt: stamp(3 * n), transitionDueAt: null,
      })
    }
  }
  // The busy service also has a long whitelist; the others a short one.
  const permissionRows = services.flatMap((service, s) =>
    Array.from({ length: s === 0 ? BUSY_WHITELIST : PERMISSIONS_PER_SERVICE }, (_, k) => ({
      id: randomUUID(), serviceId: service.id, permission: `iam:domain::a${s}x${k}`, permissionType: 'domainId', description: '', createdAt: stamp(s * PERMISSIONS_PER_SERVICE + k),
    })),
  )
  const chunks = <T>(rows: T[]) => Array.from({ length: Math.ceil(rows.length / 400) }, (_, i) => rows.slice(i * 400, (i + 1) * 400))
  await store.transaction(async (tx) => {
    for (const rows of chunks(serviceRows)) await tx.insertInto('endpointServices').values(rows).execute()
    for (const rows of chunks(endpointRows)) await tx.insertInto('endpoints').values(rows).execute()
    for (const rows of chunks(permissionRows)) await tx.insertInto('servicePermissions').values(rows).execute()
  })
  await store.db.executeQuery(CompiledQuery.raw('ANALYZE'))
  return { project: 'project7', service: services[0]!.id }
}

/** A Kysely over the same database that records the SQL of every query it runs. */
function recordingDb(dialect: DialectName, url: string, log: Compiled[]): { db: Kysely<Database>; close(): Promise<void> } {
  const kyselyDialect =
    dialect === 'sqlite'
      ? new SqliteDialect({ database: new SqliteDatabase(url.slice('sqlite:'.length)) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) })
  const db = new Kysely<Database>({
    dialect: kyselyDialect,
    plugins: [new CamelCasePlugin()],
    log: (event) => {
      if (event.level === 'query') log.push(event.query)
    },
  })
  return { db, close: () => db.destroy() }
}

/** The plan of one recorded query, one line per plan node. */
async function plan(store: Store, query: Compiled): Promise<string[]> {
  const prefix = store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN '
  const result = await store.db.executeQuery(CompiledQuery.raw(prefix + query.sql, [...query.parameters]))
  return (result.rows as Array<Record<string, unknown>>).map((row) => String(store.dialect === 'sqlite' ? row.detail : Object.values(row)[0]))
}

/** A line that reads a whole big table. SQLite: `SCAN t` without an index; PostgreSQL: `Seq Scan on t`. */
function fullScans(dialect: DialectName, lines: string[]): string[] {
  return lines.filter((line) =>
    BIG_TABLES.some((table) => (dialect === 'sqlite' ? new RegExp(`^SCAN ${table}(?! USING (COVERING )?INDEX)\\b`).test(line.trim()) : line.includes(`Seq Scan on ${table}`))),
  )
}

for (const dialect of dialects()) {
  describe(`query plans of the list queries [${dialect}]`, () => {
    let store: Store
    let recorder: { db: Kysely<Database>; close(): Promise<void> }
    /** `service` is the busy one: many connections, a long whitelist. */
    let seeded: Seed
    const log: Compiled[] = []

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      store = await openStore(url)
      seeded = await seed(store)
      recorder = recordingDb(dialect, url, log)
    })
    after(async () => {
      await recorder?.close()
      await store?.close()
    })

    /**
     * Runs `call` on the recording database and checks the plans of what it sent: its ordered page query
     * uses `index` without a separate sort, and no query reads a whole big table.
     */
    async function check(call: (db: Kysely<Database>) => Promise<unknown>, table: string, index: string): Promise<void> {
      log.length = 0
      await call(recorder.db)
      const page = log.find((q) => /order by/i.test(q.sql) && new RegExp(`from "${table}"`).test(q.sql))
      assert.ok(page, `a page query on ${table} among: ${log.map((q) => q.sql).join(' | ')}`)
      const pagePlan = await plan(store, page)
      const text = pagePlan.join('\n')
      if (dialect === 'sqlite') {
        assert.match(text, new RegExp(`SEARCH ${table} USING (COVERING )?INDEX ${index} \\(`), text)
        assert.doesNotMatch(text, /TEMP B-TREE/, `no sort step: ${text}`)
      } else {
        assert.match(text, new RegExp(`Index Scan( Backward)? using ${index} on ${table}`), text)
        assert.doesNotMatch(text, /^\s*(->\s*)?Sort\b/m, `no sort step: ${text}`)
      }
      for (const query of log) {
        const lines = await plan(store, query)
        assert.deepEqual(fullScans(dialect, lines), [], `${query.sql}\n${lines.join('\n')}`)
      }
    }

    const page = (sortKey: Page['sortKey']): Page => ({ limit: 10, offset: 0, sortKey, sortDir: 'desc' })
    const scope = (): Scope => ({ accountId: 'account7', projectId: seeded.project })

    it('lists services by project ordered by create_at on services_project_created', async () => {
      await check((db) => listServices(db, scope(), {}, page('create_at')), 'endpoint_services', 'services_project_created')
    })

    it('lists services by project ordered by update_at on services_project_updated', async () => {
      await check((db) => listServices(db, scope(), {}, page('update_at')), 'endpoint_services', 'services_project_updated')
    })

    it('lists endpoints by project on endpoints_project_created (and _updated)', async () => {
      await check((db) => listEndpointRows(db, scope(), {}, page('create_at')), 'endpoints', 'endpoints_project_created')
      await check((db) => listEndpointRows(db, scope(), {}, page('update_at')), 'endpoints', 'endpoints_project_updated')
    })

    it('pages endpoints on the driver path (SQLite\'s unfiltered list) by the same indexes', async () => {
      for (const [sortKey, index] of [['create_at', 'endpoints_project_created'], ['update_at', 'endpoints_project_updated']] as const) {
        const [count, rows, tags, forwarding] = boundEndpointPage(store.db, scope(), page(sortKey))
        for (const query of [count, rows, tags, forwarding]) {
          const lines = await plan(store, CompiledQuery.raw(query.sql, query.parameters))
          assert.deepEqual(fullScans(dialect, lines), [], `${query.sql}\n${lines.join('\n')}`)
          // The page's ids, selected for its rows, tags and reports alike, come from the index in order.
          const text = lines.join('\n')
          if (dialect === 'sqlite' && query !== count) {
            assert.match(text, new RegExp(`SEARCH endpoints USING (COVERING )?INDEX ${index} \\(`), text)
            assert.doesNotMatch(text, /TEMP B-TREE FOR ORDER BY/, text)
          }
          if (dialect === 'postgres' && query === rows) assert.match(text, new RegExp(`Index Scan( Backward)? using ${index} on endpoints`), text)
        }
      }
    })

    it('lists a service\'s connections on endpoints_service_created', async () => {
      await check((db) => listConnectionRows(db, seeded.service, {}, page('create_at')), 'endpoints', 'endpoints_service_created')
    })

    it('lists a service\'s whitelist on permissions_service_created', async () => {
      await check((db) => listPermissions(db, seeded.service, undefined, page('create_at')), 'service_permissions', 'permissions_service_created')
    })

    it('reads one service with its tags and connection count by keys alone (the GET every poller repeats)', async () => {
      log.length = 0
      const busy = await findOwnService(recorder.db, { accountId: 'account0', projectId: 'project0' }, seeded.service)
      assert.ok(busy && busy.connectionCount >= (PROJECTS * PER_PROJECT) / BUSY_SHARE)
      assert.equal(log.length, 1, 'one statement')
      const text = (await plan(store, log[0]!)).join('\n')
      assert.deepEqual(fullScans(dialect, text.split('\n')), [], text)
      if (dialect === 'sqlite') assert.match(text, /SEARCH endpoints USING COVERING INDEX endpoints_service_status \(service_id=\? AND status=\?\)/, text)
      else assert.match(text, /Index Only Scan using endpoints_service_status on endpoints|Index Scan using endpoints_service_status on endpoints|Bitmap Index Scan on endpoints_service_status/, text)
    })

    it('reads one endpoint with its service name and tags by keys alone', async () => {
      const [row] = await store.db.selectFrom('endpoints').select(['id', 'projectId']).where('projectId', '=', seeded.project).limit(1).execute()
      log.length = 0
      const endpoint = await findOwnEndpoint(recorder.db, { accountId: 'account7', projectId: row!.projectId }, row!.id, 'zone')
      assert.equal(endpoint?.id, row!.id)
      assert.ok(endpoint.serviceName.startsWith('cn-north-4.'))
      assert.equal(log.length, 1, 'one statement')
      const lines = await plan(store, log[0]!)
      assert.deepEqual(fullScans(dialect, lines), [], lines.join('\n'))
    })

    it('answers each list with the expected rows (the queries explained are the real ones)', async () => {
      const services = await listServices(recorder.db, scope(), {}, page('create_at'))
      assert.equal(services.totalCount, PER_PROJECT)
      assert.equal(services.items.length, 10)
      assert.ok(services.items.every((s) => s.projectId === seeded.project))
      assert.equal((await listEndpointRows(recorder.db, scope(), {}, page('create_at'))).totalCount, PER_PROJECT)
      assert.ok((await listConnectionRows(recorder.db, seeded.service, {}, page('create_at'))).totalCount >= (PROJECTS * PER_PROJECT) / BUSY_SHARE)
      assert.equal((await listPermissions(recorder.db, seeded.service, undefined, page('create_at'))).totalCount, BUSY_WHITELIST)
    })
  })
}
