import type { Executor } from '../database.ts'
import type { PortMapping } from '../../model/resources.ts'

/** Creates the platform's account and project unless they exist (several instances may start together). */
export async function ensurePlatformAccount(tx: Executor, account: { id: string; name: string }, project: { id: string; name: string }, stamp: string): Promise<void> {
  await tx.insertInto('accounts').values({ id: account.id, name: account.name, createdAt: stamp }).onConflict((oc) => oc.doNothing()).execute()
  await tx.insertInto('projects').values({ id: project.id, accountId: account.id, name: project.name, createdAt: stamp }).onConflict((oc) => oc.doNothing()).execute()
}

/** A public service the platform publishes; what the catalog says of it replaces what an earlier start wrote. */
export interface PlatformService {
  id: string
  projectId: string
  accountId: string
  portId: string
  vpcId: string
  shortName: string
  serviceName: string
  serviceType: string
  ownerName: string
  isCharge: boolean
  enablePolicy: boolean
  description: string
  ports: PortMapping[]
}

export async function publishPlatformService(tx: Executor, service: PlatformService, stamp: string): Promise<void> {
  const fromCatalog = {
    shortName: service.shortName,
    serviceName: service.serviceName,
    serviceType: service.serviceType,
    ownerName: service.ownerName,
    isCharge: service.isCharge ? 1 : 0,
    enablePolicy: service.enablePolicy ? 1 : 0,
    description: service.description,
    ports: JSON.stringify(service.ports),
  }
  await tx
    .insertInto('endpointServices')
    .values({
      id: service.id,
      projectId: service.projectId,
      accountId: service.accountId,
      portId: service.portId,
      vpcId: service.vpcId,
      serverType: 'VIP',
      approvalEnabled: 0,
      status: 'available',
      ip: '',
      tcpProxy: 'close',
      ipVersion: 'ipv4',
      snatNetworkId: '',
      errors: '[]',
      createdAt: stamp,
      updatedAt: stamp,
      transitionDueAt: null,
      isPublic: 1,
      ...fromCatalog,
    })
    .onConflict((oc) => oc.column('id').doUpdateSet(fromCatalog))
    .execute()
}
