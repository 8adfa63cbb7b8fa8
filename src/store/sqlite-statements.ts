import type SqliteDatabase from 'better-sqlite3'
import { CamelCasePlugin, type PluginTransformResultArgs, type QueryResult, type SqliteDialectConfig, type UnknownRow } from 'kysely'

/** The plugin's own snake_case → camelCase rule, so rows built here look exactly like rows it maps. */
class ColumnNames extends CamelCasePlugin {
  toCamel(column: string): string {
    return this.camelCase(column)
  }
}
const columnNames = new ColumnNames()

/**
 * CamelCasePlugin for a database whose driver already answers camelCase rows (see CamelCaseStatement):
 * it still writes the queries' identifiers in snake_case, and leaves results as they come.
 */
export class SnakeCaseQueries extends CamelCasePlugin {
  override transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result)
  }
}

/**
 * A better-sqlite3 statement answering rows keyed by camelCase column names. better-sqlite3 builds an
 * object per row by setting each column by name, and the plugin then copied each into another object
 * with renamed keys; for a page of 100 endpoints of 25 columns that was most of the query's cost. Here
 * rows come as arrays (raw mode) and each becomes one object with names computed once per statement.
 *
 * The object is built by an object literal compiled once per statement, not by setting keys in a loop:
 * V8 turns an object that gets more than a dozen properties through computed keys into a hash table
 * (dictionary mode), and then building the row and every later read of its fields is a lookup. For a
 * 30-column row that was about 2 µs against 0.06 µs for the literal, on every row read.
 */
export class CamelCaseStatement {
  readonly reader: boolean
  private readonly row: (values: unknown[]) => UnknownRow

  constructor(private readonly statement: SqliteDatabase.Statement) {
    this.reader = statement.reader
    const keys = this.reader ? statement.raw(true).columns().map((column) => columnNames.toCamel(column.name)) : []
    this.row = rowBuilder(keys)
  }

  /** True while an iteration over this statement is open; it cannot run again until that ends. */
  get busy(): boolean {
    return this.statement.busy
  }

  all(parameters: readonly unknown[]): UnknownRow[] {
    return (this.statement.all(parameters) as unknown[][]).map((values) => this.row(values))
  }

  *iterate(parameters: readonly unknown[]): IterableIterator<UnknownRow> {
    for (const values of this.statement.iterate(parameters) as IterableIterator<unknown[]>) yield this.row(values)
  }

  run(parameters: readonly unknown[]): SqliteDatabase.RunResult {
    return this.statement.run(parameters)
  }
}

/** `(values) => ({ key0: values[0], key1: values[1], … })`; keys are quoted, so quotes, spaces or backslashes in a name are safe. */
function rowBuilder(keys: string[]): (values: unknown[]) => UnknownRow {
  const fields = keys.map((key, i) => `${JSON.stringify(key)}: values[${i}]`).join(', ')
  return new Function('values', `return { ${fields} }`) as (values: unknown[]) => UnknownRow
}

/**
 * Prepared statements by SQL text, the most recently used `capacity` of them (the least recently used
 * one is dropped first): SQLite's driver prepares
 * (compiles) every query's SQL anew, and a prepared statement can run again with other parameters. A
 * statement still being iterated (busy) is never handed out twice.
 */
export class StatementCache {
  private readonly statements = new Map<string, CamelCaseStatement>()

  constructor(
    private readonly database: SqliteDatabase.Database,
    private readonly capacity = 1000,
  ) {}

  statement(sql: string): CamelCaseStatement {
    const cached = this.statements.get(sql)
    if (cached !== undefined && !cached.busy) {
      // Moved to the end of the Map's order, so the first key is always the least recently used one.
      this.statements.delete(sql)
      this.statements.set(sql, cached)
      return cached
    }
    const statement = new CamelCaseStatement(this.database.prepare(sql))
    this.statements.set(sql, statement)
    if (this.statements.size > this.capacity) this.statements.delete(this.statements.keys().next().value!)
    return statement
  }

  /** The database as Kysely's SQLite dialect takes it, preparing through this cache. */
  forDialect(): SqliteDialectConfig['database'] {
    return { close: () => this.database.close(), prepare: (sql) => this.statement(sql) }
  }
}
