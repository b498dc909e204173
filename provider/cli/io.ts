import { printable } from "../util";

/** Where the CLI writes; tests pass their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars are drawn only there). */
  readonly tty: boolean;
  /** Standard input, whole (for `mutate --krm`). @default nothing */
  readonly stdin?: () => Promise<string>;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stderr.isTTY),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};

/** Lines on stdout, each made safe to print (names come from libraries and may hold control characters). */
export function printLines(io: Io, lines: readonly string[]): void {
  for (const line of lines) io.out(`${printable(line)}\n`);
}

export interface ProgressBar {
  readonly update: (done: number, total: number) => void;
  readonly stop: () => void;
}

/**
 * A progress bar on stderr, drawn only on a terminal and unless `--no-progress`; it starts with
 * the first step done and clears itself once stopped (stopping twice is harmless).
 */
export function progressBar(io: Io, enabled: boolean, format: string): ProgressBar {
  // Loaded only for a terminal: every module loaded costs each run's start, CI runs included.
  const progress = enabled && io.tty ? (require("cli-progress") as typeof import("cli-progress")) : undefined;
  const bar = progress ? new progress.SingleBar({ stream: process.stderr, clearOnComplete: true, format }, progress.Presets.shades_classic) : undefined;
  let started = false;
  return {
    update: (done, total) => {
      if (!bar) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => {
      if (started) bar?.stop();
      started = false;
    },
  };
}
