/**
 * The yardstick: a bare Fastify route answering a release-sized JSON document, with no
 * authentication, store or schema. Gatehouse's read throughput is reported against it.
 */
import Fastify from 'fastify';

const document = {
  id: '6f1c1c1e-1111-4111-8111-111111111111',
  key: 'REL-1',
  title: 'Payments API 2.4',
  version: '2.4.0',
  state: 'plan',
  services: [{ service: 'payments-api', version: '2.4.0', artifact: null }],
  scope: {
    features: ['Apple Pay'],
    fixes: ['Rounding of refunds'],
    exclusions: [],
    workItems: ['PAY-101'],
    commits: ['a1b2c3d'],
  },
};

const server = Fastify({ logger: false });
server.get('/bare', async () => document);
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
