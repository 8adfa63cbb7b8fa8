import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eventually, freshDatabaseUrl } from '../helpers/server.ts'
import { cliAccount, startServerProcess, type ServerProcess } from '../helpers/process.ts'
import { ApiClient, expectStatus } from '../helpers/api-client.ts'
import { Receiver, deliveries, signedBy, subscribe } from '../helpers/webhooks.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * Event delivery from real server processes over one PostgreSQL database: every event reaches each
 * subscription once while two instances dispatch and deliver side by side, and an instance killed with
 * SIGKILL in the middle of its deliveries loses none of them.
 */

const PG_URL = process.env.VPCEP_TEST_PG_URL
// Generous for a loaded machine: an attempt that times out is sent again, which the first test counts as a duplicate.
const TIMEOUT_MS = 1000

describe('event delivery from several instances over one PostgreSQL database [postgres only]', { skip: PG_URL ? false : 'VPCEP_TEST_PG_URL is not set (run through scripts/run-tests.mjs)' }, () => {
  let env: Record<string, string>
  let running: ServerProcess[] = []
  let receiver: Receiver
  let provider: NewAccount

  before(async () => {
    const databaseUrl = await freshDatabaseUrl('postgres')
    provider = cliAccount(databaseUrl, 'provider')
    env = {
      VPCEP_DATABASE_URL: databaseUrl,
      VPCEP_QUOTA_ENDPOINT_SERVICES: '1000',
      VPCEP_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      VPCEP_WEBHOOK_BACKOFF_MS: '10',
      VPCEP_WEBHOOK_BACKOFF_MAX_MS: '50',
      VPCEP_WEBHOOK_POLL_MS: '50',
      VPCEP_WEBHOOK_MAX_ATTEMPTS: '20',
    }
    running = await Promise.all([startServerProcess(env), startServerProcess(env)])
    receiver = await Receiver.start()
  })

  after(async () => {
    await Promise.all(running.map((instance) => instance.stop()))
    await receiver?.close()
  })

  it('delivers each event once per subscription while two instances dispatch and send', async () => {
    const [a, b] = running.map((instance) => new ApiClient(instance.url, provider)) as [ApiClient, ApiClient]
    const first = await subscribe(a.url, provider, { url: `${receiver.url}/first`, resource_type: 'endpoint_service', event_types: ['service.available'] })
    const second = await subscribe(b.url, provider, { url: `${receiver.url}/second`, resource_type: 'endpoint_service', event_types: ['service.available'] })
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => ((i % 2 ? a : b) as ApiClient).createService()))
    const ids = created.map((reply) => expectStatus(reply, 200, 'create service').id as string)
    for (const [path, secret] of [['/first', first.secret], ['/second', second.secret]] as const) {
      await eventually(async () => (new Set(receiver.at(path).map((r) => r.event.data.endpoint_service_id)).size === ids.length ? true : undefined), `${path} got all`, 20000)
    }
    await eventually(async () => ((await deliveries(a.url, provider, { status: 'pending' })).length === 0 ? true : undefined), 'nothing pending')
    for (const [path, secret] of [['/first', first.secret], ['/second', second.secret]] as const) {
      const got = receiver.at(path)
      assert.equal(got.length, ids.length, `${path}: each event exactly once (no instance sent one another had claimed)`)
      assert.deepEqual(got.map((r) => r.event.data.endpoint_service_id).sort(), [...ids].sort())
      assert.ok(got.every((r) => signedBy(secret, r)))
    }
  })

  it('loses nothing when an instance is killed in the middle of delivering', async () => {
    // One instance left, so it is the one holding every delivery when it dies.
    await running.pop()!.stop()
    const victim = running.pop()!
    const api = new ApiClient(victim.url, provider)
    receiver.behave = (r) => (r.path === '/killed' ? 'hang' : 200)
    const killed = await subscribe(victim.url, provider, { url: `${receiver.url}/killed`, resource_type: 'endpoint_service', event_types: ['service.available'] })
    const ids = (await Promise.all(Array.from({ length: 10 }, () => api.createService()))).map((reply) => expectStatus(reply, 200, 'create service').id as string)
    // Every event has reached the receiver, which holds them unanswered (attempts that time out are sent again).
    await eventually(async () => (new Set(receiver.at('/killed').map((r) => r.event.data.endpoint_service_id)).size === ids.length ? true : undefined), 'every delivery in flight at the receiver')
    await victim.kill()
    const atKill = receiver.at('/killed').length
    receiver.behave = () => 200
    receiver.release()
    const heir = await startServerProcess(env)
    running.push(heir)
    // The dead instance's leases end (3 timeouts and a second) and the new instance takes the deliveries up.
    const delivered = await eventually(async () => {
      const list = await deliveries(heir.url, provider, { subscription_id: killed.id, status: 'delivered' })
      return list.length === ids.length ? list : undefined
    }, 'all delivered by the heir', 20000)
    assert.deepEqual(delivered.map((d) => d.event.data.endpoint_service_id).sort(), [...ids].sort())
    assert.ok(delivered.every((d) => d.attempts >= 2), 'each was attempted again after its lease ended')
    const afterKill = receiver.at('/killed').slice(atKill)
    for (const id of ids) assert.ok(afterKill.some((r) => r.event.data.endpoint_service_id === id), `service ${id}: sent again after the kill`)
  })
})
