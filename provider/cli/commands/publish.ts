import { Command } from "commander";
import * as path from "node:path";
import { ConfigError } from "../../errors";
import { publishLibraries } from "../../targets/publish";
import { printable } from "../../util";
import { loadConfig } from "../config";
import { Io } from "../io";
import { configOption } from "../options";

interface PublishFlags {
  readonly config: string;
  readonly out: string;
}

/** `vmimages publish`: an offline folder's libraries as published content libraries, for a web server to serve and vCenters to subscribe to. */
export function publishCommand(io: Io): Command {
  return configOption(new Command("publish").description("write the configuration's libraries of an offline folder as published content libraries (lib.json, items.json, item folders) that any web server serves"))
    .requiredOption("-o, --out <dir>", "output folder: serve it with a web server, and subscribe to <url of the folder>/<library>/lib.json")
    .action(async (flags: PublishFlags) => {
      const config = await loadConfig(flags.config);
      if (config.source.kind !== "directory") {
        throw new ConfigError(`vmimages publish publishes libraries of an offline folder: the source of ${flags.config} must be source.directory, not source.${config.source.kind}`, { file: flags.config });
      }
      const result = await publishLibraries({
        directory: config.source.directory,
        libraries: config.libraries,
        out: flags.out,
        onWarning: (m) => io.err(`warning: ${printable(m)}\n`),
      });
      for (const lib of result.libraries) {
        io.err(`library "${printable(lib.name)}" version ${lib.version}: ${lib.items} item(s), ${lib.added} added, ${lib.changed} changed, ${lib.removed} removed\n`);
        // The subscription file, under the folder as the user named it.
        io.out(`${printable(path.join(flags.out, path.relative(path.resolve(flags.out), lib.libJson)))}\n`);
      }
      io.err(`${flags.out}: ${result.written} file(s) written, ${result.removed} removed\n`);
    });
}
