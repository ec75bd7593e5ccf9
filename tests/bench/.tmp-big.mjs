import Fastify from 'fastify';
import fs from 'node:fs';
const body = fs.readFileSync('/tmp/lbperf/thread.json');
const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
app.get('/big', (req, reply) => { reply.header('content-type','application/json; charset=utf-8').send(body); });
await app.listen({ port: 4713, host: '127.0.0.1' });
