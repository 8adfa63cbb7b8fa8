import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { signedRequest } from '../helpers/signed.ts'
import { assertError } from '../helpers/errors.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { resolveMasterKey } from '../../src/store/secrets.ts'

/*
 * SECURITY.md's smaller promises: no answer may be sniffed as another type; the admin API says nothing
 * to a caller without its token, not even that a body is malformed; the SQLite files are owner-only.
 */

const ADMIN_TOKEN = 'admin-token-for-hardening-tests-0123'

for (const dialect of dialects()) {
  describe(`hardening of answers and the admin API [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { adminToken: ADMIN_TOKEN })
      account = await server.account('hardening')
    })
    after(() => server.stop())

    it('marks every answer X-Content-Type-Options: nosniff (success, errors, probes, console)', async () => {
      const answers = [
        await signedRequest(server.url, account, { path: `/v1/${account.projectId}/vpc-endpoint-services` }),
        await httpRequest(`${server.url}/v1/${account.projectId}/vpc-endpoint-services`),
        await httpRequest(`${server.url}/no/such/path`),
        await httpRequest(`${server.url}/healthz`),
        await httpRequest(`${server.url}/console/`),
      ]
      assert.deepEqual(answers.map((res) => res.status), [200, 401, 404, 200, 200])
      for (const res of answers) assert.equal(res.headers['x-content-type-options'], 'nosniff', String(res.status))
    })

    it('checks the admin token before it reads the body: 401, not 400, for a malformed body without it', async () => {
      const malformed = { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"mode": ' }
      assertError(await httpRequest(`${server.url}/admin/v1/transitions/endpoint`, malformed), 401, 'EndPoint.0003')
      const withToken = await httpRequest(`${server.url}/admin/v1/transitions/endpoint`, { ...malformed, headers: { ...malformed.headers, 'x-admin-token': ADMIN_TOKEN } })
      assertError(withToken, 400, 'EndPoint.0002')
    })

    it('refuses admin tokens of every length but the right one', async () => {
      for (const token of ['a', ADMIN_TOKEN.slice(0, -1), `${ADMIN_TOKEN}x`, ADMIN_TOKEN.toUpperCase()]) {
        const res = await httpRequest(`${server.url}/admin/v1/transitions`, { headers: { 'x-admin-token': token } })
        assertError(res, 401, 'EndPoint.0003')
      }
      assert.equal((await httpRequest(`${server.url}/admin/v1/transitions`, { headers: { 'x-admin-token': ADMIN_TOKEN } })).status, 200)
    })
  })
}

// File modes concern SQLite alone: a PostgreSQL server keeps no database file here.
describe('SQLite files are owner-only', () => {
  let server: TestServer
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-modes-')), 'new', 'data')
  before(async () => {
    server = await startServer(`sqlite:${path.join(dir, 'vpcep.db')}`)
    await server.account('modes') // a write, so the WAL exists
  })
  after(() => server.stop())

  const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8)

  it('creates the folder 0700 and the database, its WAL and shared-memory files 0600', () => {
    assert.equal(mode(dir), '700')
    for (const file of ['vpcep.db', 'vpcep.db-wal', 'vpcep.db-shm']) assert.equal(mode(path.join(dir, file)), '600', file)
  })

  it('creates master.key 0600 when no VPCEP_MASTER_KEY is set', () => {
    resolveMasterKey(`sqlite:${path.join(dir, 'vpcep.db')}`, {})
    assert.equal(mode(path.join(dir, 'master.key')), '600')
  })
})
