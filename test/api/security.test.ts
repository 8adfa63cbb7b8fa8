import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { sdkClient, sdkError } from '../helpers/vpcep-sdk.ts'
import { ManualClock } from '../helpers/fixtures.ts'
import { rotateKeys, type NewAccount } from '../../src/identity/accounts.ts'

async function login(server: TestServer, account: NewAccount): Promise<string> {
  const res = await httpRequest(`${server.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: account.userName, password: account.password, domain: { name: account.domainName } } } }, scope: { project: { id: account.projectId } } } }),
  })
  assert.equal(res.status, 201)
  return String(res.headers['x-subject-token'])
}

for (const dialect of dialects()) {
  describe(`authentication hardening [${dialect}]`, () => {
    let server: TestServer
    let alice: NewAccount
    let bob: NewAccount
    const clock = new ManualClock()
    const listWithToken = (token: string, account: NewAccount) =>
      httpRequest(`${server.url}/v1/${account.projectId}/vpc-endpoint-services`, { headers: { 'x-auth-token': token } })
    const tokenCall = (method: string, caller: string, subject: string) =>
      httpRequest(`${server.url}/v3/auth/tokens`, { method, headers: { 'x-auth-token': caller, 'x-subject-token': subject } })

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), {}, clock)
      alice = await server.account('alice')
      bob = await server.account('bob')
    })
    after(() => server.stop())

    it('stores secret keys encrypted, never in clear', async () => {
      const rows = await server.store.db.selectFrom('credentials').select(['accessKey', 'secretKey']).where('accessKey', '=', alice.accessKey).execute()
      assert.equal(rows.length, 1)
      assert.match(rows[0]!.secretKey, /^enc1:/)
      assert.ok(!rows[0]!.secretKey.includes(alice.secretKey))
      const users = await server.store.db.selectFrom('users').select('passwordHash').where('accountId', '=', alice.domainId).execute()
      assert.match(users[0]!.passwordHash, /^scrypt\$/)
      assert.ok(!users[0]!.passwordHash.includes(alice.password))
    })

    it('validates and revokes tokens; a revoked token stops working at once', async () => {
      const token = await login(server, alice)
      const other = await login(server, alice)
      assert.equal((await listWithToken(token, alice)).status, 200)
      const described = await tokenCall('GET', other, token)
      assert.equal(described.status, 200)
      assert.equal(described.json.token.project.id, alice.projectId)
      // Another account can neither see nor revoke it.
      const bobToken = await login(server, bob)
      assert.equal((await tokenCall('GET', bobToken, token)).status, 404)
      assert.equal((await tokenCall('DELETE', bobToken, token)).status, 404)
      assert.equal((await listWithToken(token, alice)).status, 200)
      assert.equal((await tokenCall('DELETE', other, token)).status, 204)
      const revoked = await listWithToken(token, alice)
      assert.deepEqual([revoked.status, revoked.json.error_code], [401, 'EndPoint.0003'])
      assert.equal((await tokenCall('DELETE', other, token)).status, 404)
      assert.equal((await tokenCall('DELETE', other, '')).status, 400)
    })

    it('rotating keys stops the old pair at once', async () => {
      const carol = await server.account('carol')
      const before = sdkClient(server.url, carol)
      assert.equal((await before.listEndpoints()).httpStatusCode, 200)
      const rotated = await rotateKeys(server.store, clock, carol.domainName)
      assert.deepEqual([(await sdkError(before.listEndpoints())).httpStatusCode], [401])
      const after = sdkClient(server.url, { ...carol, accessKey: rotated.accessKey, secretKey: rotated.secretKey })
      assert.equal((await after.listEndpoints()).httpStatusCode, 200)
    })

    // Last in this describe: the clock only moves forward, and AK/SK dates are checked against it.
    it('expires tokens after 24 hours', async () => {
      const token = await login(server, alice)
      clock.advance(24 * 3600 * 1000 - 1000)
      assert.equal((await listWithToken(token, alice)).status, 200)
      clock.advance(2000)
      assert.equal((await listWithToken(token, alice)).status, 401)
    })
  })

  describe(`per-account rate limiting [${dialect}]`, () => {
    it('answers 429 EndPoint.0022 with Retry-After past the limit, per account', async () => {
      const server = await startServer(await freshDatabaseUrl(dialect), { rateLimit: { perSecond: 2, burst: 5 } })
      try {
        const hasty = sdkClient(server.url, await server.account('hasty'))
        const calm = sdkClient(server.url, await server.account('calm'))
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => hasty.listEndpoints()))
        const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)
        assert.equal(results.length - refused.length, 5)
        for (const error of refused) assert.deepEqual([error.httpStatusCode, error.errorCode], [429, 'EndPoint.0022'])
        const raw = await httpRequest(`${server.url}/v1/x/vpc-endpoints`, { headers: { 'x-auth-token': 'nope' } })
        assert.equal(raw.status, 401, 'unauthenticated requests are refused before any bucket is touched')
        assert.equal((await calm.listEndpoints()).httpStatusCode, 200, 'another account has its own bucket')
      } finally {
        await server.stop()
      }
    })
  })
}
