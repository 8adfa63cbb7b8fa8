import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely'
import type { Page } from '../../model/resources.ts'

/**
 * Orders by the requested time column with `id` as the tie-breaker (so pages never overlap), then
 * limits. Every listed table has `(scope column, created_at, id)` and `(…, updated_at, id)` indexes.
 */
export function applyPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, page: Page): SelectQueryBuilder<DB, TB, O> {
  // By reference: every listed table has both columns, which the builder's types cannot see for any TB.
  const column = sql.ref(page.sortKey === 'update_at' ? 'updatedAt' : 'createdAt')
  return query.orderBy(column, page.sortDir).orderBy(sql.ref('id'), page.sortDir).limit(page.limit).offset(page.offset)
}

/** Case-insensitive substring match; LIKE's own wildcards in `text` match literally. */
export function containsIgnoringCase(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
}
