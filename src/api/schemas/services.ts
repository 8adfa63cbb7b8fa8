import Type, { type Static } from 'typebox'
import { PROTOCOLS, SERVER_TYPES, SERVICE_STATUSES, TCP_PROXY_MODES, type EndpointService } from '../../model/resources.ts'
import type { CreateServiceInput, UpdateServiceInput } from '../../domain/endpoint-services.ts'
import { toWireTime } from '../../domain/clock.ts'
import { Description, Id, PageQuery, ProjectParams, StringEnum, TagOut, TagSchema, UuidString, WireTime, coded } from './common.ts'

export const PortMappingIn = Type.Object(
  {
    client_port: coded(Type.Integer({ minimum: 1, maximum: 65535 }), 'EndPoint.3043'),
    server_port: coded(Type.Integer({ minimum: 1, maximum: 65535 }), 'EndPoint.3043'),
    protocol: Type.Optional(StringEnum(PROTOCOLS, { 'x-vpcep-error': 'EndPoint.3075' })),
  },
)
export const PortMappingOut = Type.Object({ client_port: Type.Integer(), server_port: Type.Integer(), protocol: Type.String() })

export const CreateServiceBody = Type.Object(
  {
    port_id: coded(UuidString, 'EndPoint.3003'),
    vpc_id: coded(UuidString, 'EndPoint.0020'),
    server_type: StringEnum(SERVER_TYPES, { 'x-vpcep-error': 'EndPoint.3021' }),
    ports: coded(Type.Array(PortMappingIn, { minItems: 1, maxItems: 200 }), 'EndPoint.3074'),
    service_name: Type.Optional(coded(Type.String({ maxLength: 16, pattern: '^[A-Za-z0-9_-]*$' }), 'EndPoint.3076')),
    approval_enabled: Type.Optional(Type.Boolean({ default: true })),
    service_type: Type.Optional(StringEnum(['interface', 'gateway'])),
    ip: Type.Optional(coded(Type.String({ maxLength: 255, pattern: '^[A-Za-z0-9.:-]+$' }), 'EndPoint.3010')),
    tcp_proxy: Type.Optional(StringEnum(TCP_PROXY_MODES)),
    tags: Type.Optional(Type.Array(TagSchema, { maxItems: 100 })),
    description: Type.Optional(Description()),
    ip_version: Type.Optional(StringEnum(['ipv4', 'ipv6'])),
    snat_network_id: Type.Optional(UuidString),
    enable_policy: Type.Optional(Type.Boolean()),
    /** The Terraform provider sends it when configured; vpcep has one pool per region (`ServiceOut.pool_id`). */
    pool_id: Type.Optional(Id),
  },
)

/** Union of the create, detail and list representations (digest §4.0); every field always present. */
export const ServiceOut = Type.Object({
  id: Type.String(),
  port_id: Type.String(),
  service_name: Type.String(),
  server_type: Type.String(),
  vpc_id: Type.String(),
  pool_id: Type.String(),
  approval_enabled: Type.Boolean(),
  status: StringEnum(SERVICE_STATUSES),
  service_type: Type.String(),
  supported_editions: Type.Array(Type.String()),
  created_at: WireTime,
  updated_at: WireTime,
  project_id: Type.String(),
  domain_id: Type.String(),
  cidr_type: Type.String(),
  ip: Type.String(),
  ports: Type.Array(PortMappingOut),
  tcp_proxy: Type.String(),
  tags: Type.Array(TagOut),
  connection_count: Type.Integer(),
  error: Type.Optional(Type.Array(Type.Object({ code: Type.String(), message: Type.String() }))),
  description: Type.String(),
  enable_policy: Type.Boolean(),
  ip_version: Type.String(),
  snat_network_id: Type.String(),
  public_border_group: Type.String(),
})

export const ServiceParams = Type.Object({ project_id: Id, vpc_endpoint_service_id: Id })
export { ProjectParams }

export const ListServicesQuery = Type.Object({
  ...PageQuery(),
  endpoint_service_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  id: Type.Optional(Id),
  status: Type.Optional(StringEnum(SERVICE_STATUSES, { 'x-vpcep-error': 'EndPoint.0019' })),
  public_border_group: Type.Optional(Type.String({ maxLength: 64 })),
  net_type: Type.Optional(StringEnum(['vlan', 'vxlan', 'all'])),
  /** golangsdk's ListOpts (the provider's vpcep_services data source) filters by it. */
  server_type: Type.Optional(StringEnum(SERVER_TYPES, { 'x-vpcep-error': 'EndPoint.3021' })),
})

export const ListServicesResponse = Type.Object({ endpoint_services: Type.Array(ServiceOut), total_count: Type.Integer() })

export function toCreateServiceInput(body: Static<typeof CreateServiceBody>): CreateServiceInput {
  return {
    portId: body.port_id,
    vpcId: body.vpc_id,
    serverType: body.server_type,
    ports: body.ports.map((p) => ({ clientPort: p.client_port, serverPort: p.server_port, protocol: p.protocol ?? 'TCP' })),
    shortName: body.service_name,
    approvalEnabled: body.approval_enabled,
    serviceType: body.service_type,
    ip: body.ip,
    tcpProxy: body.tcp_proxy,
    tags: body.tags?.map((t) => ({ key: t.key, value: t.value ?? '' })),
    description: body.description,
    ipVersion: body.ip_version,
    snatNetworkId: body.snat_network_id,
    enablePolicy: body.enable_policy,
  }
}

/** A stable per-region id standing in for the cloud's internal cluster id (`pool_id`). */
export function poolIdFor(region: string): string {
  let hash = 0x811c9dc5
  const hex: string[] = []
  for (let round = 0; round < 4; round++) {
    for (const char of `${region}#${round}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0
    hex.push(hash.toString(16).padStart(8, '0'))
  }
  const all = hex.join('')
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20, 32)}`
}

export function toWireService(service: EndpointService, poolId: string): Static<typeof ServiceOut> {
  return {
    id: service.id,
    port_id: service.portId,
    service_name: service.serviceName,
    server_type: service.serverType,
    vpc_id: service.vpcId,
    pool_id: poolId,
    approval_enabled: service.approvalEnabled,
    status: service.status,
    service_type: service.serviceType,
    supported_editions: service.supportedEditions,
    created_at: toWireTime(service.createdAt),
    updated_at: toWireTime(service.updatedAt),
    project_id: service.projectId,
    domain_id: service.accountId,
    cidr_type: 'internal',
    ip: service.ip,
    ports: service.ports.map((p) => ({ client_port: p.clientPort, server_port: p.serverPort, protocol: p.protocol })),
    tcp_proxy: service.tcpProxy,
    tags: service.tags,
    connection_count: service.connectionCount,
    ...(service.status === 'failed' ? { error: service.errors } : {}),
    description: service.description,
    enable_policy: service.enablePolicy,
    ip_version: service.ipVersion,
    snat_network_id: service.snatNetworkId,
    public_border_group: '',
  }
}

export const UpdateServiceBody = Type.Object(
  {
    approval_enabled: Type.Optional(Type.Boolean()),
    service_name: Type.Optional(coded(Type.String({ maxLength: 16, pattern: '^[A-Za-z0-9_-]*$' }), 'EndPoint.3076')),
    ports: Type.Optional(coded(Type.Array(PortMappingIn, { minItems: 1, maxItems: 200 }), 'EndPoint.3074')),
    port_id: Type.Optional(coded(UuidString, 'EndPoint.3003')),
    tcp_proxy: Type.Optional(StringEnum(TCP_PROXY_MODES)),
    description: Type.Optional(Description()),
    ip: Type.Optional(coded(Type.String({ maxLength: 255, pattern: '^[A-Za-z0-9.:-]+$' }), 'EndPoint.3010')),
  },
)

export function toUpdateServiceInput(body: Static<typeof UpdateServiceBody>): UpdateServiceInput {
  return {
    approvalEnabled: body.approval_enabled,
    shortName: body.service_name,
    ports: body.ports?.map((p) => ({ clientPort: p.client_port, serverPort: p.server_port, protocol: p.protocol ?? 'TCP' })),
    portId: body.port_id,
    tcpProxy: body.tcp_proxy,
    description: body.description,
    ip: body.ip,
  }
}

/** The SDK marks the whole body optional; an absent name clears the short name. */
export const RenameServiceBody = Type.Object(
  { endpoint_service_name: Type.Optional(coded(Type.String({ maxLength: 16, pattern: '^[A-Za-z0-9_-]*$' }), 'EndPoint.3076')) },
)
export const RenameServiceResponse = Type.Object({ endpoint_service_name: Type.String() })

export const DescribeServiceQuery = Type.Object({
  endpoint_service_name: Type.Optional(coded(Type.String({ minLength: 1, maxLength: 128 }), 'EndPoint.1003')),
  id: Type.Optional(coded(Id, 'EndPoint.3062')),
})
export const DescribeServiceResponse = Type.Object({
  id: Type.String(),
  service_name: Type.String(),
  service_type: Type.String(),
  created_at: WireTime,
  is_charge: Type.Boolean(),
  public_border_group: Type.String(),
  enable_policy: Type.Boolean(),
})

export const PublicServicesQuery = Type.Object({
  ...PageQuery(),
  endpoint_service_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  id: Type.Optional(Id),
})
export const PublicServiceOut = Type.Object({
  id: Type.String(),
  owner: Type.String(),
  service_name: Type.String(),
  service_type: Type.String(),
  created_at: WireTime,
  is_charge: Type.Boolean(),
  enable_policy: Type.Boolean(),
})
export const PublicServicesResponse = Type.Object({ endpoint_services: Type.Array(PublicServiceOut), total_count: Type.Integer() })

export function toWireDescribe(s: EndpointService): Static<typeof DescribeServiceResponse> {
  return { id: s.id, service_name: s.serviceName, service_type: s.serviceType, created_at: toWireTime(s.createdAt), is_charge: s.isCharge, public_border_group: '', enable_policy: s.enablePolicy }
}

export function toWirePublicService(s: EndpointService): Static<typeof PublicServiceOut> {
  return { id: s.id, owner: s.ownerName, service_name: s.serviceName, service_type: s.serviceType, created_at: toWireTime(s.createdAt), is_charge: s.isCharge, enable_policy: s.enablePolicy }
}

/** v2 UpgradeEndpointService: the Node SDK sends no body at all, which means `upgrade` (digest §4.9.1). */
export const UpgradeServiceBody = Type.Object(
  { action: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })), enable_multi_server: Type.Optional(Type.Boolean()) },
)
export const AddServerResourcesBody = Type.Object(
  {
    server_resources: Type.Array(
      // The Terraform provider sends `"availability_zone_id": null` when none is configured.
      Type.Object({ resource_id: Id, availability_zone_id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])) }),
      { maxItems: 100 },
    ),
  },
)
