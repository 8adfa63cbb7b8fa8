import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import SqliteDatabase from 'better-sqlite3'
import { StatementCache } from '../../src/store/sqlite-statements.ts'

// SQLite's prepared-statement cache (the driver prepares every SQL text anew otherwise); no other database has one.
describe('prepared SQLite statements', () => {
  it('keeps the most recently used ones: a statement used again outlives one prepared after it', () => {
    const database = new SqliteDatabase(':memory:')
    try {
      const cache = new StatementCache(database, 2)
      const first = cache.statement('select 1')
      cache.statement('select 2')
      assert.equal(cache.statement('select 1'), first, 'a hit answers the same statement')
      cache.statement('select 3') // over capacity: the least recently used, `select 2`, goes
      assert.equal(cache.statement('select 1'), first, 'used after `select 2`, so kept')
      const second = cache.statement('select 2')
      assert.notEqual(cache.statement('select 3'), undefined)
      assert.equal(cache.statement('select 2'), second, 'prepared again, then kept while among the two most recent')
    } finally {
      database.close()
    }
  })

  it('builds each row with every column under its camelCase name, whatever the name holds', () => {
    const database = new SqliteDatabase(':memory:')
    try {
      const cache = new StatementCache(database, 2)
      const statement = cache.statement(`select 1 as "plain", 'x' as "service_name", null as "quote""d", 2.5 as "with space", 'y' as "back\\slash"`)
      const rows = statement.all([])
      assert.deepEqual(rows, [{ plain: 1, serviceName: 'x', 'quote"d': null, 'with space': 2.5, 'back\\slash': 'y' }])
      assert.deepEqual(Object.keys(rows[0]!), ['plain', 'serviceName', 'quote"d', 'with space', 'back\\slash'])
    } finally {
      database.close()
    }
  })
})
