import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'
import { httpRequest } from '../helpers/http.ts'
import { VPC } from '../helpers/fixtures.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import pg from 'pg'
import { openStore, type Store } from '../../src/store/database.ts'
import { RememberedPostgres } from '../../src/store/remembered-postgres.ts'

// Two instances over one database, each with its own connections and its own remembered reads. A write
// acknowledged by one must show in a read through the other that starts after the acknowledgement, while
// the other keeps its cache warm with reads of its own (so checks are on the wire when the write lands).
for (const dialect of dialects()) {
  describe(`a write through one instance reads back through another at once [${dialect}]`, () => {
    let writer: TestServer
    let reader: TestServer
    let account: NewAccount
    let viaWriter: TestVpcepClient
    let viaReader: TestVpcepClient
    let serviceId: string

    before(async () => {
      const url = await freshDatabaseUrl(dialect)
      writer = await startServer(url, { provisionDelayMs: 0 })
      reader = await startServer(url, { provisionDelayMs: 0 })
      account = await writer.account('instances')
      viaWriter = sdkClient(writer.url, account)
      viaReader = sdkClient(reader.url, account)
      serviceId = (await viaWriter.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] })).id
    })
    after(async () => {
      await reader.stop()
      await writer.stop()
    })

    /** Reads through the reader without pause until `stop` resolves, keeping its remembered rows in use. */
    function keepReading(stop: Promise<void>): Promise<void> {
      let stopped = false
      void stop.then(() => (stopped = true))
      const loop = async () => {
        while (!stopped) await viaReader.listServiceDetails(serviceId)
      }
      return Promise.all([loop(), loop(), loop()]).then(() => {})
    }

    it('every acknowledged change of a service shows in the next read through the other instance', async () => {
      let done!: () => void
      const background = keepReading(new Promise<void>((resolve) => (done = resolve)))
      try {
        for (let i = 0; i < 30; i++) {
          await viaWriter.updateEndpointService(serviceId, { description: `change ${i}` })
          assert.equal((await viaReader.listServiceDetails(serviceId)).description, `change ${i}`)
        }
      } finally {
        done()
        await background
      }
    })

    it('reads started together right after a change all see it', async () => {
      await viaReader.listServiceDetails(serviceId)
      await viaWriter.updateEndpointService(serviceId, { description: 'seen by all' })
      const seen = await Promise.all(Array.from({ length: 20 }, () => viaReader.listServiceDetails(serviceId)))
      assert.deepEqual(seen.map((s) => s.description), seen.map(() => 'seen by all'))
    })

    it('a token revoked through one instance is refused by the other at once', async () => {
      const issued = await httpRequest(`${writer.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } }, scope: { project: { id: account.projectId } } } }),
      })
      assert.equal(issued.status, 201, issued.text)
      const token = String(issued.headers['x-subject-token'])
      const list = () => httpRequest(`${reader.url}/v1/${account.projectId}/vpc-endpoint-services`, { headers: { 'x-auth-token': token } })
      assert.equal((await list()).status, 200)
      assert.equal((await list()).status, 200)
      const revoked = await httpRequest(`${writer.url}/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token, 'x-subject-token': token } })
      assert.equal(revoked.status, 204, revoked.text)
      const refused = await list()
      assert.equal(refused.status, 401, refused.text)
    })

    it('a service deleted through one instance reads as deleting or gone through the other at once', async () => {
      const doomed = (await viaWriter.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 81, server_port: 81 }] })).id
      await viaReader.listServiceDetails(doomed)
      await viaReader.listServiceDetails(doomed)
      await viaWriter.deleteEndpointService(doomed)
      // Deletion is `deleting` first; the reconciler (of either instance) may already have removed the row.
      const seen = await viaReader.listServiceDetails(doomed).then(
        (service) => service.status,
        async (error: unknown) => (await sdkError(Promise.reject(error))).httpStatusCode,
      )
      assert.ok(seen === 'deleting' || seen === 404, `read after the delete: ${String(seen)}`)
    })
  })
}

// The case the HTTP tests above can only hope to meet: a snapshot check already on the wire when another
// instance's write is acknowledged. Its answer may predate the write, so a read that begins after the
// acknowledgement must not be answered from it. The answer of the real check is held back here (a slow
// network), which makes the order certain.
for (const dialect of dialects()) {
  describe(`a snapshot check on the wire before a write does not answer a read that began after it [${dialect}]`, () => {
    const onlyPostgres = dialect !== 'postgres' && 'only PostgreSQL stores are checked against a snapshot'
    let reader: Store
    let writer: Store
    let checks: pg.Pool

    before(async () => {
      if (onlyPostgres) return
      const url = await freshDatabaseUrl('postgres')
      checks = new pg.Pool({ connectionString: url, max: 2 })
      reader = await openStore(url)
      writer = await openStore(url)
      await writer.db.insertInto('tags').values({ resourceType: 'probe', resourceId: 'r', projectId: 'p', key: 'k', value: 'before', position: 0 }).execute()
    })
    after(async () => {
      if (onlyPostgres) return
      await writer.close()
      await reader.close()
      await checks.end()
    })

    it('waits for a check sent after the read began', { skip: onlyPostgres }, async () => {
      const held: Array<() => void> = []
      let holding = false
      const pool = {
        query: async (text: string) => {
          const answer = await checks.query(text)
          if (holding) await new Promise<void>((release) => held.push(release))
          return answer
        },
      }
      const remembered = new RememberedPostgres(pool as unknown as pg.Pool)
      const query = reader.db.selectFrom('tags').select('value').where('resourceId', '=', 'r').compile()
      const read = async () => (await remembered.execute(reader.db, query, query.parameters)).rows[0]?.value
      assert.equal(await read(), 'before')
      assert.equal(await read(), 'before')
      holding = true
      const early = read()
      // The early read's check has been sent and answered (held back): its snapshot predates the write.
      while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      await writer.db.updateTable('tags').set({ value: 'after' }).where('resourceId', '=', 'r').execute()
      holding = false
      const late = read()
      held.forEach((release) => release())
      assert.equal(await late, 'after')
      assert.ok(['before', 'after'].includes(String(await early)))
    })
  })
}
