/**
 * The floor of a warm sync in Node: only the requests a warm `vmimages generate` cannot avoid (log
 * in, list the libraries, list and get every item; the REST API has no batch read), through the
 * project's vCenter client, and nothing else. Prints one JSON line: wall and CPU time of the requests.
 */
import { VcenterClient } from "../provider/source/vcenter/client";

async function run(): Promise<void> {
  const [server, username] = process.argv.slice(2);
  const client = new VcenterClient({ server: server!, username: username!, password: process.env.BENCH_VC_PASSWORD ?? "", insecure: true });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let items = 0;
  for (const library of await client.libraries()) items += (await client.items(library.id)).length;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  await client.close();
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, items, requests: client.stats.requests }) + "\n");
}

void run();
