import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely'
import type { Page } from '../../model/resources.ts'

/**
 * Orders by the requested time column with `id` as the tie-breaker (so pages never overlap), then
 * limits. Every listed table has `(scope column, created_at, id)` and `(…, updated_at, id)` indexes.
 */
export function applyPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, page: Page): SelectQueryBuilder<DB, TB, O> {
  const column = page.sortKey === 'update_at' ? 'updatedAt' : 'createdAt'
  const q = query as unknown as SelectQueryBuilder<any, any, O>
  return q
    .orderBy(column, page.sortDir)
    .orderBy('id', page.sortDir)
    .limit(page.limit)
    .offset(page.offset) as unknown as SelectQueryBuilder<DB, TB, O>
}

/** Case-insensitive substring match; LIKE's own wildcards in `text` match literally. */
export function containsIgnoringCase(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
}
