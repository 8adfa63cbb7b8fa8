import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, eventually, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { ApiClient, availableServiceOf, expectStatus, settledEndpointOf } from '../helpers/api-client.ts'
import { httpRequest } from '../helpers/http.ts'
import { Receiver, deliveries, ext, signedBy, subscribe } from '../helpers/webhooks.ts'
import { loadConfig } from '../../src/config.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'

const ADMIN_TOKEN = 'events-admin-token-0123'
/** Short backoffs and timeouts: retries and dead letters happen in milliseconds, not minutes. */
const WEBHOOKS = { ...loadConfig({}).webhooks, backoffMs: 10, backoffMaxMs: 40, timeoutMs: 300, maxAttempts: 4, pollMs: 50 }

for (const dialect of dialects()) {
  describe(`connection events as webhooks [${dialect}]`, () => {
    let server: TestServer
    let receiver: Receiver
    let provider: NewAccount
    let consumer: NewAccount
    let p: ApiClient
    let c: ApiClient

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { adminToken: ADMIN_TOKEN, webhooks: WEBHOOKS })
      receiver = await Receiver.start()
      provider = await server.account('provider')
      consumer = await server.account('consumer')
      p = new ApiClient(server.url, provider)
      c = new ApiClient(server.url, consumer)
    })
    after(async () => {
      await server.stop()
      await receiver.close()
    })

    const admin = (path: string, body: unknown, method = 'POST') =>
      httpRequest(`${server.url}/admin/v1${path}`, body === undefined ? { method, headers: { 'x-admin-token': ADMIN_TOKEN } } : { method, headers: { 'x-admin-token': ADMIN_TOKEN, 'content-type': 'application/json' }, body: JSON.stringify(body) })

    /** Waits until no delivery of the project is pending. */
    const settled = (key: NewAccount) => eventually(async () => ((await deliveries(server.url, key, { status: 'pending' })).length === 0 ? true : undefined), 'deliveries settled')

    it('delivers each event type once per subscription, signed, as CloudEvents', async () => {
      const everyService = await subscribe(server.url, provider, {
        url: `${receiver.url}/provider-all`,
        resource_type: 'endpoint_service',
        event_types: ['service.available', 'service.failed', 'connection.requested'],
      })
      const service = await availableServiceOf(p)
      const oneService = await subscribe(server.url, provider, {
        name: 'approvals',
        url: `${receiver.url}/provider-one`,
        resource_type: 'endpoint_service',
        resource_id: service.id,
        event_types: ['connection.requested', 'connection.accepted', 'connection.rejected', 'connection.deleted', 'endpoint.available', 'endpoint.failed'],
      })
      const consumerAll = await subscribe(server.url, consumer, {
        url: `${receiver.url}/consumer`,
        resource_type: 'endpoint',
        event_types: ['connection.requested', 'connection.accepted', 'connection.rejected', 'connection.deleted', 'endpoint.available', 'endpoint.failed'],
      })
      expectStatus(await p.addPermissions(service.id, [`iam:domain::${consumer.domainId}`]), 200, 'whitelist')

      const endpoint = expectStatus(await c.createEndpoint(service.id), 200, 'create endpoint')
      assert.equal((await settledEndpointOf(c, endpoint.id)).status, 'pendingAcceptance')
      expectStatus(await p.decide(service.id, 'receive', endpoint.id), 200, 'accept')
      expectStatus(await p.decide(service.id, 'reject', endpoint.id), 200, 'reject')
      expectStatus(await c.call('DELETE', `/vpc-endpoints/${endpoint.id}`), 204, 'delete endpoint')
      await eventually(async () => ((await c.endpoint(endpoint.id)).status === 404 ? true : undefined), 'endpoint gone')

      const broken = expectStatus(await c.createEndpoint(service.id), 200, 'create endpoint to fail')
      await settledEndpointOf(c, broken.id)
      assert.equal((await admin(`/endpoint/${broken.id}/fail`, { errors: [{ code: 'E1', message: 'no capacity' }] })).status, 200)
      // Held in `creating` until it fails, so it is never available.
      assert.equal((await admin('/transitions/endpoint_service', { mode: 'manual' }, 'PUT')).status, 200)
      const failing = expectStatus(await p.createService(), 200, 'create service to fail')
      assert.equal((await admin(`/endpoint_service/${failing.id}/fail`, { errors: [{ code: 'E2', message: 'no backend' }] })).status, 200)
      assert.equal((await admin('/transitions', undefined, 'DELETE')).status, 200)

      const expected: Record<string, string[]> = {
        '/provider-all': ['service.available', 'connection.requested', 'connection.requested', 'service.failed'],
        '/provider-one': ['connection.requested', 'endpoint.available', 'connection.accepted', 'connection.rejected', 'connection.deleted', 'connection.requested', 'endpoint.available', 'endpoint.failed'],
        '/consumer': ['connection.requested', 'endpoint.available', 'connection.accepted', 'connection.rejected', 'connection.deleted', 'connection.requested', 'endpoint.available', 'endpoint.failed'],
      }
      const secrets: Record<string, string> = { '/provider-all': everyService.secret, '/provider-one': oneService.secret, '/consumer': consumerAll.secret }
      await eventually(async () => (Object.entries(expected).every(([path, types]) => receiver.at(path).length >= types.length) ? true : undefined), 'every event received')
      await settled(provider)
      await settled(consumer)
      for (const [path, types] of Object.entries(expected)) {
        const got = receiver.at(path)
        assert.deepEqual(got.map((r) => r.event.type.replace(/^vpcep\./, '')).sort(), [...types].sort(), `${path} got each event once`)
        assert.equal(new Set(got.map((r) => r.event.id)).size, got.length, `${path}: no event twice`)
        for (const r of got) {
          assert.ok(signedBy(secrets[path]!, r), `${path}: ${r.event.type} is signed with the subscription's secret`)
          assert.ok(!signedBy(secrets['/consumer' === path ? '/provider-one' : '/consumer']!, r), 'and with no other')
          assert.equal(r.headers['content-type'], 'application/cloudevents+json; charset=utf-8')
          assert.equal(r.event.specversion, '1.0')
          assert.equal(r.event.datacontenttype, 'application/json')
          assert.match(r.event.source, /^\/vpcep\/cn-north-4$/)
          assert.ok(!Number.isNaN(Date.parse(r.event.time)))
        }
      }
      const requested = receiver.at('/provider-one').find((r) => r.event.type === 'vpcep.connection.requested' && r.event.data.endpoint_id === endpoint.id)!
      assert.deepEqual(
        { ...requested.event.data, marker_id: typeof requested.event.data.marker_id },
        { endpoint_id: endpoint.id, endpoint_service_id: service.id, status: 'pendingAcceptance', previous_status: 'creating', marker_id: 'number', domain_id: consumer.domainId },
      )
      assert.equal(requested.event.subject, `vpc-endpoints/${endpoint.id}`)
      const delivered = await deliveries(server.url, provider, { subscription_id: oneService.id })
      assert.equal(delivered.length, 8)
      assert.ok(delivered.every((d) => d.status === 'delivered' && d.attempts === 1 && d.last_status_code === 200 && d.response_excerpt === 'ok'))
    })

    it('retries a receiver that fails three times, with backoff, and delivers on the fourth attempt', async () => {
      receiver.behave = (r, nth) => (r.path === '/flaky' && nth <= 3 ? 503 : 200)
      const flaky = await subscribe(server.url, provider, { url: `${receiver.url}/flaky`, resource_type: 'endpoint_service', event_types: ['service.available'] })
      const service = await availableServiceOf(p)
      await eventually(async () => (receiver.at('/flaky').length >= 4 ? true : undefined), 'four attempts')
      await settled(provider)
      const got = receiver.at('/flaky')
      assert.equal(got.length, 4)
      assert.ok(got.every((r) => r.event.id === got[0]!.event.id && r.event.data.endpoint_service_id === service.id), 'the same event each time')
      assert.deepEqual(got.map((r) => r.headers['vpcep-attempt']), ['1', '2', '3', '4'])
      const [delivery] = await deliveries(server.url, provider, { subscription_id: flaky.id })
      assert.equal(delivery.attempts, 4)
      receiver.behave = () => 200
    })

    it('dead-letters an event a receiver never answers, keeps only an excerpt, and redelivers it', async () => {
      receiver.behave = (r) => (r.path === '/silent' ? 'hang' : r.path === '/loud' ? 500 : 200)
      const silent = await subscribe(server.url, provider, { url: `${receiver.url}/silent`, resource_type: 'endpoint_service', event_types: ['service.available'] })
      const loud = await subscribe(server.url, provider, { url: `${receiver.url}/loud`, resource_type: 'endpoint_service', event_types: ['service.available'] })
      const started = Date.now()
      await availableServiceOf(p)
      // The API answers while the receiver hangs: delivery never runs inside a request.
      assert.ok(Date.now() - started < WEBHOOKS.timeoutMs * 4)
      const dead = await eventually(async () => {
        const list = await deliveries(server.url, provider, { status: 'dead' })
        return list.filter((d) => d.subscription_id === silent.id || d.subscription_id === loud.id).length === 2 ? list : undefined
      }, 'two dead letters')
      const silentDead = dead.find((d) => d.subscription_id === silent.id)
      assert.equal(silentDead.attempts, WEBHOOKS.maxAttempts)
      assert.equal(silentDead.last_status_code, null)
      assert.match(silentDead.last_error, /no answer within 300 ms/)
      const loudDead = dead.find((d) => d.subscription_id === loud.id)
      assert.equal(loudDead.last_status_code, 500)
      assert.ok(loudDead.response_excerpt.length <= 256 && loudDead.response_excerpt.startsWith('failure xxx'), 'only an excerpt of the answer is kept')
      assert.equal(receiver.at('/silent').length, WEBHOOKS.maxAttempts)

      receiver.behave = () => 200
      const again = await ext(server.url, provider, 'POST', `/deliveries/${silentDead.id}/redeliver`)
      assert.equal(again.status, 200, JSON.stringify(again.body))
      assert.equal(again.body.delivery.status, 'pending')
      assert.equal(again.body.delivery.attempts, 0)
      const redelivered = await eventually(async () => {
        const d = (await ext(server.url, provider, 'GET', `/deliveries/${silentDead.id}`)).body.delivery
        return d.status === 'delivered' ? d : undefined
      }, 'redelivered')
      assert.equal(redelivered.attempts, 1)
      const last = receiver.at('/silent').at(-1)!
      assert.equal(last.event.id, silentDead.event.id)
      assert.ok(signedBy(silent.secret, last))
      receiver.behave = (r) => (r.path === '/loud' ? 'hang' : 200)
      const repeat = await ext(server.url, provider, 'POST', `/deliveries/${loudDead.id}/redeliver`)
      assert.equal(repeat.status, 200)
      const refused = await ext(server.url, provider, 'POST', `/deliveries/${loudDead.id}/redeliver`)
      assert.deepEqual([refused.status, refused.body.error_code], [400, 'EndPoint.0002'], 'a pending delivery is not queued twice')
      receiver.behave = () => 200
      receiver.release()
    })

    it('keeps subscriptions, deliveries and events inside their tenant', async () => {
      const stranger = await server.account('stranger')
      const s = new ApiClient(server.url, stranger)
      const service = await availableServiceOf(p)
      const mine = await subscribe(server.url, provider, { url: `${receiver.url}/mine`, resource_type: 'endpoint_service', resource_id: service.id, event_types: ['connection.requested'] })
      const theirs = await subscribe(server.url, stranger, { url: `${receiver.url}/stranger`, resource_type: 'endpoint_service', event_types: ['service.available', 'connection.requested'] })
      const strangerEndpoints = await subscribe(server.url, stranger, { url: `${receiver.url}/stranger-endpoints`, resource_type: 'endpoint', event_types: ['connection.requested'] })
      const tryOther = await ext(server.url, stranger, 'POST', '/subscriptions', { subscription: { url: `${receiver.url}/x`, resource_type: 'endpoint_service', resource_id: service.id, event_types: ['connection.requested'] } })
      assert.deepEqual([tryOther.status, tryOther.body.error_code], [404, 'EndPoint.0005'], "another tenant's service cannot be subscribed")
      assert.equal((await ext(server.url, stranger, 'GET', `/subscriptions/${mine.id}`)).status, 404)
      assert.equal((await ext(server.url, stranger, 'PUT', `/subscriptions/${mine.id}`, { subscription: { enabled: false } })).status, 404)
      assert.equal((await ext(server.url, stranger, 'DELETE', `/subscriptions/${mine.id}`)).status, 404)
      const listed = await ext(server.url, stranger, 'GET', '/subscriptions')
      assert.deepEqual(listed.body.subscriptions.map((x: any) => x.id).sort(), [theirs.id, strangerEndpoints.id].sort())
      const forbidden = await signedCallElsewhere(stranger, provider.projectId)
      assert.equal(forbidden, 403, "another project's path is refused")

      expectStatus(await p.addPermissions(service.id, [`iam:domain::${consumer.domainId}`]), 200, 'whitelist')
      const endpoint = expectStatus(await c.createEndpoint(service.id), 200, 'create endpoint')
      await settledEndpointOf(c, endpoint.id)
      await eventually(async () => (receiver.at('/mine').some((r) => r.event.data.endpoint_id === endpoint.id) ? true : undefined), 'provider notified')
      await settled(provider)
      assert.equal(receiver.at('/stranger').length, 0, 'no event of another tenant reaches a subscription to all its services')
      assert.equal(receiver.at('/stranger-endpoints').length, 0, 'nor one to all its endpoints')
      assert.deepEqual(await deliveries(server.url, stranger), [])
      const providerDelivery = (await deliveries(server.url, provider, { subscription_id: mine.id }))[0]
      assert.equal((await ext(server.url, stranger, 'GET', `/deliveries/${providerDelivery.id}`)).status, 404)
      assert.equal((await ext(server.url, stranger, 'POST', `/deliveries/${providerDelivery.id}/redeliver`)).status, 404)
      assert.equal((await ext(server.url, stranger, 'GET', '/deliveries', undefined, { subscription_id: mine.id })).status, 404)
      void s
    })

    async function signedCallElsewhere(key: NewAccount, projectId: string): Promise<number> {
      return (await ext(server.url, { ...key, projectId }, 'GET', '/subscriptions')).status
    }
  })
}
