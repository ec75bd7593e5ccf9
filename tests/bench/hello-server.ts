// The baseline: a hello-world Fastify app, same framework and version as the Lifeboat server.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.post('/hello', async (request) => ({ received: request.body }));
app.put('/hello', async (request) => ({ received: request.body }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
