import { GoClient, omitEmpty, statusOrDeleted, unlessGone, waitForState } from './go-client.ts'

/*
 * The Terraform provider's vpcep resources replayed step by step (huaweicloud/services/vpcep/
 * resource_huaweicloud_vpcep_{service,endpoint,approval}.go at the commit named in docs/terraform.md):
 * the requests its Create/Read/Update/Delete send, the waiters' pending and target lists, what Read puts
 * in state, and the plan's comparison of configuration with state for each attribute's schema flags.
 * Waiter delays are left out; everything else follows the provider's code.
 */

export type Tags = Record<string, string>
const SERVICES = '/v1/{project_id}/vpc-endpoint-services'
const ENDPOINTS = '/v1/{project_id}/vpc-endpoints'

export interface ServiceConfig {
  server_type: string
  vpc_id: string
  port_id: string
  port_mapping: Array<{ protocol?: string; service_port: number; terminal_port: number }>
  name?: string
  service_type?: string
  approval?: boolean
  permissions?: string[]
  organization_permissions?: string[]
  description?: string
  enable_policy?: boolean
  tcp_proxy?: string
  ip_version?: string
  snat_network_id?: string
  ip_address?: string
  pool_id?: string
  tags?: Tags
}

export interface EndpointConfig {
  service_id: string
  vpc_id: string
  network_id?: string
  enable_dns?: boolean
  ip_address?: string
  description?: string
  routetables?: string[]
  enable_whitelist?: boolean
  whitelist?: string[]
  policy_statement?: string
  policy_document?: string
  ip_version?: string
  ipv6_address?: string
  tags?: Tags
}

export type State = Record<string, any>

/** An attribute's schema flags, as far as the plan's comparison needs them. */
interface Attribute {
  kind: 'scalar' | 'set' | 'map' | 'list' | 'json'
  /** Optional+Computed: an attribute the configuration leaves out takes whatever Read stored. */
  computed?: boolean
  default?: unknown
}

const SERVICE_SCHEMA: Record<string, Attribute> = {
  server_type: { kind: 'scalar' },
  vpc_id: { kind: 'scalar' },
  port_id: { kind: 'scalar' },
  port_mapping: { kind: 'list' },
  name: { kind: 'scalar', default: '' },
  service_type: { kind: 'scalar', default: 'interface' },
  approval: { kind: 'scalar', computed: true },
  permissions: { kind: 'set', default: [] },
  organization_permissions: { kind: 'set', computed: true },
  description: { kind: 'scalar', computed: true },
  enable_policy: { kind: 'scalar', computed: true },
  tcp_proxy: { kind: 'scalar', computed: true },
  ip_version: { kind: 'scalar', computed: true },
  snat_network_id: { kind: 'scalar', computed: true },
  ip_address: { kind: 'scalar', computed: true },
  pool_id: { kind: 'scalar', computed: true },
  tags: { kind: 'map', computed: true },
}

const ENDPOINT_SCHEMA: Record<string, Attribute> = {
  service_id: { kind: 'scalar' },
  vpc_id: { kind: 'scalar' },
  network_id: { kind: 'scalar', computed: true },
  enable_dns: { kind: 'scalar', default: true },
  ip_address: { kind: 'scalar', computed: true },
  description: { kind: 'scalar', computed: true },
  routetables: { kind: 'set', computed: true },
  enable_whitelist: { kind: 'scalar', default: false },
  whitelist: { kind: 'set', default: [] },
  policy_statement: { kind: 'json', computed: true },
  policy_document: { kind: 'json', computed: true },
  ip_version: { kind: 'scalar', computed: true },
  ipv6_address: { kind: 'scalar', computed: true },
  tags: { kind: 'map', computed: true },
}

function normalised(attribute: Attribute, value: unknown): unknown {
  if (attribute.kind === 'set') return [...((value as string[] | null | undefined) ?? [])].sort()
  if (attribute.kind === 'map') return Object.entries((value as Tags | null | undefined) ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))
  if (attribute.kind === 'list') return (value as Array<Record<string, unknown>>).map((p) => ({ protocol: 'TCP', ...p }))
  if (attribute.kind === 'json') return value === undefined || value === '' ? undefined : JSON.stringify(JSON.parse(value as string))
  return value
}

/** The attributes `terraform plan` would change, with configuration and state values. */
function planFor(schema: Record<string, Attribute>, config: Record<string, unknown>, state: State): string[] {
  const changes: string[] = []
  for (const [name, attribute] of Object.entries(schema)) {
    const given = config[name]
    if (given === undefined && attribute.computed) continue
    const wanted = normalised(attribute, given ?? attribute.default)
    const stored = normalised(attribute, state[name] ?? attribute.default)
    if (JSON.stringify(wanted) !== JSON.stringify(stored)) changes.push(`${name}: ${JSON.stringify(stored)} → ${JSON.stringify(wanted)}`)
  }
  return changes
}

function resourceTags(tags: Tags | undefined): Array<{ key: string; value?: string }> | undefined {
  // tags.ResourceTag is {Key `json:"key"`, Value `json:"value,omitempty"`}: an empty value is left out.
  const list = Object.entries(tags ?? {}).map(([key, value]) => omitEmpty({ key, value }) as { key: string; value?: string })
  return list.length ? list : undefined
}

function tagsToMap(tags: Array<{ key: string; value?: string }> | undefined): Tags {
  return Object.fromEntries((tags ?? []).map((t) => [t.key, t.value ?? '']))
}

/** utils.UpdateResourceTags: delete every old tag (with its value), then create every new one. */
async function updateTags(go: GoClient, resourceType: string, id: string, old: Tags, wanted: Tags): Promise<void> {
  const path = `/v1/{project_id}/${resourceType}/${id}/tags/action`
  const oldList = resourceTags(old)
  if (oldList) await go.request('POST', path, { body: { action: 'delete', tags: oldList }, ok: [200, 204] })
  const newList = resourceTags(wanted)
  if (newList) await go.request('POST', path, { body: { action: 'create', tags: newList }, ok: [200, 204] })
}

function difference(a: string[] = [], b: string[] = []): string[] {
  return a.filter((x) => !b.includes(x))
}

function sameSet(a: string[] = [], b: string[] = []): boolean {
  return difference(a, b).length === 0 && difference(b, a).length === 0
}

export class ServiceResource {
  constructor(private readonly go: GoClient) {}

  get(id: string): Promise<any> {
    return this.go.request('GET', `${SERVICES}/${id}`)
  }

  private async permissionAction(id: string, action: 'add' | 'remove', permissions: string[], permissionType: string): Promise<void> {
    if (permissions.length === 0) return
    await this.go.request('POST', `${SERVICES}/${id}/permissions/action`, { body: { action, permissions, permission_type: permissionType } })
  }

  private async updatePermissions(id: string, old: State, config: ServiceConfig): Promise<void> {
    if (!sameSet(old.permissions, config.permissions)) {
      await this.permissionAction(id, 'add', difference(config.permissions, old.permissions), 'domainId')
      await this.permissionAction(id, 'remove', difference(old.permissions, config.permissions), 'domainId')
    }
    if (config.organization_permissions !== undefined && !sameSet(old.organization_permissions, config.organization_permissions)) {
      await this.permissionAction(id, 'add', difference(config.organization_permissions, old.organization_permissions), 'orgPath')
      await this.permissionAction(id, 'remove', difference(old.organization_permissions, config.organization_permissions), 'orgPath')
    }
  }

  private portOpts(config: ServiceConfig) {
    return config.port_mapping.map((p) => omitEmpty({ protocol: p.protocol ?? 'TCP', client_port: p.terminal_port, server_port: p.service_port }))
  }

  /** resourceVPCEndpointServiceCreate; answers the state after its Read and the states the waiter saw. */
  async create(config: ServiceConfig, extraFields: Record<string, unknown> = {}): Promise<{ state: State; seen: string[] }> {
    const body = {
      vpc_id: config.vpc_id,
      port_id: config.port_id,
      server_type: config.server_type,
      ports: this.portOpts(config),
      ...omitEmpty({
        service_name: config.name,
        service_type: config.service_type ?? 'interface',
        tcp_proxy: config.tcp_proxy,
        tags: resourceTags(config.tags),
        description: config.description,
        ip_version: config.ip_version,
        snat_network_id: config.snat_network_id,
        ip: config.ip_address,
        pool_id: config.pool_id,
      }),
      approval_enabled: config.approval ?? false,
      ...(config.enable_policy ? { enable_policy: true } : {}),
      ...extraFields,
    }
    const created = await this.go.request('POST', SERVICES, { body, ok: [200] })
    const seen = await waitForState(statusOrDeleted(() => this.get(created.id)), ['creating'], ['available'], `service ${created.id}`)
    await this.updatePermissions(created.id, {}, config)
    return { state: (await this.read(created.id, { ...config, id: created.id }))!, seen }
  }

  /** resourceVPCEndpointServiceRead over `prior` (what state held before): undefined when gone (404). */
  async read(id: string, prior: State = {}): Promise<State | undefined> {
    const n = await unlessGone(() => this.get(id))
    if (!n) return undefined
    const state: State = {
      ...prior,
      id,
      status: n.status,
      service_name: n.service_name,
      vpc_id: n.vpc_id,
      port_id: n.port_id,
      approval: n.approval_enabled,
      server_type: n.server_type,
      service_type: n.service_type,
      description: n.description,
      tcp_proxy: n.tcp_proxy,
      port_mapping: n.ports.map((p: any) => ({ protocol: p.protocol, service_port: p.server_port, terminal_port: p.client_port })),
      tags: tagsToMap(n.tags),
      enable_policy: n.enable_policy,
      ip_version: n.ip_version,
      snat_network_id: n.snat_network_id,
      ip_address: n.ip,
      pool_id: n.pool_id,
    }
    const nameParts = String(n.service_name).split('.')
    if (nameParts.length > 2) state.name = nameParts[1]
    state.connections = (await this.go.listAll(`${SERVICES}/${id}/connections`, 'connections')).map((c) => ({ endpoint_id: c.id, packet_id: c.marker_id, domain_id: c.domain_id, status: c.status, description: c.description }))
    const permissions = await this.go.listAll(`${SERVICES}/${id}/permissions`, 'permissions')
    state.permissions = permissions.filter((p) => p.permission_type === 'domainId').map((p) => p.permission)
    state.organization_permissions = permissions.filter((p) => p.permission_type === 'orgPath').map((p) => p.permission)
    return state
  }

  plan(config: ServiceConfig, state: State): string[] {
    return planFor(SERVICE_SCHEMA, config as unknown as Record<string, unknown>, state)
  }

  /** resourceVPCEndpointServiceUpdate: the changed attributes are those `plan` names. */
  async update(state: State, config: ServiceConfig): Promise<State> {
    const changed = new Set(this.plan(config, state).map((c) => c.split(':')[0]))
    const wanted = { ...state, ...config }
    if (['name', 'approval', 'port_id', 'port_mapping', 'description', 'tcp_proxy', 'ip_address'].some((a) => changed.has(a))) {
      const body: Record<string, unknown> = { ...omitEmpty({ service_name: wanted.name }), description: wanted.description ?? '' }
      if (changed.has('approval')) body.approval_enabled = wanted.approval
      if (changed.has('port_id')) body.port_id = wanted.port_id
      if (changed.has('port_mapping')) body.ports = this.portOpts(config)
      if (changed.has('tcp_proxy') && wanted.tcp_proxy) body.tcp_proxy = wanted.tcp_proxy
      if (changed.has('ip_address') && wanted.ip_address) body.ip = wanted.ip_address
      await this.go.request('PUT', `${SERVICES}/${state.id}`, { body, ok: [200] })
    }
    if (changed.has('tags')) await updateTags(this.go, 'endpoint_service', state.id, state.tags ?? {}, config.tags ?? {})
    await this.updatePermissions(state.id, state, config)
    return (await this.read(state.id, wanted))!
  }

  /** resourceVPCEndpointServiceDelete; answers the states its waiter saw. */
  async delete(id: string): Promise<string[]> {
    await this.go.request('DELETE', `${SERVICES}/${id}`)
    return waitForState(statusOrDeleted(() => this.get(id)), ['available', 'deleting'], ['deleted'], `deleting service ${id}`)
  }
}

export class EndpointResource {
  constructor(private readonly go: GoClient) {}

  get(id: string): Promise<any> {
    return this.go.request('GET', `${ENDPOINTS}/${id}`)
  }

  async create(config: EndpointConfig, extraFields: Record<string, unknown> = {}): Promise<{ state: State; seen: string[] }> {
    const enableAcl = config.enable_whitelist ?? false
    const body = {
      endpoint_service_id: config.service_id,
      vpc_id: config.vpc_id,
      ...omitEmpty({
        subnet_id: config.network_id,
        port_ip: config.ip_address,
        description: config.description,
        ip_version: config.ip_version,
        ipv6_address: config.ipv6_address,
        tags: resourceTags(config.tags),
        policy_statement: config.policy_statement ? JSON.parse(config.policy_statement) : undefined,
        policy_document: config.policy_document ? JSON.parse(config.policy_document) : undefined,
        routetables: config.routetables,
        whitelist: enableAcl ? config.whitelist : undefined,
      }),
      enable_dns: config.enable_dns ?? true,
      enable_whitelist: enableAcl,
      ...extraFields,
    }
    const created = await this.go.request('POST', ENDPOINTS, { body, ok: [200] })
    const seen = await waitForState(statusOrDeleted(() => this.get(created.id)), ['creating'], ['accepted', 'pendingAcceptance'], `endpoint ${created.id}`)
    return { state: (await this.read(created.id, { ...config, id: created.id }))!, seen }
  }

  async read(id: string, prior: State = {}): Promise<State | undefined> {
    const ep = await unlessGone(() => this.get(id))
    if (!ep) return undefined
    const state: State = {
      ...prior,
      id,
      status: ep.status,
      service_id: ep.endpoint_service_id,
      service_name: ep.endpoint_service_name,
      service_type: ep.service_type,
      vpc_id: ep.vpc_id,
      network_id: ep.subnet_id,
      ip_address: ep.ip,
      description: ep.description,
      enable_whitelist: ep.enable_whitelist,
      packet_id: ep.marker_id,
      tags: tagsToMap(ep.tags),
      // json.Marshal of the decoded value: an absent field is "null".
      policy_statement: JSON.stringify(ep.policy_statement ?? null),
      policy_document: JSON.stringify(ep.policy_document ?? null),
      ip_version: ep.ip_version,
      ipv6_address: ep.ipv6_address,
      routetables: ep.routetables?.length ? ep.routetables : null,
      whitelist: ep.whitelist?.length ? ep.whitelist : null,
      private_domain_name: ep.dns_names?.[0] ?? null,
    }
    if (ep.service_type === 'interface') state.enable_dns = ep.enable_dns
    return state
  }

  plan(config: EndpointConfig, state: State): string[] {
    return planFor(ENDPOINT_SCHEMA, config as unknown as Record<string, unknown>, state)
  }

  async update(state: State, config: EndpointConfig): Promise<State> {
    const changed = new Set(this.plan(config, state).map((c) => c.split(':')[0]))
    if (changed.has('enable_whitelist') || changed.has('whitelist')) {
      await this.go.request('PUT', `${ENDPOINTS}/${state.id}`, { body: { enable_whitelist: config.enable_whitelist ?? false, whitelist: config.whitelist ?? [] }, ok: [200] })
    }
    if (changed.has('tags')) await updateTags(this.go, 'endpoint', state.id, state.tags ?? {}, config.tags ?? {})
    if (changed.has('routetables')) await this.go.request('PUT', `${ENDPOINTS}/${state.id}/routetables`, { body: { routetables: config.routetables ?? [] }, ok: [200] })
    return (await this.read(state.id, { ...state, ...config }))!
  }

  async delete(id: string): Promise<string[]> {
    await this.go.request('DELETE', `${ENDPOINTS}/${id}`)
    return waitForState(statusOrDeleted(() => this.get(id)), ['deleting'], ['deleted'], `deleting endpoint ${id}`)
  }

  /** data "huaweicloud_vpcep_endpoints": ListAllItems over offset, then the list items as the data source reads them. */
  async dataSource(filters: { service_name?: string; vpc_id?: string; endpoint_id?: string } = {}): Promise<any[]> {
    const query = omitEmpty({ endpoint_service_name: filters.service_name, vpc_id: filters.vpc_id, id: filters.endpoint_id }) as Record<string, string>
    return this.go.listAll(ENDPOINTS, 'endpoints', query)
  }
}

const ACTION_TARGET = { receive: 'accepted', reject: 'rejected' } as const

export class ApprovalResource {
  constructor(private readonly go: GoClient) {}

  private connectionStatus(serviceId: string, endpointId: string): () => Promise<string> {
    return async () => {
      const listed = await unlessGone(() => this.go.request('GET', `${SERVICES}/${serviceId}/connections`, { query: { id: endpointId } }))
      const connections = listed?.connections ?? []
      return connections.length === 1 && connections[0].id === endpointId ? connections[0].status : 'deleted'
    }
  }

  /** doConnectionAction: one endpoint per request, each followed by its waiter. */
  async act(serviceId: string, action: 'receive' | 'reject', endpointIds: string[]): Promise<string[][]> {
    const seen: string[][] = []
    for (const endpointId of endpointIds) {
      await this.go.request('POST', `${SERVICES}/${serviceId}/connections/action`, { body: { action, endpoints: [endpointId] }, ok: [200] })
      seen.push(await waitForState(this.connectionStatus(serviceId, endpointId), ['creating', 'pendingAcceptance'], [ACTION_TARGET[action]], `${action} ${endpointId}`))
    }
    return seen
  }

  async create(serviceId: string, endpoints: string[]): Promise<State> {
    const service = await this.go.request('GET', `${SERVICES}/${serviceId}`)
    if (service.status !== 'available') throw new Error(`the status of VPC endpoint service is ${service.status}, expected to be available`)
    await this.act(serviceId, 'receive', endpoints)
    return this.read(serviceId, endpoints)
  }

  async read(serviceId: string, endpoints: string[]): Promise<State> {
    const connections = await this.go.listAll(`${SERVICES}/${serviceId}/connections`, 'connections')
    return { id: serviceId, service_id: serviceId, endpoints, connections: connections.map((c) => ({ endpoint_id: c.id, packet_id: c.marker_id, domain_id: c.domain_id, status: c.status, description: c.description })) }
  }

  async update(state: State, endpoints: string[]): Promise<State> {
    await this.act(state.service_id, 'receive', difference(endpoints, state.endpoints))
    await this.act(state.service_id, 'reject', difference(state.endpoints, endpoints))
    return this.read(state.service_id, endpoints)
  }

  async delete(state: State): Promise<void> {
    await this.act(state.service_id, 'reject', state.endpoints)
  }
}
