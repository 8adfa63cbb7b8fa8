import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import { assertError } from '../helpers/errors.ts'
import { signedRequest } from '../helpers/signed.ts'
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
      const unknownToken = /^The requested resource does not exist\. The token does not exist, has expired or was revoked\.$/
      assertError(await tokenCall('GET', bobToken, token), 404, 'EndPoint.0005', unknownToken)
      assertError(await tokenCall('DELETE', bobToken, token), 404, 'EndPoint.0005', unknownToken)
      assert.equal((await listWithToken(token, alice)).status, 200)
      const revoke = await tokenCall('DELETE', other, token)
      assert.deepEqual([revoke.status, revoke.text], [204, ''])
      assertError(await listWithToken(token, alice), 401, 'EndPoint.0003')
      assertError(await tokenCall('DELETE', other, token), 404, 'EndPoint.0005', unknownToken)
      assertError(await tokenCall('DELETE', other, ''), 400, 'EndPoint.0002', /Give the token in the X-Subject-Token header\./)
    })

    it('rotating keys stops the old pair at once', async () => {
      const carol = await server.account('carol')
      const before = sdkClient(server.url, carol)
      assert.equal((await before.listEndpoints()).httpStatusCode, 200)
      const rotated = await rotateKeys(server.store, clock, carol.domainName)
      const refused = await sdkError(before.listEndpoints())
      assert.deepEqual([refused.httpStatusCode, refused.errorCode], [401, 'EndPoint.0003'])
      const after = sdkClient(server.url, { ...carol, accessKey: rotated.accessKey, secretKey: rotated.secretKey })
      assert.equal((await after.listEndpoints()).httpStatusCode, 200)
    })

    // Last in this describe: the clock only moves forward, and AK/SK dates are checked against it.
    it('expires tokens after 24 hours', async () => {
      const token = await login(server, alice)
      clock.advance(24 * 3600 * 1000 - 1000)
      assert.equal((await listWithToken(token, alice)).status, 200)
      clock.advance(2000)
      assertError(await listWithToken(token, alice), 401, 'EndPoint.0003')
    })
  })

  describe(`per-account rate limiting [${dialect}]`, () => {
    // The limiter reads the server's clock: frozen, no token refills between requests, so the counts are exact.
    const clock = new ManualClock()
    let server: TestServer
    let hasty: NewAccount
    let calm: NewAccount
    const list = (account: NewAccount) => signedRequest(server.url, account, { path: `/v1/${account.projectId}/vpc-endpoints` })
    const throttled = /^The number of requests exceeded the limit\. Please try later\. This account may send 2 requests per second \(bursts of 5\); retry in 1 s\.$/

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { rateLimit: { perSecond: 2, burst: 5 } }, clock)
      hasty = await server.account('hasty')
      calm = await server.account('calm')
    })
    after(() => server.stop())

    it('answers 429 EndPoint.0022 with Retry-After past the burst, refills at the rate, per account', async () => {
      clock.freeze()
      const statuses = []
      for (let i = 0; i < 8; i++) {
        const res = await list(hasty)
        statuses.push(res.status)
        if (res.status === 429) {
          assertError(res, 429, 'EndPoint.0022', throttled)
          assert.equal(res.headers['retry-after'], '1')
        }
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429])
      assert.equal((await list(calm)).status, 200, 'another account has its own bucket')
      // Half a second at 2/s is one token: one more request, then refused again.
      clock.step(500)
      assert.equal((await list(hasty)).status, 200)
      assertError(await list(hasty), 429, 'EndPoint.0022', throttled)
    })

    it('refuses unauthenticated requests before any bucket is touched: failed ones leave the account its burst', async () => {
      clock.freeze()
      const victim = await server.account('victim')
      const wrongSecret = { ...victim, secretKey: `${victim.secretKey}x` }
      for (let i = 0; i < 8; i++) assertError(await list(wrongSecret), 401, 'EndPoint.0003', /The signature does not match\./)
      const garbageToken = await httpRequest(`${server.url}/v1/${victim.projectId}/vpc-endpoints`, { headers: { 'x-auth-token': 'nope' } })
      assertError(garbageToken, 401, 'EndPoint.0003')
      // Time stood still throughout: the whole burst of 5 is still there.
      for (let i = 0; i < 5; i++) assert.equal((await list(victim)).status, 200, `request ${i + 1} of the burst`)
      assertError(await list(victim), 429, 'EndPoint.0022', throttled)
    })
  })
}
