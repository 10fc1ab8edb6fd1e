import type { ReceivedSpan } from './otlp-receiver';

const COLORS = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#06b6d4'];
const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * One trace as a Jaeger-like waterfall page: spans in tree order, indented by depth, a bar per
 * span on the trace's time axis, coloured by service.
 */
export function traceTreeHtml(spans: readonly ReceivedSpan[], title: string): string {
  const ns = (s: string) => BigInt(s);
  const byTime = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  const start = spans.map((s) => ns(s.startTimeUnixNano)).sort(byTime)[0]!;
  const end = spans
    .map((s) => ns(s.endTimeUnixNano))
    .sort(byTime)
    .at(-1)!;
  const total = Number(end - start) || 1;
  const services = [...new Set(spans.map((s) => s.service))];
  const children = new Map<string, ReceivedSpan[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const rows: string[] = [];
  const walk = (parent: string, depth: number) => {
    const kids = [...(children.get(parent) ?? [])].sort((a, b) =>
      ns(a.startTimeUnixNano) < ns(b.startTimeUnixNano) ? -1 : 1,
    );
    for (const s of kids) {
      const left = (Number(ns(s.startTimeUnixNano) - start) / total) * 100;
      const width = Math.max(
        (Number(ns(s.endTimeUnixNano) - ns(s.startTimeUnixNano)) / total) * 100,
        0.4,
      );
      const ms = Number(ns(s.endTimeUnixNano) - ns(s.startTimeUnixNano)) / 1e6;
      const color = COLORS[services.indexOf(s.service) % COLORS.length];
      rows.push(
        `<tr><td style="padding-left:${depth * 18 + 6}px"><span class="svc" style="background:${color}">${esc(s.service)}</span> ${esc(s.name)}</td>` +
          `<td class="axis"><div class="bar" style="left:${left}%;width:${width}%;background:${color}"></div></td>` +
          `<td class="ms">${ms.toFixed(2)} ms</td></tr>`,
      );
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font:13px DejaVu Sans,sans-serif;margin:16px;color:#111}
h1{font-size:16px;margin:0 0 4px} p{margin:0 0 12px;color:#555}
table{border-collapse:collapse;width:100%} td{padding:5px 6px;border-bottom:1px solid #eee;white-space:nowrap}
.axis{width:55%;position:relative} .bar{position:absolute;top:7px;height:12px;border-radius:2px}
.svc{color:#fff;border-radius:3px;padding:1px 5px;font-size:11px} .ms{text-align:right;color:#555;width:80px}
</style></head><body><h1>${esc(title)}</h1><p>trace ${esc(spans[0]!.traceId)} · ${spans.length} spans · ${services.length} services · ${(total / 1e6).toFixed(1)} ms</p>
<table>${rows.join('')}</table></body></html>`;
}
