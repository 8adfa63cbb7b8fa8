import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { SUBNET, VPC } from '../helpers/fixtures.ts'
import { openStore, type Store } from '../../src/store/database.ts'

// Hot statements are kept prepared: by SQLite per connection, and on PostgreSQL as named statements whose
// plans the server keeps (postgres-statements.ts). A newer version's migration may add a column while
// this instance serves; PostgreSQL then refuses the kept plans of statements that read `*`. The decision
// and the reads after it must still answer, with the same fields as before.
for (const dialect of dialects()) {
  describe(`a column added while the server runs [${dialect}]`, () => {
    let server: TestServer
    let other: Store
    let sdk: TestVpcepClient
    let serviceId: string

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      server = await startServer(url, { provisionDelayMs: 0 })
      other = await openStore(url)
      sdk = sdkClient(server.url, await server.account('schema'))
      serviceId = (await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', approval_enabled: true, ports: [{ client_port: 80, server_port: 80 }] })).id
    })
    after(async () => {
      await other.close()
      await server.stop()
    })

    async function pendingEndpoint(): Promise<string> {
      const { id } = await sdk.createEndpoint({ endpoint_service_id: serviceId, vpc_id: VPC, subnet_id: SUBNET })
      await eventually(async () => ((await sdk.listEndpointInfoDetails(id)).status === 'pendingAcceptance' ? true : undefined), 'pendingAcceptance')
      return id
    }

    it('decisions and reads keep answering', async () => {
      // Every hot statement runs once before the change, so its plan is kept.
      const first = await pendingEndpoint()
      assert.equal((await sdk.acceptOrRejectEndpoint(serviceId, { action: 'receive', endpoints: [first] })).connections[0].status, 'accepted')
      const second = await pendingEndpoint()

      await sql`alter table endpoints add column added_by_a_newer_version text`.execute(other.db)

      const decided = await sdk.acceptOrRejectEndpoint(serviceId, { action: 'receive', endpoints: [second] })
      assert.equal(decided.connections[0].id, second)
      assert.equal(decided.connections[0].status, 'accepted')
      assert.equal(Object.hasOwn(decided.connections[0], 'added_by_a_newer_version'), false)
      const rejected = await sdk.acceptOrRejectEndpoint(serviceId, { action: 'reject', endpoints: [first] })
      assert.equal(rejected.connections[0].status, 'rejected')
      assert.equal((await sdk.listEndpointInfoDetails(second)).status, 'accepted')
      assert.equal((await sdk.listEndpointInfoDetails(first)).status, 'rejected')
      assert.equal((await sdk.listServiceDetails(serviceId)).connection_count, 1)
    })
  })
}
