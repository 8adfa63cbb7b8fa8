import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { ApiClient, availableServiceOf } from '../helpers/api-client.ts'
import { Receiver, ext, subscribe } from '../helpers/webhooks.ts'
import type { NewAccount } from '../../src/identity/accounts.ts'
import { pruneDelivered, queueDeliveries } from '../../src/store/repos/subscriptions.ts'

for (const dialect of dialects()) {
  describe(`event subscriptions API [${dialect}]`, () => {
    let server: TestServer
    let receiver: Receiver
    let provider: NewAccount

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      receiver = await Receiver.start()
      provider = await server.account('provider')
    })
    after(async () => {
      await server.stop()
      await receiver.close()
    })

    const create = (subscription: Record<string, unknown>) => ext(server.url, provider, 'POST', '/subscriptions', { subscription })

    it('creates, reads back as written, updates, rotates the secret and deletes', async () => {
      const service = await availableServiceOf(new ApiClient(server.url, provider))
      const url = `${receiver.url}/hook?team=a%20b`
      const created = await create({ name: 'bot', url, resource_type: 'endpoint_service', resource_id: service.id, event_types: ['connection.requested', 'service.failed', 'connection.requested'], description: 'approval bot' })
      assert.equal(created.status, 200, JSON.stringify(created.body))
      assert.match(created.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/)
      const sub = created.body.subscription
      assert.deepEqual(
        { ...sub, id: undefined, created_at: undefined, updated_at: undefined },
        { id: undefined, name: 'bot', url, event_types: ['connection.requested', 'service.failed'], resource_type: 'endpoint_service', resource_id: service.id, enabled: true, description: 'approval bot', created_at: undefined, updated_at: undefined },
      )
      assert.equal('secret' in sub, false, 'the secret is not part of the subscription')
      const read = await ext(server.url, provider, 'GET', `/subscriptions/${sub.id}`)
      assert.deepEqual(read.body.subscription, sub)
      assert.equal(JSON.stringify(read.body).includes(created.body.secret), false, 'never shown again')

      const stored = await server.store.db.selectFrom('eventSubscriptions').select('secret').where('id', '=', sub.id).executeTakeFirstOrThrow()
      assert.match(stored.secret, /^enc1:/, 'sealed at rest')
      assert.equal(stored.secret.includes(created.body.secret.slice(6)), false)
      assert.equal(server.store.secrets.open(stored.secret), created.body.secret)

      const updated = await ext(server.url, provider, 'PUT', `/subscriptions/${sub.id}`, { subscription: { enabled: false, event_types: ['connection.accepted'] } })
      assert.equal(updated.status, 200)
      assert.deepEqual([updated.body.subscription.enabled, updated.body.subscription.event_types, updated.body.subscription.url], [false, ['connection.accepted'], url])
      const rotated = await ext(server.url, provider, 'POST', `/subscriptions/${sub.id}/rotate-secret`)
      assert.equal(rotated.status, 200)
      assert.notEqual(rotated.body.secret, created.body.secret)

      const all = await subscribe(server.url, provider, { url: `${receiver.url}/all`, resource_type: 'endpoint', event_types: ['endpoint.failed'] })
      const listed = await ext(server.url, provider, 'GET', '/subscriptions', undefined, { limit: 1 })
      assert.deepEqual([listed.body.total_count, listed.body.subscriptions.length, listed.body.subscriptions[0].resource_id], [2, 1, null])
      assert.equal((await ext(server.url, provider, 'DELETE', `/subscriptions/${all.id}`)).status, 204)
      assert.equal((await ext(server.url, provider, 'DELETE', `/subscriptions/${all.id}`)).status, 404)
      assert.equal((await ext(server.url, provider, 'GET', `/subscriptions/${all.id}`)).body.error_code, 'EndPoint.0005')
    })

    it('refuses unsafe or malformed webhooks with a clear error, and saves nothing', async () => {
      const before = (await ext(server.url, provider, 'GET', '/subscriptions')).body.total_count
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ url: 'ftp://127.0.0.1/x' }, 'EndPoint.0002', /http or https/],
        [{ url: `http://user:pw@127.0.0.1:${new URL(receiver.url).port}/` }, 'EndPoint.0002', /credentials/],
        [{ url: 'http://127.0.0.1/#frag' }, 'EndPoint.0002', /fragment/],
        [{ url: 'not a url' }, 'EndPoint.0002', /absolute http/],
        [{ url: 'http://169.254.169.254/latest/meta-data' }, 'EndPoint.0002', /reserved or link-local/],
        [{ url: 'http://10.1.2.3/hook' }, 'EndPoint.0002', /private address .* loopback addresses only/],
        [{ url: 'http://[::ffff:169.254.169.254]/' }, 'EndPoint.0002', /reserved or link-local/],
        [{ url: 'http://0.0.0.0:9/' }, 'EndPoint.0002', /reserved/],
        [{ url: 'http://no-such-host.invalid/' }, 'EndPoint.0002', /does not resolve/],
        [{ event_types: [] }, 'EndPoint.0002', /event_types/],
        [{ event_types: ['connection.exploded'] }, 'EndPoint.0002', /event_types/],
        [{ resource_type: 'endpoint', event_types: ['service.available'] }, 'EndPoint.0002', /endpoint service subscriptions only/],
        [{ resource_type: 'vpc' }, 'EndPoint.3070', /resource_type/],
      ]
      for (const [change, code, message] of cases) {
        const reply = await create({ url: `${receiver.url}/ok`, resource_type: 'endpoint_service', event_types: ['service.available'], ...change })
        assert.equal(reply.status, 400, `${JSON.stringify(change)} → ${JSON.stringify(reply.body)}`)
        assert.equal(reply.body.error_code, code, JSON.stringify(change))
        assert.match(reply.body.error_msg, message, JSON.stringify(change))
      }
      const missing = await create({ url: `${receiver.url}/ok`, resource_type: 'endpoint', resource_id: '8e7b6c3c-0000-4000-8000-000000000000', event_types: ['endpoint.failed'] })
      assert.deepEqual([missing.status, missing.body.error_code], [404, 'EndPoint.2006'])
      const localhost = await create({ url: `http://localhost:${new URL(receiver.url).port}/named`, resource_type: 'endpoint_service', event_types: ['service.available'] })
      assert.equal(localhost.status, 200, 'a name that resolves to loopback is fine under the loopback policy')
      // An unknown field is ignored, as on every other call (newer clients send fields this server does not know).
      const tolerant = await create({ url: `${receiver.url}/ok`, resource_type: 'endpoint_service', event_types: ['service.available'], extra: 1 })
      assert.equal(tolerant.status, 200, JSON.stringify(tolerant.body))
      assert.equal('extra' in tolerant.body.subscription, false)
      assert.equal((await ext(server.url, provider, 'GET', '/subscriptions')).body.total_count, before + 2)
    })

    it('drops delivered deliveries past retention and keeps dead letters', async () => {
      const { id } = await subscribe(server.url, provider, { url: `${receiver.url}/prune`, resource_type: 'endpoint', event_types: ['endpoint.failed'] })
      const old = '2020-01-01T00:00:00.000Z'
      const row = (eventId: string, status: string) => ({
        id: `${id.slice(0, 30)}-${eventId}`, subscriptionId: id, projectId: provider.projectId, eventId, eventType: 'endpoint.failed', body: '{}', status, attempts: 1,
        nextAttemptAt: null, leaseOwner: null, lastAttemptAt: old, lastStatusCode: 200, lastError: null, responseExcerpt: null, createdAt: old, deliveredAt: status === 'delivered' ? old : null,
      })
      await queueDeliveries(server.store.db, [row('1-endpoint.failed', 'delivered'), row('2-endpoint.failed', 'dead')])
      assert.equal(await pruneDelivered(server.store.db, '2021-01-01T00:00:00.000Z', 100), 1)
      const left = await ext(server.url, provider, 'GET', '/deliveries', undefined, { subscription_id: id })
      assert.deepEqual(left.body.deliveries.map((d: any) => d.status), ['dead'])
    })

    it('asks for credentials like every other call', async () => {
      const res = await fetch(`${server.url}/vpcep-ext/v1/${provider.projectId}/subscriptions`)
      assert.equal(res.status, 401)
    })
  })
}
