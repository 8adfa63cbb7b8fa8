// API errors in plain words: the code picks the sentence; the server's message and the request id follow.

const SENTENCES = {
  network: 'The server could not be reached. Check that vpcep is running and try again.',
  'EndPoint.0001': 'The server had a problem and could not finish. Try again in a moment.',
  'EndPoint.0002': 'Some of the values are not accepted. The details below say which one.',
  'EndPoint.0003': 'You are not signed in, or your session has ended. Sign in again.',
  'EndPoint.0004': 'Your account may not use this project.',
  'EndPoint.0005': 'This item does not exist (any more). It may have been deleted.',
  'EndPoint.0006': 'The page size is not accepted.',
  'EndPoint.0007': 'That action is not known.',
  'EndPoint.0010': 'The page position is not accepted.',
  'EndPoint.0016': 'Too many items at once. Do it in smaller batches.',
  'EndPoint.0019': 'That status filter is not known.',
  'EndPoint.0020': 'The VPC ID is not valid. Use a UUID such as 4189d3c2-8882-4871-a3c2-d380272eed80.',
  'EndPoint.0023': 'The subnet ID is not valid. Use a UUID.',
  'EndPoint.1003': 'No endpoint service has that name.',
  'Endpoint.1018': 'The quota of this project is used up. Delete something you no longer need, or ask the operator to raise the limit.',
  'EndPoint.2003': 'That endpoint service does not exist. Check the service ID or full name with its owner.',
  'EndPoint.2004': 'The endpoint service is not available: it is still being created, has failed or is being deleted.',
  'EndPoint.2006': 'This endpoint does not exist (any more). It may have been deleted.',
  'EndPoint.2012': 'Your account is not on the whitelist of that endpoint service. Ask its owner to add your account ID.',
  'EndPoint.2013': 'That endpoint is not connected to this service.',
  'EndPoint.2018': 'The endpoint is being deleted; nothing else can be done with it.',
  'EndPoint.2019': 'The endpoint is still being created. Wait a moment and try again.',
  'EndPoint.2031': 'Only one connection can be decided at a time.',
  'EndPoint.3002': 'A whitelist entry is not valid. Use an account ID, iam:domain::<account ID>, * for every account, or organizations:orgPath::<path>.',
  'EndPoint.3003': 'The port ID is not valid. Use a UUID.',
  'EndPoint.3006': 'The service still has accepted connections (or ones being created). Reject or delete them first.',
  'EndPoint.3010': 'The IP address is not valid.',
  'EndPoint.3021': 'Choose a backend type: cloud server, virtual IP or load balancer.',
  'EndPoint.3035': 'That whitelist action is not known.',
  'EndPoint.3036': 'Give at least one whitelist entry.',
  'EndPoint.3043': 'A port is not valid. Ports are whole numbers from 1 to 65535, and none may repeat.',
  'EndPoint.3044': 'These ports are already used by another of your services on the same backend port.',
  'EndPoint.3045': 'The service cannot be changed in its current state.',
  'EndPoint.3049': 'The whitelist is full. Remove records, or allow every account with *.',
  'EndPoint.3074': 'Give between 1 and 200 port mappings.',
  'EndPoint.3075': 'The protocol must be TCP or UDP.',
  'EndPoint.3076': 'The name is not valid: at most 16 letters, digits, _ or -.',
}

/** The plain sentence for an API error; `context` may override codes for one screen (e.g. sign-in). */
export function plainSentence(error, context = {}) {
  const code = error?.code ?? ''
  if (context[code]) return context[code]
  if (SENTENCES[code]) return SENTENCES[code]
  if (error?.status >= 500) return SENTENCES['EndPoint.0001']
  if (error?.status === 404) return SENTENCES['EndPoint.0005']
  return 'The request was refused.'
}
