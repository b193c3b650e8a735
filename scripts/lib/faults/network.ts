// Network faults through a real fault proxy: Toxiproxy serves one proxy per
// link the suite breaks — worker → PostgreSQL, API → PostgreSQL, API →
// Temporal — and the processes are pointed at the proxies. A fault is a toxic
// (latency, a black hole, connections reset) or the proxy disabled, for a
// while, under load.
import { Toxiproxy, type Proxy, type ToxicType } from 'toxiproxy-node-client';
import { sleep } from '../stack';

export type Link = 'worker-pg' | 'api-pg' | 'api-temporal';

export class Network {
  private constructor(
    private readonly toxiproxy: Toxiproxy,
    private readonly proxies: Record<Link, Proxy>,
    /** where each link's proxy listens (host:port) */
    readonly listen: Record<Link, string>,
  ) {}

  /** proxies on apiPort+1.. for the links, to PostgreSQL's and Temporal's ports */
  static async create(apiPort: number, upstream: { pg: number; temporal: number }): Promise<Network> {
    const toxiproxy = new Toxiproxy(`http://127.0.0.1:${apiPort}`);
    const links: [Link, number][] = [
      ['worker-pg', upstream.pg],
      ['api-pg', upstream.pg],
      ['api-temporal', upstream.temporal],
    ];
    const proxies = {} as Record<Link, Proxy>;
    const listen = {} as Record<Link, string>;
    for (const [n, [name, port]] of links.entries()) {
      listen[name] = `127.0.0.1:${apiPort + 1 + n}`;
      proxies[name] = await toxiproxy.createProxy({ name, listen: listen[name], upstream: `127.0.0.1:${port}` });
    }
    return new Network(toxiproxy, proxies, listen);
  }

  /** a toxic on both directions of a link for `ms`, then removed */
  async toxic(link: Link, type: ToxicType, attributes: Record<string, number>, ms: number): Promise<void> {
    const proxy = this.proxies[link];
    const toxics = [];
    for (const stream of ['upstream', 'downstream'] as const)
      toxics.push(await proxy.addToxic({ name: `${type}-${stream}`, type, stream, toxicity: 1, attributes }));
    await sleep(ms);
    for (const t of toxics) await t.remove();
  }

  /** the link cut: the proxy refuses connections and closes the open ones, for `ms` */
  async disable(link: Link, ms: number): Promise<void> {
    const proxy = this.proxies[link];
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await sleep(ms);
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
  }

  /** every toxic removed and every proxy enabled (after a scenario that failed halfway) */
  async heal(): Promise<void> {
    await this.toxiproxy.reset();
  }
}
