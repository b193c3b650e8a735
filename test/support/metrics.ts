// The naming rules every /metrics scrape (the API's, the worker's) is held to,
// as a function that names each sample or family breaking one.

/** prom-client's default gauges whose names end in _total: kept, because Node dashboards query them by these names */
export const NODE_DEFAULT_TOTAL_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
/** Node's default metrics under the names Node dashboards query (prom-client's collectDefaultMetrics, no prefix) */
export const NODE_DEFAULTS = [
  'process_cpu_user_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_gc_duration_seconds',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every naming rule a scrape breaks, one line each. */
export function metricRuleViolations(text: string): string[] {
  const out: string[] = [];
  const types = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (types.has(name!)) out.push(`${name}: two # TYPE lines (two families of one name)`);
    types.set(name!, type!);
    if (type === 'gauge' && name!.endsWith('_total') && !NODE_DEFAULT_TOTAL_GAUGES.includes(name!)) out.push(`${name}: a gauge named _total`);
    if (type === 'counter' && !name!.endsWith('_total')) out.push(`${name}: a counter not named _total`);
    if (/^endpoint_inventory_(api|worker)_(process|nodejs)_/.test(name!)) out.push(`${name}: Node's default metric under a custom prefix`);
  }
  for (const n of NODE_DEFAULTS) if (!types.has(n)) out.push(`${n}: Node's default metric missing (or renamed)`);
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!m) {
      out.push(`unparsable sample: ${line}`);
      continue;
    }
    const [, name, labels = ''] = m;
    const family = name!.replace(/_(bucket|sum|count|created)$/, '');
    if (!types.has(name!) && !types.has(family)) out.push(`${name}: a sample without a # TYPE`);
    for (const [, label, value] of labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      // editable names only on info series; groupings by their id
      if (label === 'name' && !family.endsWith('_info')) out.push(`${name}: labelled with an editable name`);
      if (label === 'grouping' && !UUID.test(value!)) out.push(`${name}: grouping="${value}" is not an id`);
    }
  }
  return out;
}
