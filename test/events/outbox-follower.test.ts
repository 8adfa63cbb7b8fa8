import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import pg from 'pg'
import { dialects, freshDatabaseUrl } from '../helpers/server.ts'
import { openStore, type Store } from '../../src/store/database.ts'
import { eventsAfter, recordEvents, type DomainEvent } from '../../src/store/repos/events.ts'
import { currentOutboxPosition, settledEventsAfter } from '../../src/events/outbox-follower.ts'

const event = (resourceId: string): DomainEvent => ({ type: 'service.available', resourceType: 'endpoint_service', resourceId, projectId: 'p', occurredAt: new Date().toISOString(), payload: {} })

for (const dialect of dialects()) {
  describe(`following the outbox [${dialect}]`, () => {
    let store: Store
    let url: string

    before(async () => {
      url = await freshDatabaseUrl(dialect)
      store = await openStore(url)
    })
    after(() => store.close())

    it('reads every committed event once, in order, from where it started', async () => {
      await store.transaction((tx) => recordEvents(tx, [event('before')]))
      const start = await currentOutboxPosition(store.db, dialect)
      for (const id of ['a', 'b', 'c']) await store.transaction((tx) => recordEvents(tx, [event(id)]))
      const first = await settledEventsAfter(store.db, dialect, start, 2)
      const second = await settledEventsAfter(store.db, dialect, first.next, 2)
      const third = await settledEventsAfter(store.db, dialect, second.next, 2)
      assert.deepEqual([first, second, third].map((b) => b.events.map((e) => e.resourceId)), [['a', 'b'], ['c'], []])
      assert.deepEqual(third.next, second.next)
    })

    it('tells this process of its commits that wrote events', async () => {
      let told = 0
      const stop = store.onOutboxCommit(() => told++)
      await store.transaction((tx) => recordEvents(tx, [event('told')]))
      await store.transaction(async (tx) => tx.selectFrom('events').select('seq').limit(1).execute())
      stop()
      await store.transaction((tx) => recordEvents(tx, [event('after-stop')]))
      assert.equal(told, 1)
    })

    it('starting now, answers none of the events already committed, even behind a writer still open', { skip: dialect !== 'postgres' && 'only PostgreSQL reads by transaction id' }, async () => {
      const slow = new pg.Client({ connectionString: url })
      await slow.connect()
      try {
        await slow.query('begin')
        await slow.query(`insert into events (occurred_at, type, resource_type, resource_id, project_id, payload) values (now()::text, 'service.available', 'endpoint_service', 'open-at-start', 'p', '{}')`)
        await store.transaction((tx) => recordEvents(tx, [event('committed-before-start')]))
        const start = await currentOutboxPosition(store.db, dialect)
        await slow.query('commit')
        await store.transaction((tx) => recordEvents(tx, [event('after-start')]))
        const read = await settledEventsAfter(store.db, dialect, start, 100)
        assert.deepEqual(read.events.map((e) => e.resourceId), ['open-at-start', 'after-start'])
        assert.equal(read.next.before, undefined, 'nothing is left to skip once it has been passed')
      } finally {
        await slow.end()
      }
    })

    it('never steps past an event whose seq was taken before a later one committed', { skip: dialect !== 'postgres' && 'only PostgreSQL hands out sequence values before commit' }, async () => {
      const start = await currentOutboxPosition(store.db, dialect)
      const slow = new pg.Client({ connectionString: url })
      await slow.connect()
      try {
        await slow.query('begin')
        await slow.query(`insert into events (occurred_at, type, resource_type, resource_id, project_id, payload) values (now()::text, 'service.available', 'endpoint_service', 'slow', 'p', '{}')`)
        await store.transaction((tx) => recordEvents(tx, [event('fast')]))
        const naive = await eventsAfter(store.db, (await eventsAfter(store.db, 0, 1000)).filter((e) => e.resourceId === 'fast')[0]!.seq - 1, 10)
        assert.deepEqual(naive.map((e) => e.resourceId), ['fast'], 'by seq, the later event is visible first')
        const held = await settledEventsAfter(store.db, dialect, start, 100)
        assert.deepEqual(held.events, [], 'nothing is answered while an older writer is open')
        await slow.query('commit')
        const both = await settledEventsAfter(store.db, dialect, held.next, 100)
        assert.deepEqual(both.events.map((e) => e.resourceId), ['slow', 'fast'])
        assert.ok(both.events[0]!.seq < both.events[1]!.seq)
      } finally {
        await slow.end()
      }
    })
  })
}
