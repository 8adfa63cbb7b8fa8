import { after, before, describe, it } from 'node:test'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { ApiClient } from '../helpers/api-client.ts'
import {
  batchesAreAtomicToLists,
  decisionsConverge,
  markersAndAddressesStayUnique,
  quotaIsNeverExceeded,
  removalWinsOverLaterCreates,
  storeInspector,
  transitionsRunOnce,
  type Actors,
} from './invariants.ts'

/*
 * The multi-instance invariants (test/concurrency/multi-instance.test.ts) within one in-process server:
 * concurrent requests share one connection pool (PostgreSQL) or one serialised connection (SQLite).
 */

const QUOTA_SERVICES = 20

for (const dialect of dialects()) {
  describe(`concurrent requests on one instance [${dialect}]`, () => {
    let server: TestServer
    let actors: Actors

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect), { quotas: { endpointService: QUOTA_SERVICES, endpoint: 1000 }, reconcileIntervalMs: 20 })
      const [provider, consumer, quotaOwner] = await Promise.all([server.account('provider'), server.account('consumer'), server.account('quota')])
      const client = (key: typeof provider) => [new ApiClient(server.url, key)]
      actors = { p: client(provider), c: client(consumer), q: client(quotaOwner), consumer, db: storeInspector(server.store.db), log: () => {}, stopReconcilers: () => server.app.reconciler.stop() }
    })
    after(() => server.stop())

    it(`never exceeds a quota: 100 concurrent creates, quota ${QUOTA_SERVICES}`, () => quotaIsNeverExceeded(actors, QUOTA_SERVICES, 100))

    it('keeps marker ids and addresses unique: 60 concurrent endpoint creates in one subnet', () => markersAndAddressesStayUnique(actors, 60))

    it('resolves concurrent accept and reject of a connection to one consistent state', (t) => decisionsConverge({ ...actors, log: (m) => t.diagnostic(m) }, 15, 3))

    it('never admits an account whose whitelist record was removed before the create committed', (t) =>
      removalWinsOverLaterCreates({ ...actors, log: (m) => t.diagnostic(m) }, 8, 12))

    it('never shows a batch write half applied to a concurrent list', (t) => batchesAreAtomicToLists({ ...actors, log: (m) => t.diagnostic(m) }))

    // Last: it stops the reconciler.
    it('runs every due transition exactly once', () => transitionsRunOnce(actors, 50))
  })
}
