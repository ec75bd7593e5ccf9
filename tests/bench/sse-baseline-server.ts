// The fan-out baseline: a raw Node `http` SSE server. GET /stream holds a response open;
// POST /broadcast writes the request body as one `post.created` event to every open stream.
import http from 'node:http';

const streams = new Set<http.ServerResponse>();
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/stream')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 3000\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url === '/broadcast') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const chunk = `id: 1\nevent: post.created\ndata: ${body}\n\n`;
      for (const s of streams) s.write(chunk);
      res.writeHead(204).end();
    });
    return;
  }
  if (req.url === '/healthz') return void res.writeHead(200).end('ok');
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', 511, () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
