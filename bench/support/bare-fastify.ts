/**
 * The reference of the ingress benchmark: a bare fastify JSON endpoint that parses the same
 * body and answers an OCPI-shaped envelope, nothing else. Run as its own process, like the gateway.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.patch('/ocpi/2.2.1/emsp/locations/*', async (request) => ({ status_code: 1000, timestamp: new Date().toISOString(), echoed: Object.keys(request.body as object).length }));
app.post('/ocpi/2.2.1/emsp/tokens/:uid/authorize', async (request) => ({ status_code: 1000, timestamp: new Date().toISOString(), data: { allowed: 'ALLOWED', echoed: Object.keys(request.body as object).length } }));
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
