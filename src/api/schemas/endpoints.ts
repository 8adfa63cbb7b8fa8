import Type, { type Static } from 'typebox'
import { CONNECTION_FILTER_STATUSES, ENDPOINT_STATUSES, type Endpoint, type Forwarding } from '../../model/resources.ts'
import type { CreateEndpointInput } from '../../domain/endpoints.ts'
import { toWireTime } from '../../domain/clock.ts'
import { Description, Id, PageQuery, StringEnum, TagOut, TagSchema, UuidString, WireTime, coded } from './common.ts'

const Ipv4OrCidr = Type.String({ maxLength: 18, pattern: '^(\\d{1,3}\\.){3}\\d{1,3}(/\\d{1,2})?$' })
const Ipv4 = '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$'

export const PolicyStatement = Type.Object({
  Effect: StringEnum(['Allow', 'Deny']),
  Action: Type.Array(Type.String()),
  Resource: Type.Array(Type.String()),
  Condition: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  Sid: Type.Optional(Type.String()),
}, {
  // A statement is the user's policy, stored and echoed verbatim: keys beyond these five are kept.
  additionalProperties: true,
})

export const CreateEndpointBody = Type.Object(
  {
    endpoint_service_id: Id,
    vpc_id: coded(UuidString, 'EndPoint.0020'),
    subnet_id: Type.Optional(coded(UuidString, 'EndPoint.0023')),
    port_ip: Type.Optional(coded(Type.String({ pattern: Ipv4 }), 'EndPoint.3010')),
    enable_dns: Type.Optional(coded(Type.Boolean(), 'EndPoint.2033')),
    routetables: Type.Optional(Type.Array(UuidString, { maxItems: 200 })),
    whitelist: Type.Optional(coded(Type.Array(Ipv4OrCidr, { maxItems: 60 }), 'EndPoint.3009')),
    enable_whitelist: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Type.Array(TagSchema, { maxItems: 100 })),
    description: Type.Optional(Description()),
    policy_statement: Type.Optional(Type.Array(PolicyStatement, { maxItems: 100 })),
    policy_document: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    ip_version: Type.Optional(StringEnum(['ipv4', 'dualstack'])),
    ipv6_address: Type.Optional(Type.String({ maxLength: 64 })),
  },
)

/** Union of every endpoint representation (digest §4.0); every field present but `error` (failed only) and `policy_document` (when set). */
export const EndpointOut = Type.Object({
  id: Type.String(),
  service_type: Type.String(),
  status: StringEnum(ENDPOINT_STATUSES),
  active_status: Type.Array(Type.String()),
  enable_status: Type.String(),
  specification_name: Type.String(),
  endpoint_service_name: Type.String(),
  marker_id: Type.Integer(),
  endpoint_service_id: Type.String(),
  enable_dns: Type.Boolean(),
  dns_names: Type.Array(Type.String()),
  ip: Type.String(),
  ipv6_address: Type.String(),
  ip_version: Type.String(),
  vpc_id: Type.String(),
  subnet_id: Type.String(),
  created_at: WireTime,
  updated_at: WireTime,
  project_id: Type.String(),
  tags: Type.Array(TagOut),
  error: Type.Optional(Type.Array(Type.Object({ error_code: Type.String(), error_message: Type.String() }))),
  whitelist: Type.Array(Type.String()),
  enable_whitelist: Type.Boolean(),
  routetables: Type.Array(Type.String()),
  description: Type.String(),
  policy_statement: Type.Array(PolicyStatement),
  policy_document: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  endpoint_pool_id: Type.String(),
  public_border_group: Type.String(),
  forwarding: Type.Optional(
    Type.Object(
      {
        state: StringEnum(['forwarding', 'error', 'stopped']),
        message: Type.String(),
        proxy_protocol: Type.String(),
        listeners: Type.Array(Type.Object({ protocol: Type.String(), client_port: Type.Integer(), listen: Type.String(), backend: Type.String() })),
        active_connections: Type.Integer(),
        connections_total: Type.Integer(),
        refused_total: Type.Integer(),
        bytes_in: Type.Integer(),
        bytes_out: Type.Integer(),
        updated_at: WireTime,
      },
      { description: 'vpcep extension (SDKs ignore it): where the data plane forwards this accepted endpoint, and its counters.' },
    ),
  ),
})

export const EndpointParams = Type.Object({ project_id: Id, vpc_endpoint_id: Id })

export const ListEndpointsQuery = Type.Object({
  ...PageQuery(),
  endpoint_service_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  vpc_id: Type.Optional(Id),
  id: Type.Optional(Id),
  public_border_group: Type.Optional(Type.String({ maxLength: 64 })),
})
export const ListEndpointsResponse = Type.Object({ endpoints: Type.Array(EndpointOut), total_count: Type.Integer() })

/** One connection: an endpoint as its service's owner sees it. */
export const ConnectionOut = Type.Object({
  id: Type.String(),
  marker_id: Type.Integer(),
  created_at: WireTime,
  updated_at: WireTime,
  domain_id: Type.String(),
  error: Type.Optional(Type.Array(Type.Object({ error_code: Type.String(), error_message: Type.String() }))),
  status: StringEnum(ENDPOINT_STATUSES),
  description: Type.String(),
})

export const ListConnectionsQuery = Type.Object({
  ...PageQuery(),
  id: Type.Optional(Id),
  marker_id: Type.Optional(coded(Type.Integer({ minimum: 0, maximum: 2_147_483_647 }), 'EndPoint.0021')),
  status: Type.Optional(StringEnum(CONNECTION_FILTER_STATUSES, { 'x-vpcep-error': 'EndPoint.0019' })),
})
export const ListConnectionsResponse = Type.Object({ connections: Type.Array(ConnectionOut), total_count: Type.Integer() })

export const ConnectionActionBody = Type.Object(
  { action: Type.String({ minLength: 1, maxLength: 32 }), endpoints: Type.Array(Id, { maxItems: 1000 }) },
)
export const ConnectionsResponse = Type.Object({ connections: Type.Array(ConnectionOut) })

export function toCreateEndpointInput(body: Static<typeof CreateEndpointBody>): CreateEndpointInput {
  return {
    serviceId: body.endpoint_service_id,
    vpcId: body.vpc_id,
    subnetId: body.subnet_id,
    portIp: body.port_ip,
    enableDns: body.enable_dns,
    whitelist: body.whitelist,
    enableWhitelist: body.enable_whitelist,
    tags: body.tags?.map((t) => ({ key: t.key, value: t.value ?? '' })),
    description: body.description,
    routetables: body.routetables,
    policyStatement: body.policy_statement,
    policyDocument: body.policy_document,
    ipVersion: body.ip_version,
    ipv6Address: body.ipv6_address,
  }
}

export function toWireEndpoint(e: Endpoint, poolId: string): Static<typeof EndpointOut> {
  return {
    id: e.id,
    service_type: e.serviceType,
    status: e.status,
    active_status: ['active'],
    enable_status: 'enable',
    specification_name: e.edition === 'profession' ? 'default-profession' : 'default',
    endpoint_service_name: e.serviceName,
    marker_id: e.markerId,
    endpoint_service_id: e.serviceId,
    enable_dns: e.enableDns,
    dns_names: e.dnsNames,
    ip: e.ip,
    ipv6_address: e.ipv6Address,
    // Not stored: a dual-stack endpoint is exactly one that was given an IPv6 address at create.
    ip_version: e.ipv6Address ? 'dualstack' : 'ipv4',
    vpc_id: e.vpcId,
    subnet_id: e.subnetId,
    created_at: toWireTime(e.createdAt),
    updated_at: toWireTime(e.updatedAt),
    project_id: e.projectId,
    tags: e.tags,
    ...(e.status === 'failed' ? { error: e.errors.map((x) => ({ error_code: x.errorCode, error_message: x.errorMessage })) } : {}),
    whitelist: e.whitelist,
    enable_whitelist: e.enableWhitelist,
    routetables: e.routetables,
    description: e.description,
    policy_statement: e.policyStatement as Static<typeof PolicyStatement>[],
    ...(e.policyDocument !== undefined ? { policy_document: e.policyDocument as Record<string, unknown> } : {}),
    endpoint_pool_id: poolId,
    public_border_group: '',
    ...(e.forwarding ? { forwarding: toWireForwarding(e.forwarding) } : {}),
  }
}

function toWireForwarding(f: Forwarding) {
  return {
    state: f.state,
    message: f.message,
    proxy_protocol: f.proxyProtocol,
    listeners: f.listeners.map((l) => ({ protocol: l.protocol, client_port: l.clientPort, listen: l.listen, backend: l.backend })),
    active_connections: f.activeConnections,
    connections_total: f.connectionsTotal,
    refused_total: f.refusedTotal,
    bytes_in: f.bytesIn,
    bytes_out: f.bytesOut,
    updated_at: toWireTime(f.updatedAt),
  }
}

export function toWireConnection(e: Endpoint): Static<typeof ConnectionOut> {
  return {
    id: e.id,
    marker_id: e.markerId,
    created_at: toWireTime(e.createdAt),
    updated_at: toWireTime(e.updatedAt),
    domain_id: e.accountId,
    ...(e.status === 'failed' ? { error: e.errors.map((x) => ({ error_code: x.errorCode, error_message: x.errorMessage })) } : {}),
    status: e.status,
    description: e.connectionDescription,
  }
}

export const ConnectionDescriptionBody = Type.Object(
  {
    connections: Type.Array(Type.Object({ id: Id, description: Description() }), { minItems: 1, maxItems: 500 }),
  },
)

export const UpdateEndpointWhitelistBody = Type.Object(
  {
    whitelist: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })),
    enable_whitelist: Type.Optional(Type.Boolean()),
  },
)

export const UpdatePolicyBody = Type.Object(
  {
    policy_statement: Type.Optional(Type.Array(PolicyStatement, { maxItems: 100 })),
    policy_document: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
)

export const RouteTablesBody = Type.Object({ routetables: Type.Array(coded(UuidString, 'EndPoint.1019'), { maxItems: 200 }) })
const RouteTableFailure = Type.Object({ id: Type.String(), error_message: Type.String() })
export const RouteTablesResponse = Type.Object({
  routetables: Type.Array(Type.String()),
  error: Type.Array(Type.Object({ bind_failed: Type.Array(RouteTableFailure), unbind_failed: Type.Array(RouteTableFailure) })),
})

export const UpgradeEndpointBody = Type.Object({ action: Type.String({ minLength: 1, maxLength: 32 }) })
