/** Upper bounds (seconds) of the request latency histogram: tiny test models up to large CPU models. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * The counters behind `GET /metrics`, written in Prometheus' text format by hand: a dozen series
 * do not justify a client library, and the names stay ours.
 */
export class Metrics {
  private readonly counts = new Array<number>(BUCKETS.length + 1).fill(0);
  private sum = 0;
  private observed = 0;
  private images = 0;
  private readonly recent: number[] = [];
  readonly requests = new Map<string, number>();
  readonly failures = new Map<string, number>();
  readonly rejected = new Map<string, number>();

  /** One finished generation request: its latency (queue wait included) and how many images it made. */
  observe(seconds: number, images: number): void {
    this.sum += seconds;
    this.observed++;
    const i = BUCKETS.findIndex((b) => seconds <= b);
    this.counts[i < 0 ? BUCKETS.length : i]++;
    this.images += images;
    const now = Date.now();
    for (let k = 0; k < images; k++) this.recent.push(now);
    this.trim(now);
  }

  /** Adds one to a labelled counter. */
  count(map: Map<string, number>, label: string): void {
    map.set(label, (map.get(label) ?? 0) + 1);
  }

  private trim(now: number): void {
    while (this.recent.length > 0 && this.recent[0] < now - 60_000) this.recent.shift();
  }

  /** The exposition text; `gauges` are read at scrape time (queue depth, running jobs). */
  render(gauges: { queueDepth: number; running: number; ready: boolean }): string {
    this.trim(Date.now());
    const mem = process.memoryUsage();
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, rows: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of rows) lines.push(`${name}${labels} ${v}`);
    };
    const labelled = (key: string, map: Map<string, number>): [string, number][] => [...map].map(([l, v]) => [`{${key}="${l}"}`, v]);
    metric('maskgen_queue_depth', 'gauge', 'Generation requests waiting for a slot.', [['', gauges.queueDepth]]);
    metric('maskgen_jobs_running', 'gauge', 'Generations running now.', [['', gauges.running]]);
    metric('maskgen_ready', 'gauge', '1 once the model is loaded and the server is not draining.', [['', gauges.ready ? 1 : 0]]);
    metric('maskgen_images_generated_total', 'counter', 'Images generated since start.', [['', this.images]]);
    metric('maskgen_images_per_second', 'gauge', 'Images generated per second over the last minute.', [['', this.recent.length / 60]]);
    let cumulative = 0;
    const buckets: [string, number][] = BUCKETS.map((b, i) => {
      cumulative += this.counts[i];
      return [`_bucket{le="${b}"}`, cumulative];
    });
    buckets.push(['_bucket{le="+Inf"}', this.observed], ['_sum', this.sum], ['_count', this.observed]);
    metric('maskgen_request_duration_seconds', 'histogram', 'Latency of successful generation requests, queue wait included.', buckets);
    metric('maskgen_requests_total', 'counter', 'Generation requests by HTTP status.', labelled('status', this.requests));
    metric('maskgen_generation_failures_total', 'counter', 'Generations that did not complete, by reason.', labelled('reason', this.failures));
    metric('maskgen_rejected_total', 'counter', 'Requests refused before queueing, by reason.', labelled('reason', this.rejected));
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', mem.rss]]);
    metric('maskgen_process_peak_rss_bytes', 'gauge', 'Peak resident memory since start, in bytes.', [['', process.resourceUsage().maxRSS * 1024]]);
    return `${lines.join('\n')}\n`;
  }
}
