import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'
import { availableService, settledNewEndpoint } from '../helpers/fixtures.ts'
import type { Executor } from '../../src/store/database.ts'
import { directSqliteOf } from '../../src/store/direct-sqlite.ts'
import { findOwnService, findOwnServiceRow } from '../../src/store/repos/services.ts'
import { findConnectionRow, findOwnEndpoint, listEndpointRows } from '../../src/store/repos/endpoints.ts'
import type { Scope } from '../../src/model/resources.ts'

/*
 * Prepared queries are compiled once by Kysely and then run two ways: on SQLite outside a transaction
 * straight on the driver (direct-sqlite.ts, with its read cache), everywhere else through Kysely. Each
 * case here runs both ways over the same data and must answer the same; on PostgreSQL both legs are
 * Kysely's, which still checks the prepared query against its rebuilt arguments.
 */

interface Seeded {
  provider: Scope
  consumer: Scope
  serviceId: string
  endpointId: string
}

const CASES: Array<{ name: string; read: (db: Executor, s: Seeded) => Promise<unknown> }> = [
  { name: 'a tagged service with its connection count', read: (db, s) => findOwnService(db, s.provider, s.serviceId) },
  { name: 'a service asked for from another project (absent)', read: (db, s) => findOwnService(db, s.consumer, s.serviceId) },
  { name: 'an unknown service (absent)', read: (db, s) => findOwnService(db, s.provider, randomUUID()) },
  { name: 'a service row', read: (db, s) => findOwnServiceRow(db, s.provider, s.serviceId) },
  { name: 'a tagged endpoint with its service name', read: (db, s) => findOwnEndpoint(db, s.consumer, s.endpointId, 'zone.example') },
  { name: 'an endpoint asked for from another project (absent)', read: (db, s) => findOwnEndpoint(db, s.provider, s.endpointId, 'zone.example') },
  { name: 'a connection row of the service', read: (db, s) => findConnectionRow(db, s.serviceId, s.endpointId) },
  { name: 'a connection of another service (absent)', read: (db, s) => findConnectionRow(db, randomUUID(), s.endpointId) },
  { name: 'an unfiltered endpoint page with its maintained total', read: (db, s) => listEndpointRows(db, s.consumer, {}, { limit: 10, offset: 0, sortKey: 'create_at', sortDir: 'desc' }) },
]

for (const dialect of dialects()) {
  describe(`prepared queries answer the same on every path [${dialect}]`, () => {
    let server: TestServer
    let seeded: Seeded

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { provisionDelayMs: 0 })
      const [providerAccount, consumerAccount] = await Promise.all([server.account('paths'), server.account('pathsconsumer')])
      const provider = sdkClient(server.url, providerAccount)
      const consumer = sdkClient(server.url, consumerAccount)
      const service = await availableService(provider, { approval_enabled: false, tags: [{ key: 'z', value: '1' }, { key: 'a', value: '2' }] })
      await provider.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumerAccount.domainId}`] })
      const endpoint = await settledNewEndpoint(consumer, { endpoint_service_id: service.id, tags: [{ key: 'k', value: 'v' }] })
      seeded = {
        provider: { accountId: providerAccount.domainId, projectId: providerAccount.projectId },
        consumer: { accountId: consumerAccount.domainId, projectId: consumerAccount.projectId },
        serviceId: service.id,
        endpointId: endpoint.id,
      }
    })
    after(() => server.stop())

    it('the direct leg really is direct on SQLite, and absent elsewhere', () => {
      assert.equal(directSqliteOf(server.store.db)?.usable === true, dialect === 'sqlite')
    })

    for (const { name, read } of CASES) {
      it(name, async () => {
        const outside = await read(server.store.db, seeded)
        const again = await read(server.store.db, seeded) // on SQLite, from the read cache when cacheable
        const inside = await server.store.transaction((tx) => read(tx, seeded))
        assert.deepEqual(again, outside)
        assert.deepEqual(inside, outside)
      })
    }

    it('the cases see data: the present ones are present', async () => {
      const service = await findOwnService(server.store.db, seeded.provider, seeded.serviceId)
      assert.deepEqual([service?.tags, service?.connectionCount], [[{ key: 'z', value: '1' }, { key: 'a', value: '2' }], 1])
      const endpoint = await findOwnEndpoint(server.store.db, seeded.consumer, seeded.endpointId, 'zone.example')
      assert.deepEqual(endpoint?.tags, [{ key: 'k', value: 'v' }])
    })
  })
}
