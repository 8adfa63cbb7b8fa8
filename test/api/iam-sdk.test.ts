import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import * as iam from '@huaweicloud/huaweicloud-sdk-iam/v3/public-api.js'
import { GlobalCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/GlobalCredentials.js'
import { dialects, freshDatabaseUrl, startServer, type TestServer } from '../helpers/server.ts'
import { httpRequest } from '../helpers/http.ts'
import '../helpers/vpcep-sdk.ts' // quiets the SDK core's logger
import type { NewAccount } from '../../src/identity/accounts.ts'

/*
 * The official IAM SDK (@huaweicloud/huaweicloud-sdk-iam), unmodified and pointed at vpcep with
 * withEndpoint: the IAM calls VPCEP clients make work as they do against the cloud's IAM.
 * (Its package index is broken upstream for v5, so the v3 client is imported by path.)
 */
for (const dialect of dialects()) {
  describe(`the official IAM SDK against vpcep [${dialect}]`, () => {
    let server: TestServer
    let account: NewAccount
    let client: iam.IamClient

    before(async () => {
      server = await startServer(await freshDatabaseUrl(dialect))
      account = await server.account('iamsdk')
      const credentials = new GlobalCredentials().withAk(account.accessKey).withSk(account.secretKey).withDomainId(account.domainId)
      client = iam.IamClient.newBuilder().withCredential(credentials).withEndpoint(server.url).build()
    })
    after(() => server.stop())

    it('lists the caller\'s projects (how an SDK client without a project id finds it)', async () => {
      const projects = await client.keystoneListProjects(new iam.KeystoneListProjectsRequest())
      assert.deepEqual(projects.projects?.map((p) => [p.id, p.name, p.domainId ?? (p as any).domain_id]), [[account.projectId, 'cn-north-4', account.domainId]])
      const byName = await client.keystoneListProjects(new iam.KeystoneListProjectsRequest().withName('eu-west-0'))
      assert.deepEqual(byName.projects, [])
    })

    it('obtains a project-scoped token by password, usable as X-Auth-Token, and validates it', async () => {
      const user = new iam.PwdPasswordUser().withName(account.userName).withPassword(account.password).withDomain(new iam.PwdPasswordUserDomain().withName(account.domainName))
      const auth = new iam.PwdAuth()
        .withIdentity(new iam.PwdIdentity().withMethods(['password' as never]).withPassword(new iam.PwdPassword().withUser(user)))
        .withScope(new iam.AuthScope().withProject(new iam.AuthScopeProject().withId(account.projectId)))
      const issued = await client.keystoneCreateUserTokenByPassword(new iam.KeystoneCreateUserTokenByPasswordRequest().withBody(new iam.KeystoneCreateUserTokenByPasswordRequestBody().withAuth(auth)))
      assert.equal(issued.httpStatusCode, 201)
      // The SDK copies the X-Subject-Token response header into the plain response object under that name.
      const token = (issued as unknown as Record<string, string>)['X-Subject-Token']!
      assert.ok(token)
      assert.equal(issued.token?.project?.id, account.projectId)
      const list = await httpRequest(`${server.url}/v1/${account.projectId}/vpc-endpoints`, { headers: { 'x-auth-token': token } })
      assert.equal(list.status, 200)

      const validated = await client.keystoneValidateToken(new iam.KeystoneValidateTokenRequest().withXSubjectToken(token))
      assert.equal(validated.token?.user?.name, account.userName)
    })

    it('refuses a wrong password with the error envelope the SDK reads', async () => {
      const user = new iam.PwdPasswordUser().withName(account.userName).withPassword('wrong-password').withDomain(new iam.PwdPasswordUserDomain().withName(account.domainName))
      const auth = new iam.PwdAuth().withIdentity(new iam.PwdIdentity().withMethods(['password' as never]).withPassword(new iam.PwdPassword().withUser(user)))
      await assert.rejects(client.keystoneCreateUserTokenByPassword(new iam.KeystoneCreateUserTokenByPasswordRequest().withBody(new iam.KeystoneCreateUserTokenByPasswordRequestBody().withAuth(auth))), (error: any) => {
        assert.deepEqual([error.httpStatusCode, error.errorCode], [401, 'EndPoint.0003'])
        assert.ok(error.requestId)
        return true
      })
    })
  })
}
