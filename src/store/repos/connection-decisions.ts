import { CompiledQuery } from 'kysely'
import type { Store } from '../database.ts'
import type { Scope, Tag } from '../../model/resources.ts'
import { nameStatement } from '../postgres-statements.ts'
import { changeConnectionStatus, findConnectionRow, type EndpointRow } from './endpoints.ts'
import { recordEvents } from './events.ts'
import { findOwnServiceRow } from './services.ts'
import { tagsOf, tagsOfJoinedRows } from './tags.ts'

/** A provider's decision on one connection of its own service, as the domain rules allow it. */
export interface ConnectionDecision {
  /** The provider: the service must be one of its own. */
  scope: Scope
  serviceId: string
  endpointId: string
  /** The status the service must have for the decision to apply. */
  serviceStatus: string
  /** The statuses the connection may move from, and the one it moves to. */
  from: readonly string[]
  to: string
  stamp: string
}

/** What the decision found (before it applied), and whether it applied. */
export interface DecisionOutcome {
  service: { projectId: string; status: string; serviceName: string; serviceType: string } | undefined
  /** The connection as it was read, before the decision; absent when it is not one of the service's. */
  row: EndpointRow | undefined
  tags: Tag[]
  /**
   * Whether the connection moved to `to` (and its `connection.<to>` event was written, in the same
   * transaction). It does only when the service has `serviceStatus` and the connection's status, as
   * read, is one of `from` and was still that status when changed.
   */
  applied: boolean
}

/**
 * Applies a decision in one transaction: reads the service and the connection, moves the connection when
 * the rules allow, and records the outbox event
 * `{ serviceId, serviceProjectId, domainId, from, to, markerId }` (that key order, as JSON.stringify
 * writes it). On PostgreSQL all of it is one statement, committed on its own: one round trip per decision.
 */
export async function applyConnectionDecision(store: Store, decision: ConnectionDecision): Promise<DecisionOutcome> {
  return store.dialect === 'postgres' ? decideInOneStatement(store, decision) : decideStepByStep(store, decision)
}

async function decideStepByStep(store: Store, d: ConnectionDecision): Promise<DecisionOutcome> {
  return store.transaction(async (tx) => {
    const service = await findOwnServiceRow(tx, d.scope, d.serviceId)
    const row = await findConnectionRow(tx, d.serviceId, d.endpointId)
    let applied = false
    if (service?.status === d.serviceStatus && row !== undefined && d.from.includes(row.status)) {
      applied = await changeConnectionStatus(tx, d.endpointId, row.status, d.to, d.stamp)
      if (applied) {
        const payload = { serviceId: d.serviceId, serviceProjectId: service.projectId, domainId: row.accountId, from: row.status, to: d.to, markerId: row.markerId }
        await recordEvents(tx, [{ type: `connection.${d.to}`, resourceType: 'endpoint', resourceId: row.id, projectId: row.projectId, occurredAt: d.stamp, payload }])
      }
    }
    const tags = row === undefined ? [] : ((await tagsOf(tx, 'endpoint', [row.id])).get(row.id) ?? [])
    return { service, row, tags, applied }
  })
}

/**
 * The PostgreSQL statement. Every part sees the statement's snapshot; the update is conditional on the
 * status read (`endpoints.status = conn.status`), so a concurrent change committed in between leaves it
 * with no row (READ COMMITTED re-checks the condition on the newest version), and then nothing is recorded
 * and the caller reads again. The payload is built with to_json, which escapes exactly as JSON.stringify.
 */
const DECIDE_SQL = `with svc as (
  select project_id, status, service_name, service_type from endpoint_services where project_id = $1::text and id = $2::text
), conn as (
  select * from endpoints where id = $3::text and service_id = $2::text
), changed as (
  update endpoints set status = $5::text, updated_at = $6::text
  from conn, svc
  where endpoints.id = conn.id and endpoints.status = conn.status and conn.status = any($4::text[]) and svc.status = $7::text
  returning endpoints.id
), recorded as (
  insert into events (type, resource_type, resource_id, project_id, occurred_at, payload)
  select 'connection.' || $5::text, 'endpoint', conn.id, conn.project_id, $6::text,
    '{"serviceId":' || to_json($2::text) || ',"serviceProjectId":' || to_json(svc.project_id) || ',"domainId":' || to_json(conn.account_id)
      || ',"from":' || to_json(conn.status) || ',"to":' || to_json($5::text) || ',"markerId":' || conn.marker_id || '}'
  from changed, conn, svc
  returning seq
)
select svc.project_id as decided_service_project_id, svc.status as decided_service_status, svc.service_name as decided_service_name,
  svc.service_type as decided_service_type, (select count(*) from recorded) as decided_applied, conn.*, tags.key as tag_key, tags.value as tag_value
from (select) as one
left join svc on true
left join conn on true
left join tags on tags.resource_type = 'endpoint' and tags.resource_id = conn.id
order by tags.position, tags.key`
nameStatement(DECIDE_SQL)

interface DecisionRow extends EndpointRow {
  decidedServiceProjectId: string | null
  decidedServiceStatus: string | null
  decidedServiceName: string | null
  decidedServiceType: string | null
  decidedApplied: number
  tagKey: string | null
  tagValue: string | null
}

async function decideInOneStatement(store: Store, d: ConnectionDecision): Promise<DecisionOutcome> {
  const query = CompiledQuery.raw(DECIDE_SQL, [d.scope.projectId, d.serviceId, d.endpointId, [...d.from], d.to, d.stamp, d.serviceStatus]) as CompiledQuery<DecisionRow>
  const { rows } = await store.statement(query, (result) => Number(result.rows[0]?.decidedApplied) > 0)
  const first = rows[0]!
  const { decidedServiceProjectId, decidedServiceStatus, decidedServiceName, decidedServiceType, decidedApplied, tagKey: _key, tagValue: _value, ...row } = first
  const service =
    decidedServiceStatus === null ? undefined : { projectId: decidedServiceProjectId!, status: decidedServiceStatus, serviceName: decidedServiceName!, serviceType: decidedServiceType! }
  return { service, row: row.id === null ? undefined : row, tags: tagsOfJoinedRows(rows), applied: Number(decidedApplied) > 0 }
}
