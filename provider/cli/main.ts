import { Command, CommanderError } from "commander";
import { messageOf } from "../errors";
import { printable } from "../util";
import { applyCommand } from "./commands/apply";
import { diffCommand } from "./commands/diff";
import { generateCommand } from "./commands/generate";
import { listCommand } from "./commands/list";
import { mutateCommand } from "./commands/mutate";
import { publishCommand } from "./commands/publish";
import { resolveCommand } from "./commands/resolve";
import { selectCommand } from "./commands/select";
import { Io, processIo } from "./io";
import { packageVersion } from "./version";

export type { Io } from "./io";

/** Runs the `vmimages` command line; resolves to the exit code (0 ok, 1 failure, 2 usage, 3 changes found). */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    // Our messages may span lines; nothing in them may drive the terminal (names come from libraries).
    io.err(`error: ${messageOf(err).split("\n").map(printable).join("\n")}\n`);
    return 1;
  }
}

function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command("vmimages")
    .description("vSphere Content Library items as VM Operator image manifests")
    .version(packageVersion(), "-V, --version", "print the vmimages version");
  const commands = [generateCommand(io), diffCommand(io, setCode), applyCommand(io, setCode), resolveCommand(io), selectCommand(io), listCommand(io), mutateCommand(io, setCode), publishCommand(io)];
  for (const command of [program, ...commands]) command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }).showHelpAfterError();
  for (const command of commands) program.addCommand(command);
  return program;
}
