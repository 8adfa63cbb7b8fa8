/**
 * The one error catalog. Codes, statuses and messages are wire values from the VPCEP error-code table
 * (digest §3.3); `status` is part of that table, so it lives with the code rather than in the HTTP layer.
 */
export const ERRORS = {
  systemError: { code: 'EndPoint.0001', status: 500, message: 'System error. Please retry.' },
  parameterError: { code: 'EndPoint.0002', status: 400, message: 'Parameter error.' },
  authenticationFailed: { code: 'EndPoint.0003', status: 401, message: 'Authentication failed or authentication information is invalid.' },
  forbidden: { code: 'EndPoint.0004', status: 403, message: 'Authentication information is incorrect or you have no permissions.' },
  resourceNotFound: { code: 'EndPoint.0005', status: 404, message: 'The requested resource does not exist.' },
  invalidLimit: { code: 'EndPoint.0006', status: 400, message: 'Invalid limit.' },
  invalidAction: { code: 'EndPoint.0007', status: 400, message: 'Invalid action.' },
  invalidOffset: { code: 'EndPoint.0010', status: 400, message: 'Invalid offset.' },
  batchTooLarge: { code: 'EndPoint.0016', status: 400, message: 'The number of batch operated resources exceeded the limit.' },
  invalidSortKey: { code: 'EndPoint.0017', status: 400, message: 'Invalid sort_key.' },
  invalidSortDir: { code: 'EndPoint.0018', status: 400, message: 'Invalid sort_dir.' },
  invalidStatus: { code: 'EndPoint.0019', status: 400, message: 'Invalid status.' },
  invalidVpcId: { code: 'EndPoint.0020', status: 400, message: 'Invalid VPC ID.' },
  invalidMarkerId: { code: 'EndPoint.0021', status: 400, message: 'Invalid marker_id.' },
  invalidSubnetId: { code: 'EndPoint.0023', status: 400, message: 'Invalid subnet_id.' },
  invalidSpecification: { code: 'EndPoint.0015', status: 400, message: 'Invalid specification.' },
  throttled: { code: 'EndPoint.0022', status: 400, message: 'The number of requests exceeded the limit. Please try later.' },
  invalidServiceNameLookup: { code: 'EndPoint.1003', status: 400, message: 'Invalid service name.' },
  invalidRequest: { code: 'EndPoint.1004', status: 400, message: 'Invalid request.' },
  /** Printed with a lower-case "p" in the reference's table; kept as printed (docs/decisions.md). */
  quotaExceeded: { code: 'Endpoint.1018', status: 400, message: 'Quota exceeded.' },
  invalidRouteTable: { code: 'EndPoint.1019', status: 400, message: 'Invalid route table ID.' },
  serviceDoesNotExist: { code: 'EndPoint.2003', status: 400, message: 'The endpoint service does not exist.' },
  serviceUnavailable: { code: 'EndPoint.2004', status: 400, message: 'The endpoint service is unavailable.' },
  endpointNotFound: { code: 'EndPoint.2006', status: 404, message: 'The requested endpoint does not exist.' },
  vpcIdEmpty: { code: 'EndPoint.2011', status: 400, message: 'The input parameter VPC ID is empty.' },
  subnetIdEmpty: { code: 'EndPoint.2010', status: 400, message: 'The input parameter subnet ID is empty.' },
  noPermissionToConnect: { code: 'EndPoint.2012', status: 400, message: 'You have no permission to connect to the VPC endpoint service.' },
  endpointNotOfService: { code: 'EndPoint.2013', status: 400, message: 'The endpoint does not belong to the endpoint service.' },
  endpointDeleting: { code: 'EndPoint.2018', status: 400, message: 'The endpoint is being deleted.' },
  endpointCreating: { code: 'EndPoint.2019', status: 400, message: 'The endpoint is being created.' },
  invalidEndpointAction: { code: 'EndPoint.2027', status: 400, message: 'Invalid action.' },
  onlyOneEndpoint: { code: 'EndPoint.2031', status: 400, message: 'Only one endpoint is allowed.' },
  invalidEnableDns: { code: 'EndPoint.2033', status: 400, message: 'The entered parameter enable_dns is invalid.' },
  routeTableInUse: { code: 'EndPoint.2039', status: 400, message: 'The route table is being used by another VPC endpoint.' },
  noRouteTable: { code: 'EndPoint.2040', status: 400, message: 'The VPC endpoint has no route table bound.' },
  invalidPermission: { code: 'EndPoint.3002', status: 400, message: 'Invalid permission.' },
  invalidPortId: { code: 'EndPoint.3003', status: 400, message: 'Invalid port ID.' },
  serviceInUse: { code: 'EndPoint.3006', status: 400, message: 'The endpoint service is being used.' },
  invalidCidr: { code: 'EndPoint.3009', status: 400, message: 'Invalid CIDR.' },
  invalidIpAddress: { code: 'EndPoint.3010', status: 400, message: 'Invalid IP address.' },
  invalidServerType: { code: 'EndPoint.3021', status: 400, message: 'Invalid serverType.' },
  invalidPermissionAction: { code: 'EndPoint.3035', status: 400, message: 'Invalid action.' },
  emptyPermissions: { code: 'EndPoint.3036', status: 400, message: 'Invalid permissions.' },
  invalidServicePort: { code: 'EndPoint.3043', status: 400, message: 'The service port is invalid.' },
  portsConflict: { code: 'EndPoint.3044', status: 400, message: 'The parameter ports conflicted with ports in an existing endpoint service.' },
  serviceNotModifiable: { code: 'EndPoint.3045', status: 400, message: 'Other properties cannot be modified in the current endpoint service state.' },
  whitelistFull: { code: 'EndPoint.3049', status: 400, message: 'The maximum number of whitelist records has been reached.' },
  portIdAndIpTogether: { code: 'EndPoint.3052', status: 400, message: 'portId and ip cannot be modified at the same time.' },
  invalidServiceId: { code: 'EndPoint.3062', status: 400, message: 'Invalid endpoint service ID.' },
  tagEmpty: { code: 'EndPoint.3066', status: 400, message: 'The tag cannot be empty.' },
  tagKeyDuplicated: { code: 'EndPoint.3067', status: 400, message: 'The tag key cannot be duplicated.' },
  tagInvalid: { code: 'EndPoint.3068', status: 400, message: 'Tag keys and values should meet relevant requirements.' },
  tagLimit: { code: 'EndPoint.3069', status: 400, message: 'The maximum number of tags has been reached.' },
  invalidResourceType: { code: 'EndPoint.3070', status: 400, message: 'Invalid resource type.' },
  tagValueDuplicated: { code: 'EndPoint.3071', status: 400, message: 'The tag value cannot be duplicated.' },
  tagKeySize: { code: 'EndPoint.3072', status: 400, message: 'The tag key size is invalid.' },
  tagValueSize: { code: 'EndPoint.3073', status: 400, message: 'The tag value size is invalid.' },
  endpointWhitelistFull: { code: 'EndPoint.2045', status: 400, message: 'The maximum number of whitelist records has been reached.' },
  tooManyPorts: { code: 'EndPoint.3074', status: 400, message: 'The maximum of ports has been reached.' },
  invalidProtocol: { code: 'EndPoint.3075', status: 400, message: 'The protocol is invalid.' },
  invalidServiceName: { code: 'EndPoint.3076', status: 400, message: 'Invalid service name.' },
  /** The digest's network back-end family: no address left for the endpoint's port. */
  addressRangeExhausted: { code: 'EndPoint.4010', status: 400, message: 'Failed to create the port.' },
  /** Not in the VPCEP table: the database could not be reached; a retry may succeed. */
  databaseUnavailable: { code: 'EndPoint.0001', status: 503, message: 'System error. Please retry.' },
} as const satisfies Record<string, { code: string; status: number; message: string }>

export type ErrorName = keyof typeof ERRORS

/** A failure the client caused or must see; carries a catalog entry and an optional detail sentence. */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  readonly detail: string | undefined

  /** `status` overrides the catalog's only where HTTP itself has the better word (405, 413). */
  constructor(readonly errorName: ErrorName, detail?: string, status?: number) {
    const entry = ERRORS[errorName]
    super(detail ? `${entry.message} ${detail}` : entry.message)
    this.code = entry.code
    this.status = status ?? entry.status
    this.detail = detail
  }
}

export function fail(name: ErrorName, detail?: string): never {
  throw new ApiError(name, detail)
}
