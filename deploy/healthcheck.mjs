// Container health check: GET http://127.0.0.1:$TT_HEALTH_PORT/healthz must answer 2xx within 4 s.
// Plain JavaScript so it starts fast and needs nothing but Node.
const port = Number(process.env.TT_HEALTH_PORT ?? '9101');
const url = `http://127.0.0.1:${port}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!res.ok) console.error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  process.exitCode = res.ok ? 0 : 1;
} catch (err) {
  console.error(`${url} unreachable: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
