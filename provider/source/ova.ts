import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

/** Descriptors are kilobytes; anything larger than this in an OVA is refused before it is buffered. */
export const MAX_DESCRIPTOR_BYTES = 32 * 1024 * 1024;

export class OvaError extends Error {}

/**
 * The OVF descriptor of an OVA: the first `.ovf` entry of the tar (DSP0243 puts it first). Only that
 * entry is read into memory; disks are skipped in the stream and nothing is unpacked to disk.
 */
export function readOvaDescriptor(path: string): Promise<Buffer> {
  return readOvaDescriptorFrom(createReadStream(path));
}

/**
 * The OVF descriptor of an OVA read from a stream (a file, or the body of a published library's
 * OVA): the stream is destroyed as soon as the descriptor has been read, so what follows it (the
 * disks) is never read. With `within`, an OVA whose descriptor does not end within that many bytes
 * is refused rather than read through (a download would otherwise fetch the disks before it).
 */
export function readOvaDescriptorFrom(file: Readable, within?: number): Promise<Buffer> {
  // Loaded on the first OVA: a vCenter run never reads one, and every module loaded costs its start.
  const tar = (require("tar-stream") as typeof import("tar-stream")).extract();
  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, text?: Buffer) => {
      if (settled) return;
      settled = true;
      file.destroy();
      tar.destroy();
      if (err) reject(err);
      else resolve(text!);
    };
    tar.on("entry", (header, stream, next) => {
      if (header.type !== "file" || !header.name.toLowerCase().endsWith(".ovf")) {
        stream.on("end", next);
        stream.resume();
        return;
      }
      if (header.size !== undefined && header.size > MAX_DESCRIPTOR_BYTES) {
        finish(new OvaError(`its descriptor ${header.name} is ${header.size} bytes, more than the ${MAX_DESCRIPTOR_BYTES} allowed`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => finish(undefined, Buffer.concat(chunks)));
      stream.on("error", (e: Error) => finish(new OvaError(`its descriptor ${header.name} cannot be read: ${e.message}`)));
    });
    tar.on("finish", () => finish(new OvaError("it contains no .ovf descriptor")));
    tar.on("error", (e: Error) => finish(new OvaError(`it is not a readable OVA (tar) archive: ${e.message}`)));
    file.on("error", (e: Error) => finish(e));
    if (within !== undefined) {
      let read = 0;
      file.on("data", (c: Buffer) => {
        read += c.length;
        if (read > within) finish(new OvaError(`its descriptor does not come within its first ${within} bytes (DSP0243 puts it first); vmimages does not download its disks to find it`));
      });
    }
    file.pipe(tar);
  });
}
