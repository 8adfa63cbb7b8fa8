import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { SUBNET, VPC } from '../helpers/fixtures.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { createAccount, type NewAccount } from '../../src/identity/accounts.ts'
import { systemClock } from '../../src/domain/clock.ts'
import { findOwnService } from '../../src/store/repos/services.ts'

// Hot reads (credentials, tokens, one service) may be answered from memory on SQLite until the database
// changes. These tests change the database every way it can change and read right after: through the API,
// through another connection (as the CLI does, from another process), and inside a transaction that
// rolls back. The same answers are expected on PostgreSQL, where remembered reads are checked against the
// server's snapshot (remembered-postgres.ts).
for (const dialect of dialects()) {
  describe(`hot reads see every committed change [${dialect}]`, () => {
    let server: TestServer
    let other: Store
    let account: NewAccount
    let sdk: TestVpcepClient
    let serviceId: string

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      server = await startServer(url, { provisionDelayMs: 0 })
      other = await openStore(url)
      account = await server.account('cache')
      sdk = sdkClient(server.url, account)
      const created = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }], tags: [{ key: 'k', value: 'v1' }] })
      serviceId = created.id
    })
    after(async () => {
      await other.close()
      await server.stop()
    })

    const scope = () => ({ accountId: account.domainId, projectId: account.projectId })

    it('a change committed by another connection shows in the next read', async () => {
      assert.deepEqual((await sdk.listServiceDetails(serviceId)).tags, [{ key: 'k', value: 'v1' }])
      await other.db.updateTable('tags').set({ value: 'v2' }).where('resourceId', '=', serviceId).execute()
      assert.deepEqual((await sdk.listServiceDetails(serviceId)).tags, [{ key: 'k', value: 'v2' }])
      await other.db.updateTable('endpointServices').set({ description: 'changed elsewhere' }).where('id', '=', serviceId).execute()
      assert.equal((await sdk.listServiceDetails(serviceId)).description, 'changed elsewhere')
    })

    it('an endpoint changed by another connection shows its new status and tags in the next read', async () => {
      const endpoint = await sdk.createEndpoint({ endpoint_service_id: serviceId, vpc_id: VPC, subnet_id: SUBNET, tags: [{ key: 'e', value: '1' }] })
      const seen = await sdk.listEndpointInfoDetails(endpoint.id)
      assert.deepEqual(seen.tags, [{ key: 'e', value: '1' }])
      await other.db.updateTable('tags').set({ value: '2' }).where('resourceId', '=', endpoint.id).execute()
      await other.db.updateTable('endpoints').set({ status: 'rejected' }).where('id', '=', endpoint.id).execute()
      const after = await sdk.listEndpointInfoDetails(endpoint.id)
      assert.deepEqual(after.tags, [{ key: 'e', value: '2' }])
      assert.equal(after.status, 'rejected')
      assert.equal(after.endpoint_service_name, seen.endpoint_service_name)
    })

    it('a change made through the API shows in the next read', async () => {
      await sdk.listServiceDetails(serviceId)
      await sdk.updateEndpointService(serviceId, { description: 'changed here' })
      assert.equal((await sdk.listServiceDetails(serviceId)).description, 'changed here')
    })

    it('an access key deleted or restored by another connection counts from the next request', async () => {
      const newcomer = await createAccount(other, systemClock, server.config.region, `newcomer${process.pid}`)
      const newcomerSdk = sdkClient(server.url, newcomer)
      await newcomerSdk.listEndpointService()
      const credential = await other.db.selectFrom('credentials').selectAll().where('accessKey', '=', newcomer.accessKey).executeTakeFirstOrThrow()
      await other.db.deleteFrom('credentials').where('accessKey', '=', newcomer.accessKey).execute()
      const refused = await sdkError(newcomerSdk.listEndpointService())
      assert.equal(refused.httpStatusCode, 401)
      assert.equal(refused.errorCode, 'EndPoint.0003')
      // Unknown a moment ago, known again now: a remembered "no such key" must not outlive the change.
      await other.db.insertInto('credentials').values(credential).execute()
      await newcomerSdk.listEndpointService()
    })

    it('a read during a transaction that rolls back never sees its change', async () => {
      const before = await findOwnService(server.store.db, scope(), serviceId)
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      let changed!: () => void
      const changeMade = new Promise<void>((resolve) => (changed = resolve))
      const rolledBack = server.store
        .transaction(async (tx) => {
          await tx.updateTable('endpointServices').set({ description: 'never committed' }).where('id', '=', serviceId).execute()
          changed()
          await gate
          throw new Error('roll back')
        })
        .catch((error: Error) => error.message)
      await changeMade
      const during = findOwnService(server.store.db, scope(), serviceId)
      release()
      assert.equal(await rolledBack, 'roll back')
      assert.equal((await during)?.description, before?.description)
      assert.equal((await findOwnService(server.store.db, scope(), serviceId))?.description, before?.description)
    })

    it('a caller changing what one read returned does not change what the next read returns', async () => {
      const first = await findOwnService(server.store.db, scope(), serviceId)
      assert.ok(first)
      first.tags.push({ key: 'mutated', value: 'x' })
      first.ports.length = 0
      const second = await findOwnService(server.store.db, scope(), serviceId)
      assert.deepEqual(second?.tags, [{ key: 'k', value: 'v2' }])
      assert.equal(second?.ports.length, 1)
    })
  })
}
