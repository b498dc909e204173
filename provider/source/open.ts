import { readFileSync } from "node:fs";
import { VcenterSourceConfig, VmImagesConfig } from "../config";
import { VmImagesError, messageOf } from "../errors";
import { DirectorySource } from "./directory";
import { ContentLibrarySource } from "./source";
import { VcenterConnection } from "./vcenter/client";
import { VcenterSource } from "./vcenter/source";

/** The source a configuration names; vCenter settings missing from it come from `env`. */
export function openSource(config: VmImagesConfig, env: NodeJS.ProcessEnv = process.env): ContentLibrarySource {
  if (config.source.kind === "directory") return new DirectorySource(config.source.directory);
  return new VcenterSource(vcenterConnection(config.source, env));
}

/**
 * A vCenter connection from `source.vcenter` and the usual environment (VSPHERE_SERVER, VSPHERE_USER,
 * the password variable, VSPHERE_ALLOW_UNVERIFIED_SSL). @throws VmImagesError naming what is missing.
 */
export function vcenterConnection(cfg: VcenterSourceConfig, env: NodeJS.ProcessEnv): VcenterConnection {
  const server = cfg.server ?? env.VSPHERE_SERVER;
  const username = cfg.username ?? env.VSPHERE_USER;
  const password = env[cfg.passwordEnv];
  const missing = [
    !server && "the server (source.vcenter.server or VSPHERE_SERVER)",
    !username && "the username (source.vcenter.username or VSPHERE_USER)",
    !password && `the password (environment variable ${cfg.passwordEnv})`,
  ].filter(Boolean);
  if (missing.length) throw new VmImagesError("config", `vCenter source: missing ${missing.join(", ")}`);
  let ca: string | undefined;
  if (cfg.caFile) {
    try {
      ca = readFileSync(cfg.caFile, "utf8");
    } catch (err) {
      throw new VmImagesError("config", `vCenter source: cannot read caFile ${cfg.caFile}: ${messageOf(err)}`, { file: cfg.caFile });
    }
  }
  const insecureEnv = /^(1|true|yes)$/i.test(env.VSPHERE_ALLOW_UNVERIFIED_SSL ?? "");
  return {
    server: server!,
    username: username!,
    password: password!,
    insecure: cfg.insecure ?? insecureEnv,
    ...(ca ? { ca } : {}),
    ...(cfg.thumbprint ? { thumbprint: cfg.thumbprint } : {}),
    ...(cfg.concurrency ? { concurrency: cfg.concurrency } : {}),
  };
}
