import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'
import { availableService, settledNewEndpoint } from '../helpers/fixtures.ts'
import { directSqliteOf } from '../../src/store/direct-sqlite.ts'
import { endpointPageOf, listOwnEndpoints } from '../../src/store/repos/endpoint-pages.ts'
import { saveForwarding } from '../../src/store/repos/forwarding.ts'
import { openStore } from '../../src/store/database.ts'
import type { Forwarding, Page, Scope } from '../../src/model/resources.ts'

/*
 * The unfiltered endpoint list has a path of its own on SQLite (four reads on the driver, synchronously, in
 * one read transaction); everything else reads the same parts through Kysely. Both must build the same
 * page: same rows in the same order, service names, tags in written order, the data plane's report on
 * accepted endpoints only, the total.
 */

const ZONE = 'zone.example'

function report(connections: number): Forwarding {
  return {
    state: 'forwarding',
    message: '',
    proxyProtocol: 'close',
    listeners: [{ protocol: 'TCP', clientPort: 80, listen: '127.0.9.1:80', backend: '127.0.0.1:8080' }],
    activeConnections: connections,
    connectionsTotal: connections * 2,
    refusedTotal: 1,
    bytesIn: 10,
    bytesOut: 20,
    updatedAt: '2026-12-07T00:00:00Z',
  }
}

for (const dialect of dialects()) {
  describe(`the endpoint page on every path [${dialect}]`, () => {
    let server: TestServer
    let consumer: Scope
    const ids: { accepted: string[]; pending: string } = { accepted: [], pending: '' }

    let url: string

    before(async () => {
      url = await freshDatabaseUrl(dialect)
      server = await startServer(url, { provisionDelayMs: 0 })
      const [providerAccount, consumerAccount] = await Promise.all([server.account('pages'), server.account('pagesconsumer')])
      const provider = sdkClient(server.url, providerAccount)
      const client = sdkClient(server.url, consumerAccount)
      const open = await availableService(provider, { approval_enabled: false })
      const guarded = await availableService(provider, { approval_enabled: true })
      for (const service of [open, guarded]) {
        await provider.addOrRemoveServicePermissions(service.id, { action: 'add', permissions: [`iam:domain::${consumerAccount.domainId}`] })
      }
      for (let i = 0; i < 3; i++) {
        const endpoint = await settledNewEndpoint(client, { endpoint_service_id: open.id, tags: [{ key: `z${i}`, value: 'last' }, { key: 'a', value: `${i}` }] })
        ids.accepted.push(endpoint.id)
      }
      ids.pending = (await settledNewEndpoint(client, { endpoint_service_id: guarded.id })).id
      consumer = { accountId: consumerAccount.domainId, projectId: consumerAccount.projectId }
      await saveForwarding(server.store.db, ids.accepted[1]!, report(3))
      await saveForwarding(server.store.db, ids.pending, report(5)) // a stale report of one that no longer forwards
    })
    after(() => server.stop())

    const pages: Page[] = [
      { limit: 10, offset: 0, sortKey: 'create_at', sortDir: 'desc' },
      { limit: 2, offset: 1, sortKey: 'create_at', sortDir: 'asc' },
      { limit: 3, offset: 0, sortKey: 'update_at', sortDir: 'desc' },
      { limit: 10, offset: 4, sortKey: 'update_at', sortDir: 'asc' },
    ]

    it('the unfiltered list takes the driver on SQLite', () => {
      assert.equal(directSqliteOf(server.store.db)?.usable === true, dialect === 'sqlite')
    })

    for (const page of pages) {
      it(`builds the same page both ways: limit ${page.limit} offset ${page.offset} by ${page.sortKey} ${page.sortDir}`, async () => {
        const listed = await listOwnEndpoints(server.store, consumer, {}, page, ZONE)
        const again = await listOwnEndpoints(server.store, consumer, {}, page, ZONE)
        const throughKysely = await server.store.transaction((tx) => endpointPageOf(tx, consumer, {}, page, ZONE))
        assert.deepEqual(listed, throughKysely)
        assert.deepEqual(again, listed)
      })
    }

    it('the page has what both paths must agree on', async () => {
      const { items, totalCount } = await listOwnEndpoints(server.store, consumer, {}, pages[1]!, ZONE)
      assert.equal(totalCount, 4)
      assert.deepEqual(items.map((e) => e.id), [ids.accepted[1], ids.accepted[2]])
      assert.deepEqual(items[0]!.tags, [{ key: 'z1', value: 'last' }, { key: 'a', value: '1' }])
      assert.ok(items[0]!.serviceName.length > 0)
      assert.deepEqual(items[0]!.forwarding, report(3))
      assert.equal(items[1]!.forwarding, undefined)
      const all = await listOwnEndpoints(server.store, consumer, {}, pages[0]!, ZONE)
      const pending = all.items.find((e) => e.id === ids.pending)
      assert.equal(pending?.status, 'pendingAcceptance')
      assert.equal(pending?.forwarding, undefined, 'only accepted endpoints carry a report')
    })

    it('a list repeated after a write shows the write', async () => {
      const page = pages[0]!
      await listOwnEndpoints(server.store, consumer, {}, page, ZONE)
      await saveForwarding(server.store.db, ids.accepted[1]!, report(7))
      const { items } = await listOwnEndpoints(server.store, consumer, {}, page, ZONE)
      assert.equal(items.find((e) => e.id === ids.accepted[1])?.forwarding?.activeConnections, 7)
    })

    it('a list repeated after another connection commits (the CLI, another process) shows the commit', async () => {
      const page = pages[0]!
      await listOwnEndpoints(server.store, consumer, {}, page, ZONE)
      const other = await openStore(url)
      try {
        await saveForwarding(other.db, ids.accepted[1]!, report(9))
        await other.db.deleteFrom('tags').where('resourceId', '=', ids.accepted[0]!).where('key', '=', 'a').execute()
      } finally {
        await other.close()
      }
      const { items } = await listOwnEndpoints(server.store, consumer, {}, page, ZONE)
      assert.equal(items.find((e) => e.id === ids.accepted[1])?.forwarding?.activeConnections, 9)
      assert.deepEqual(items.find((e) => e.id === ids.accepted[0])?.tags, [{ key: 'z0', value: 'last' }])
    })
  })
}
