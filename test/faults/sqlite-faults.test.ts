import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import SqliteDatabase from 'better-sqlite3'
import { sql } from 'kysely'
import { freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { sdkClient, sdkError, type TestVpcepClient } from '../helpers/vpcep-sdk.ts'

const VPC = '4189d3c2-8882-4871-a3c2-d380272eed80'
const newService = (sdk: TestVpcepClient) => sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }] })

describe('SQLite faults: a locked database and a full disk answer 503, corrupt nothing, and pass by themselves', () => {
  let server: TestServer
  let sdk: TestVpcepClient
  let file: string

  before(async () => {
    const url = await freshDatabaseUrl('sqlite')
    file = url.slice('sqlite:'.length)
    server = await startServer(url, { quotas: { endpointService: 100_000, endpoint: 50 } })
    sdk = sdkClient(server.url, await server.account('faults'))
    // The server's only connection: a short busy timeout keeps the locked case quick.
    await sql`PRAGMA busy_timeout = 200`.execute(server.store.db)
  })
  after(() => server.stop())

  const integrity = () => {
    const reader = new SqliteDatabase(file, { readonly: true })
    try {
      return reader.pragma('integrity_check', { simple: true })
    } finally {
      reader.close()
    }
  }

  it('answers 503 while another process holds the write lock, and writes again once it lets go', async () => {
    const kept = await newService(sdk)
    const other = new SqliteDatabase(file)
    other.exec('BEGIN EXCLUSIVE')
    try {
      const refused = await sdkError(newService(sdk))
      assert.deepEqual([refused.httpStatusCode, refused.errorCode], [503, 'EndPoint.0001'])
      // Readers are not blocked in WAL mode.
      assert.equal((await sdk.listServiceDetails(kept.id)).id, kept.id)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    const after = await newService(sdk)
    assert.equal(after.httpStatusCode, 200)
    assert.equal(integrity(), 'ok')
  })

  it('answers 503 when the disk is full, keeps what was written, and writes again when space returns', async () => {
    const before = await sdk.listEndpointService({ limit: 1000 })
    const pages = Number((await sql<{ n: number }>`select page_count as n from pragma_page_count()`.execute(server.store.db)).rows[0]!.n)
    assert.ok(pages > 0)
    // A size-limited file: the database may not grow past a few more pages.
    await sql.raw(`PRAGMA max_page_count = ${pages + 2}`).execute(server.store.db)
    let refused: Awaited<ReturnType<typeof sdkError>> | undefined
    let written = 0
    try {
      for (let i = 0; i < 500 && !refused; i++) {
        try {
          await sdk.createEndpointService({ port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 80, server_port: 80 }], description: 'x'.repeat(500) })
          written++
        } catch (error) {
          refused = await sdkError(Promise.reject(error))
        }
      }
      assert.ok(refused, 'the database filled up')
      assert.deepEqual([refused.httpStatusCode, refused.errorCode], [503, 'EndPoint.0001'])
      const during = await sdk.listEndpointService({ limit: 1000 })
      assert.equal(during.total_count, before.total_count + written, 'every acknowledged create is there, the refused one is not')
    } finally {
      await sql.raw('PRAGMA max_page_count = 1073741823').execute(server.store.db)
    }
    assert.equal((await newService(sdk)).httpStatusCode, 200)
    assert.equal(integrity(), 'ok')
  })
})
