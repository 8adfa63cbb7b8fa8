import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, security, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest, type HttpResult } from '../helpers/http.ts'
import { signedRequest } from '../helpers/signed.ts'
import { assertError } from '../helpers/errors.ts'
import { ManualClock } from '../helpers/fixtures.ts'
import { sdkClient } from '../helpers/vpcep-sdk.ts'
import { loadConfig } from '../../src/config.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * SECURITY.md: "guessing is slowed". Failed sign-ins count per user and per source address, failed
 * signatures per access key; past the allowance each failure doubles the wait (429 EndPoint.0022 with
 * Retry-After). The server's clock is frozen and moved by hand, so waits are exact. Each test sends from
 * an address of its own in 127.0.0.0/8: addresses have allowances too.
 */

const FAILURES = loadConfig({}).security.authThrottle.failuresBeforeBackoff

function signIn(server: TestServer, from: string, login: { domain: string; user: string; password: string }): Promise<HttpResult> {
  const body = { auth: { identity: { methods: ['password'], password: { user: { name: login.user, password: login.password, domain: { name: login.domain } } } } } }
  return httpRequest(`${server.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), localAddress: from })
}

const right = (account: NewAccount) => ({ domain: account.domainName, user: account.userName, password: account.password })
const wrong = (account: NewAccount) => ({ ...right(account), password: 'not-the-password' })

function assertWait(res: HttpResult, seconds: number): void {
  assertError(res, 429, 'EndPoint.0022', /Too many failed/)
  assert.equal(res.headers['retry-after'], String(seconds))
}

for (const dialect of dialects()) {
  describe(`guessing is slowed, on by default [${dialect}]`, () => {
    let server: TestServer
    const clock = new ManualClock()

    before(async () => {
      clock.freeze()
      server = await startServer(await freshDatabaseUrl(dialect), {}, clock)
    })
    after(() => server.stop())

    it(`answers ${FAILURES} wrong passwords with 401, then makes the user wait even with the right one; a success resets`, async () => {
      const alice = await server.account('alice')
      for (let i = 0; i < FAILURES; i++) assertError(await signIn(server, '127.0.0.11', wrong(alice)), 401, 'EndPoint.0003')
      assertWait(await signIn(server, '127.0.0.11', wrong(alice)), 1)
      assertWait(await signIn(server, '127.0.0.12', right(alice)), 1) // the user waits, from any address
      clock.advance(1000)
      assert.equal((await signIn(server, '127.0.0.11', right(alice))).status, 201)
      for (let i = 0; i < FAILURES; i++) assertError(await signIn(server, '127.0.0.11', wrong(alice)), 401, 'EndPoint.0003')
    })

    it('doubles the wait with each further failure', async () => {
      const bob = await server.account('bob')
      for (let i = 0; i < FAILURES; i++) await signIn(server, '127.0.0.13', wrong(bob))
      for (const wait of [1, 2, 4, 8]) {
        assertWait(await signIn(server, '127.0.0.13', wrong(bob)), wait)
        clock.advance(wait * 1000)
        assertError(await signIn(server, '127.0.0.13', wrong(bob)), 401, 'EndPoint.0003')
      }
    })

    it('treats an unknown user exactly as a known one', async () => {
      const carol = await server.account('carol')
      const answers = async (login: { domain: string; user: string; password: string }) => {
        const seen: Array<[number, string, string | undefined]> = []
        for (let i = 0; i <= FAILURES; i++) {
          const res = await signIn(server, '127.0.0.14', login)
          seen.push([res.status, res.json.error_code, res.headers['retry-after'] as string | undefined])
        }
        return seen
      }
      const known = await answers(wrong(carol))
      const unknown = await answers({ ...wrong(carol), user: 'nobody-here' })
      assert.deepEqual(unknown, known)
      assert.deepEqual(known.at(-1), [429, 'EndPoint.0022', '1'])
    })

    it('cuts a burst from one address at its allowance while other clients are answered', async () => {
      const dave = await server.account('dave')
      const burst = Array.from({ length: 60 }, (_, i) => signIn(server, '127.0.0.15', { domain: dave.domainName, user: `guess${i}`, password: 'x' }))
      // Meanwhile: health and a signed read, which need no password check.
      assert.equal((await httpRequest(`${server.url}/healthz`)).status, 200)
      assert.equal((await sdkClient(server.url, dave).listEndpointService()).httpStatusCode, 200)
      const statuses = (await Promise.all(burst)).map((res) => res.status)
      assert.equal((await signIn(server, '127.0.0.16', right(dave))).status, 201, 'another address signs in')
      assert.deepEqual([...new Set(statuses)].sort(), [401, 429])
      // Guesses refused because too many were being checked at once were never judged; keep guessing
      // one at a time until the address must wait: exactly its allowance of failures was judged in all.
      let judged = statuses.filter((status) => status === 401).length
      for (let tries = 0; tries <= 4 * FAILURES; tries++) {
        const res = await signIn(server, '127.0.0.15', { domain: dave.domainName, user: 'one-more', password: 'x' })
        if (res.status !== 401) break
        judged++
      }
      assert.equal(judged, 4 * FAILURES)
      assertWait(await signIn(server, '127.0.0.15', right(dave)), 1) // the address now waits, whoever it names
    })

    it('slows failed signatures per access key the same way; the right key waits too, then works', async () => {
      const erin = await server.account('erin')
      const path = `/v1/${erin.projectId}/vpc-endpoint-services`
      const forged = { ...erin, secretKey: 'W'.repeat(40) }
      for (let i = 0; i < 4 * FAILURES; i++) assertError(await signedRequest(server.url, forged, { path }), 401, 'EndPoint.0003', /signature does not match/)
      const waiting = await signedRequest(server.url, erin, { path })
      assertError(waiting, 429, 'EndPoint.0022', /Too many failed signatures with this access key/)
      assert.equal(waiting.headers['retry-after'], '1')
      clock.advance(1000)
      assert.equal((await signedRequest(server.url, erin, { path })).status, 200)
      assertError(await signedRequest(server.url, forged, { path }), 401, 'EndPoint.0003') // the success reset the count
    })
  })

  describe(`VPCEP_AUTH_THROTTLE=off [${dialect}]`, () => {
    let server: TestServer
    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), security({ authThrottle: { enabled: false, failuresBeforeBackoff: 5, maxBackoffSeconds: 300 } }))
    })
    after(() => server.stop())

    it('judges every attempt', async () => {
      const frank = await server.account('frank')
      for (let i = 0; i < 2 * FAILURES; i++) assertError(await signIn(server, '127.0.0.17', wrong(frank)), 401, 'EndPoint.0003')
      assert.equal((await signIn(server, '127.0.0.17', right(frank))).status, 201)
    })
  })
}
