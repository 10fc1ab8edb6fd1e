// Jaeger v2 stand-in (see Dockerfile): OTLP/HTTP in, span counts per service out.
import { createServer } from 'node:http';

/** service.name → spans received */
const spans = new Map();

function record(body, contentType) {
  if (contentType.includes('json')) {
    const msg = JSON.parse(body.toString('utf8'));
    for (const rs of msg.resourceSpans ?? []) {
      const attr = (rs.resource?.attributes ?? []).find((a) => a.key === 'service.name');
      const name = attr?.value?.stringValue ?? 'unknown';
      const n = (rs.scopeSpans ?? []).reduce((sum, ss) => sum + (ss.spans ?? []).length, 0);
      spans.set(name, (spans.get(name) ?? 0) + n);
    }
    return;
  }
  // protobuf (not decoded here; 3T's exporter sends JSON): counted as one span of `protobuf`
  spans.set('protobuf', (spans.get('protobuf') ?? 0) + (body.length > 0 ? 1 : 0));
}

const otlp = createServer((req, res) => {
  if (req.method !== 'POST' || !req.url?.startsWith('/v1/traces')) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      record(Buffer.concat(chunks), req.headers['content-type'] ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
});

const query = createServer((req, res) => {
  if (req.url?.startsWith('/api/services')) {
    const data = [...spans.keys()].sort();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data, total: data.length, spans: Object.fromEntries(spans) }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end('jaeger stand-in\n');
});

const health = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"StatusOK"}');
});

otlp.listen(4318, '0.0.0.0');
query.listen(16686, '0.0.0.0');
health.listen(13133, '0.0.0.0');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
