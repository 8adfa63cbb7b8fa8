import type pg from 'pg'

/**
 * Hot SQL texts run as named (server-side prepared) statements on PostgreSQL. An unnamed statement is
 * parsed, analysed and planned again on every execution; a named one is parsed once per connection and
 * its plan is kept (PostgreSQL's plan cache). Only fixed texts are named (prepared queries and a few
 * hand-written statements), so each connection holds a bounded set.
 */
const names = new Map<string, string>()
let nextName = 0

/** Marks `text` to run as a named statement from now on, on every connection. */
export function nameStatement(text: string): void {
  if (!names.has(text)) names.set(text, `vpcep_${nextName++}`)
}

/**
 * A named statement that reads `*` fails once the table gained a column (a migration of a newer
 * version, run while this instance serves): PostgreSQL refuses to change the result type of a kept
 * plan. The statement is then prepared again under a new name, on every connection, and the query that
 * failed is transient: the caller may retry it (store transactions do; so do prepared reads).
 */
export function isStalePlan(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type')
}

type QueryFunction = (config: unknown, values?: unknown, callback?: unknown) => unknown

/** Makes `client` send the named texts as named statements; everything else passes through unchanged. */
export function useNamedStatements(client: pg.Client | pg.PoolClient): void {
  const query = client.query as unknown as QueryFunction
  const named: QueryFunction = function (this: unknown, config, values, callback) {
    const name = typeof config === 'string' ? names.get(config) : undefined
    if (name === undefined || (values !== undefined && !Array.isArray(values))) return query.call(this, config, values, callback)
    const renameWhenStale = (error: unknown) => {
      if (isStalePlan(error) && names.get(config as string) === name) names.set(config as string, `vpcep_${nextName++}`)
    }
    const statement = { name, text: config, values }
    if (typeof callback === 'function') {
      return query.call(this, statement, (error: unknown, result: unknown) => {
        if (error) renameWhenStale(error)
        ;(callback as (error: unknown, result: unknown) => void)(error, result)
      })
    }
    return (query.call(this, statement) as Promise<unknown>).catch((error: unknown) => {
      renameWhenStale(error)
      throw error
    })
  }
  ;(client as unknown as { query: QueryFunction }).query = named
}
