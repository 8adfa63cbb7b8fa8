import { sql, type ExpressionBuilder } from 'kysely'
import type { Executor, Store } from '../database.ts'
import type { Database } from '../schema.ts'
import type { Endpoint, Forwarding, Page, Paged, Scope, SortDir, SortKey, Tag } from '../../model/resources.ts'
import { directSqliteOf, type DirectSqlite } from '../direct-sqlite.ts'
import { prepared, type BoundQuery, type Prepared } from '../prepared.ts'
import { assembleEndpoint, completeEndpoints, endpointCountOf, listEndpointRows, type EndpointFilter, type EndpointRow } from './endpoints.ts'
import { applyPage } from './paging.ts'
import { forwardingOf, toForwarding, type ForwardingRow } from './forwarding.ts'

/**
 * A project's endpoints, a page at a time, complete (service name and type, tags, the data plane's
 * report for accepted ones), with the total: the list clients and the console poll.
 *
 * On SQLite, for the unfiltered list outside any open transaction, the four statements (count, page with
 * its service joined, the page's tags, its forwarding reports) run on the driver synchronously inside one
 * read transaction: nothing in this process can interleave with them and other processes' commits are
 * either all seen or none, as in the snapshot the other path opens. That skips Kysely's promise per query
 * and its transaction. They are remembered reads (direct-sqlite.ts): a page asked for again while the
 * database has not changed (a console or a script polling) steps no rows. Everything else (filters,
 * PostgreSQL, a transaction open) reads the same parts through Kysely in a snapshot.
 */
export async function listOwnEndpoints(store: Store, scope: Scope, filter: EndpointFilter, page: Page, dnsZone: string): Promise<Paged<Endpoint>> {
  const unfiltered = filter.id === undefined && filter.vpcId === undefined && filter.serviceNameContains === undefined
  const direct = unfiltered ? directSqliteOf(store.db) : undefined
  if (direct?.usable) return endpointPageDirect(direct, store.db, scope, page, dnsZone)
  return store.snapshot((db) => endpointPageOf(db, scope, filter, page, dnsZone))
}

/** The page through Kysely, on any database and in any transaction; the caller gives it a consistent view. */
export async function endpointPageOf(db: Executor, scope: Scope, filter: EndpointFilter, page: Page, dnsZone: string): Promise<Paged<Endpoint>> {
  const { items, totalCount } = await listEndpointRows(db, scope, filter, page)
  return { items: await withForwarding(db, await completeEndpoints(db, items, dnsZone)), totalCount }
}

/** The unfiltered page on SQLite's driver, in one read transaction (see listOwnEndpoints); `direct` must be usable. */
export function endpointPageDirect(direct: DirectSqlite, db: Executor, scope: Scope, page: Page, dnsZone: string): Paged<Endpoint> {
  const [count, rows, tags, forwarding] = boundEndpointPage(db, scope, page)
  return direct.readConsistently((read) => {
    const total = read<{ n: number }>(count)[0]
    const tagsOf = tagsByEndpoint(read<TagRow>(tags))
    const reports = new Map(read<ForwardingRow>(forwarding).map((r) => [r.endpointId, toForwarding(r)]))
    const items = read<PageRow>(rows).map((row) => {
      const service = row.joinedServiceName === null ? undefined : { serviceName: row.joinedServiceName, serviceType: row.joinedServiceType! }
      return withReport(assembleEndpoint({ row, service, tags: tagsOf.get(row.id) ?? [] }, dnsZone), reports)
    })
    return { items, totalCount: Number(total?.n ?? 0) }
  })
}

/**
 * The four statements of an unfiltered page, bound: the project's maintained count, the page's rows with
 * their service joined, the page's tags in order, the page's forwarding reports. Exported for the
 * query-plan guard.
 */
export function boundEndpointPage(db: Executor, scope: Scope, page: Page): [count: BoundQuery, rows: BoundQuery, tags: BoundQuery, forwarding: BoundQuery] {
  const statements = pageStatements(page.sortKey, page.sortDir)
  const args: PageArgs = [scope.projectId, page.limit, page.offset]
  return [endpointCountOf.bind(db, scope.projectId), statements.rows.bind(db, ...args), statements.tags.bind(db, ...args), statements.forwarding.bind(db, ...args)]
}

/** Endpoints with the data plane's report on each accepted one that has one. */
export async function withForwarding(db: Executor, endpoints: Endpoint[]): Promise<Endpoint[]> {
  const accepted = endpoints.filter((e) => e.status === 'accepted').map((e) => e.id)
  if (accepted.length === 0) return endpoints
  const reports = await forwardingOf(db, accepted)
  return endpoints.map((e) => withReport(e, reports))
}

function withReport(endpoint: Endpoint, reports: Map<string, Forwarding>): Endpoint {
  const report = endpoint.status === 'accepted' ? reports.get(endpoint.id) : undefined
  return report === undefined ? endpoint : { ...endpoint, forwarding: report }
}

interface PageRow extends EndpointRow {
  joinedServiceName: string | null
  joinedServiceType: string | null
}

interface TagRow {
  resourceId: string
  key: string
  value: string
}

function tagsByEndpoint(rows: TagRow[]): Map<string, Tag[]> {
  const byEndpoint = new Map<string, Tag[]>()
  for (const { resourceId, key, value } of rows) {
    let tags = byEndpoint.get(resourceId)
    if (tags === undefined) byEndpoint.set(resourceId, (tags = []))
    tags.push({ key, value })
  }
  return byEndpoint
}

type PageArgs = [projectId: string, limit: number, offset: number]

interface PageStatements {
  rows: Prepared<PageArgs, PageRow>
  tags: Prepared<PageArgs, TagRow>
  forwarding: Prepared<PageArgs, ForwardingRow>
}

/** The ids of one page, in the page's order: what the tags and forwarding statements select by. */
function pageIds(eb: ExpressionBuilder<Database, keyof Database>, sortKey: SortKey, sortDir: SortDir, [projectId, limit, offset]: PageArgs) {
  return applyPage(eb.selectFrom('endpoints').select('endpoints.id').where('endpoints.projectId', '=', projectId), { sortKey, sortDir, limit, offset })
}

/** One set of statements per sort order: the order is part of the SQL, the rest are parameters. */
const statementsByOrder = new Map<string, PageStatements>()

function pageStatements(sortKey: SortKey, sortDir: SortDir): PageStatements {
  const key = `${sortKey} ${sortDir}`
  let statements = statementsByOrder.get(key)
  if (statements !== undefined) return statements
  // Qualified columns here: the joined service has created_at and updated_at of its own.
  const column = sortKey === 'update_at' ? 'updatedAt' : 'createdAt'
  statements = {
    rows: prepared(
      (db, projectId: string, limit: number, offset: number) =>
        db
          .selectFrom('endpoints')
          .leftJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
          .selectAll('endpoints')
          .select(['endpointServices.serviceName as joinedServiceName', 'endpointServices.serviceType as joinedServiceType'])
          .where('endpoints.projectId', '=', projectId)
          .orderBy(sql.ref(`endpoints.${column}`), sortDir)
          .orderBy('endpoints.id', sortDir)
          .limit(limit)
          .offset(offset),
    ),
    tags: prepared(
      (db, ...args: PageArgs) =>
        db
          .selectFrom('tags')
          .select(['tags.resourceId', 'tags.key', 'tags.value'])
          .where('tags.resourceType', '=', 'endpoint')
          .where('tags.resourceId', 'in', (eb) => pageIds(eb, sortKey, sortDir, args))
          .orderBy('tags.resourceId')
          .orderBy('tags.position')
          .orderBy('tags.key'),
    ),
    forwarding: prepared(
      (db, ...args: PageArgs) => db.selectFrom('forwarding').selectAll().where('forwarding.endpointId', 'in', (eb) => pageIds(eb, sortKey, sortDir, args)),
    ),
  }
  statementsByOrder.set(key, statements)
  return statements
}
