/**
 * The floor of a warm sync of a published library in Node: only the two requests a warm `vmimages
 * generate` cannot avoid (lib.json, then items.json), through the project's client for published
 * libraries, and the parsing of their JSON, nothing else. Prints one JSON line: wall and CPU time.
 */
import { PublishedClient } from "../provider/source/published/http";

async function run(): Promise<void> {
  const [libUrl, itemsUrl] = process.argv.slice(2).map((u) => new URL(u));
  const client = new PublishedClient(libUrl!, { url: libUrl!.href });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  JSON.parse((await client.get(libUrl!, { maxBytes: 1024 * 1024 })).body.toString("utf8"));
  const items = JSON.parse((await client.get(itemsUrl!, { maxBytes: 64 * 1024 * 1024 })).body.toString("utf8")) as { items: unknown[] };
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  client.close();
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, items: items.items.length, requests: client.stats.requests }) + "\n");
}

void run();
