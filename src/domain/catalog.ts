import { createHash } from 'node:crypto'
import fs from 'node:fs'
import type { Store } from '../store/database.ts'
import { ensurePlatformAccount, publishPlatformService } from '../store/repos/platform.ts'
import { toStoredTime, type Clock } from './clock.ts'
import type { PortMapping } from '../model/resources.ts'

/** One operator-provided service, as written in the catalog file. */
export interface CatalogEntry {
  /** Short name: the service is published as `com.myhuaweicloud.<region>.<name>`. */
  name: string
  serviceType: 'interface' | 'gateway'
  owner: string
  isCharge: boolean
  enablePolicy: boolean
  description: string
  ports: PortMapping[]
}

/** The platform services a Huawei Cloud region offers to every account (digest §4.2.8). */
export const BUILT_IN_CATALOG: CatalogEntry[] = [
  { name: 'obs', serviceType: 'gateway', owner: 'huaweicloud', isCharge: false, enablePolicy: true, description: 'Object Storage Service', ports: [] },
  { name: 'dns', serviceType: 'interface', owner: 'huaweicloud', isCharge: false, enablePolicy: false, description: 'Private DNS resolver', ports: [{ clientPort: 53, serverPort: 53, protocol: 'UDP' }] },
  { name: 'apig', serviceType: 'interface', owner: 'huaweicloud', isCharge: true, enablePolicy: true, description: 'API Gateway', ports: [{ clientPort: 443, serverPort: 443, protocol: 'TCP' }, { clientPort: 80, serverPort: 80, protocol: 'TCP' }] },
]

/** A UUID fixed by its inputs, so every instance and every restart agrees on catalog ids. */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export function platformAccountId(region: string): string {
  return createHash('sha256').update(`vpcep platform account ${region}`).digest('hex').slice(0, 32)
}

function parseCatalog(text: string, file: string): CatalogEntry[] {
  const problem = (what: string) => new Error(`${file}: ${what}`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw problem(`not valid JSON (${(error as Error).message})`)
  }
  const services = (parsed as { services?: unknown }).services
  if (!Array.isArray(services)) throw problem('expected {"services": [...]}')
  return services.map((value: unknown, i: number): CatalogEntry => {
    const at = `services[${i}]`
    const raw = fieldsOf(value)
    if (typeof raw.name !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(raw.name)) throw problem(`${at}.name must be 1-32 of a-z 0-9 _ -`)
    if (raw.service_type !== 'interface' && raw.service_type !== 'gateway') throw problem(`${at}.service_type must be interface or gateway`)
    const ports = raw.ports ?? []
    if (!Array.isArray(ports)) throw problem(`${at}.ports must be an array`)
    return {
      name: raw.name,
      serviceType: raw.service_type,
      owner: typeof raw.owner === 'string' ? raw.owner : 'operator',
      isCharge: raw.is_charge === true,
      enablePolicy: raw.enable_policy === true,
      description: typeof raw.description === 'string' ? raw.description : '',
      ports: ports.map((port: unknown, j: number): PortMapping => {
        const p = fieldsOf(port)
        const valid = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535
        if (!valid(p.client_port) || !valid(p.server_port)) throw problem(`${at}.ports[${j}] needs client_port and server_port in 1-65535`)
        return { clientPort: p.client_port, serverPort: p.server_port, protocol: p.protocol === 'UDP' ? 'UDP' : 'TCP' }
      }),
    }
  })
}

/** The fields of a parsed JSON object; anything else has none. */
function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export function loadCatalog(file: string | undefined): CatalogEntry[] {
  if (!file) return BUILT_IN_CATALOG
  return parseCatalog(fs.readFileSync(file, 'utf8'), file)
}

/**
 * Publishes the catalog's services, owned by a built-in platform account that has no users and cannot
 * sign in. Idempotent and safe when several instances start together (inserts ignore existing rows);
 * entries removed from the catalog are left alone, since endpoints may still use them.
 */
export async function publishCatalog(store: Store, clock: Clock, region: string, entries: CatalogEntry[]): Promise<void> {
  const stamp = toStoredTime(clock.now())
  const accountId = platformAccountId(region)
  const projectId = createHash('sha256').update(`vpcep platform project ${region}`).digest('hex').slice(0, 32)
  await store.transaction(async (tx) => {
    await ensurePlatformAccount(tx, { id: accountId, name: `op.platform.${region}` }, { id: projectId, name: region }, stamp)
    for (const entry of entries) {
      await publishPlatformService(
        tx,
        {
          id: stableUuid(region, 'public-service', entry.name),
          projectId,
          accountId,
          portId: stableUuid(region, 'public-port', entry.name),
          vpcId: stableUuid(region, 'platform-vpc'),
          shortName: entry.name,
          serviceName: `com.myhuaweicloud.${region}.${entry.name}`,
          serviceType: entry.serviceType,
          ownerName: entry.owner,
          isCharge: entry.isCharge,
          enablePolicy: entry.enablePolicy,
          description: entry.description,
          ports: entry.ports,
        },
        stamp,
      )
    }
  })
}
