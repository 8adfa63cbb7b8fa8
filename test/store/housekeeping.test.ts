import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { ManualClock, VPC } from '../helpers/fixtures.ts'
import { httpRequest } from '../helpers/http.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

for (const dialect of dialects()) {
  describe(`housekeeping: outbox retention and expired tokens [${dialect}]`, () => {
    const clock = new ManualClock()
    let server: TestServer
    let sdk: TestVpcepClient
    let account: NewAccount

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { eventRetentionHours: 24 }, clock)
      account = await server.account('keeper')
      sdk = sdkClient(server.url, account)
    })
    after(() => server.stop())

    const eventsOf = (id: string) => server.store.db.selectFrom('events').select('type').where('resourceId', '=', id).execute()

    it('prunes events past their retention and keeps the recent ones', async () => {
      const old = await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] })
      await eventually(async () => ((await eventsOf(old.id)).length === 2 ? true : undefined), 'created and available events')
      clock.advance(25 * 3600 * 1000)
      // The server's clock is a day ahead now, so signatures dated by the real clock are refused: use a token.
      const login = await httpRequest(`${server.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } } } }),
      })
      const created = await httpRequest(`${server.url}/v1/${account.projectId}/vpc-endpoint-services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': String(login.headers['x-subject-token']) },
        body: JSON.stringify({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] }),
      })
      assert.equal(created.status, 200)
      const recent = created.json as { id: string }
      await eventually(async () => ((await eventsOf(recent.id)).length === 2 ? true : undefined), 'recent events')
      await server.app.reconciler.runOnce()
      assert.deepEqual(await eventsOf(old.id), [])
      assert.equal((await eventsOf(recent.id)).length, 2)
      // The resources themselves are untouched: only their history ages out.
      const rows = await server.store.db.selectFrom('endpointServices').select('status').where('id', '=', old.id).execute()
      assert.deepEqual(rows, [{ status: 'available' }])
    })
  })
}
