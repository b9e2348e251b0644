// A function's code as CreateFunction and UpdateFunctionCode take it: a zip, base64 in `ZipFile`.
// Read with yauzl, entry by entry, before anything is kept: an entry that would land outside the
// function's folder (`..`, an absolute path, a backslash) or is a link is refused, as are a zip
// over AWS's 50 MB direct-upload limit and contents over its 250 MB unzipped limit, counted as
// each entry is read (not as it declares). A refused zip
// leaves nothing behind. S3 and image sources are not supported locally, and say so. A kept zip
// is unpacked (when it first runs) into its own folder, whole or not at all.
// @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html

import * as fs from "node:fs";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import { ServiceError } from "./service-error";

/** The largest zip CreateFunction takes directly (not from S3). */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** The most a function's package may hold, unzipped. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** The type bits of a Unix mode, and those of a symbolic link, as zip's external attributes keep them. */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The zip in a `Code` (CreateFunction) or an UpdateFunctionCode request, checked; its bytes. */
export async function zipFrom(code: Record<string, unknown>, operation: string): Promise<Buffer> {
  if (typeof code.S3Bucket === "string" || typeof code.S3Key === "string") {
    throw new ServiceError(
      400,
      "InvalidParameterValueException",
      "Code from S3 (S3Bucket, S3Key) is not supported by the local AWS: upload the zip itself (ZipFile; terraform's filename).",
    );
  }
  if (typeof code.ImageUri === "string") {
    throw new ServiceError(
      400,
      "InvalidParameterValueException",
      "Container images (ImageUri) are not supported by the local AWS: use a zip (ZipFile; terraform's filename).",
    );
  }
  if (typeof code.ZipFile !== "string" || code.ZipFile === "") {
    throw new ServiceError(400, "InvalidParameterValueException", "Please provide a source for function code (ZipFile).");
  }
  const zip = Buffer.from(code.ZipFile, "base64");
  if (zip.length > MAX_ZIP_BYTES) {
    throw new ServiceError(
      413,
      "RequestEntityTooLargeException",
      `Request must be smaller than ${MAX_ZIP_BYTES} bytes for the ${operation} operation`,
    );
  }
  await checkEntries(zip);
  return zip;
}

/**
 * Rejects with InvalidParameterValueException naming the first entry the local AWS would not
 * unpack. Every entry is read (and dropped), so its real size counts, not the size it declares.
 */
function checkEntries(zip: Buffer): Promise<void> {
  const refuse = (why: string): ServiceError =>
    new ServiceError(400, "InvalidParameterValueException", `Could not unzip uploaded file: ${why}.`);
  const tooLarge = new ServiceError(
    400,
    "InvalidParameterValueException",
    `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`,
  );
  return new Promise((resolve, reject) => {
    // strictFileNames: a backslash is refused, not read as a folder separator.
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (error, file) => {
      if (error || !file) {
        reject(refuse(error?.message ?? "not a zip file"));
        return;
      }
      let total = 0;
      const fail = (reason: ServiceError): void => {
        file.close();
        reject(reason);
      };
      file.on("error", (entryError: Error) => reject(refuse(entryError.message)));
      file.on("entry", (entry: yauzl.Entry) => {
        if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
          fail(refuse(`${entry.fileName} is a symbolic link, which the local AWS does not unpack`));
          return;
        }
        if (entry.fileName.endsWith("/")) {
          file.readEntry();
          return;
        }
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) {
            fail(refuse(streamError?.message ?? `cannot read ${entry.fileName}`));
            return;
          }
          stream.on("data", (chunk: Buffer) => {
            total += chunk.length;
            if (total > MAX_UNZIPPED_BYTES) {
              stream.destroy();
              fail(tooLarge);
            }
          });
          stream.once("error", (readError: Error) => fail(refuse(readError.message)));
          stream.once("end", () => file.readEntry());
        });
      });
      file.on("end", () => resolve());
      file.readEntry();
    });
  });
}

/**
 * Unpacks `zip` (already checked by zipFrom) into `dir`, whole or not at all: into a folder beside
 * it, renamed into place once every entry is written. Files keep the owner's execute bit; nothing
 * is written outside `dir`.
 */
export async function unpackZip(zip: Buffer, dir: string): Promise<void> {
  if (fs.existsSync(dir)) {
    return;
  }
  // One name: a folder half-written by a process killed mid-unpack is cleared by the next attempt.
  const staging = `${dir}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    await forEachEntry(zip, async (entry, open) => {
      const target = path.join(staging, entry.fileName);
      if (!target.startsWith(`${staging}${path.sep}`)) {
        throw new Error(`${entry.fileName} would land outside the function's folder`);
      }
      if (entry.fileName.endsWith("/")) {
        fs.mkdirSync(target, { recursive: true });
        return;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const executable = ((entry.externalFileAttributes >>> 16) & 0o100) !== 0;
      await pipeline(await open(), fs.createWriteStream(target, { mode: executable ? 0o755 : 0o644 }));
    });
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Calls `each` on every entry of `zip` in turn, with a way to read its bytes. */
function forEachEntry(zip: Buffer, each: (entry: yauzl.Entry, open: () => Promise<NodeJS.ReadableStream>) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (error, file) => {
      if (error || !file) {
        reject(error ?? new Error("not a zip file"));
        return;
      }
      const open = (entry: yauzl.Entry) => () =>
        new Promise<NodeJS.ReadableStream>((done, fail) =>
          file.openReadStream(entry, (streamError, stream) => (streamError || !stream ? fail(streamError) : done(stream))),
        );
      file.on("error", reject);
      file.on("entry", (entry: yauzl.Entry) => {
        each(entry, open(entry)).then(
          () => file.readEntry(),
          (entryError: unknown) => {
            file.close();
            reject(entryError);
          },
        );
      });
      file.on("end", () => resolve());
      file.readEntry();
    });
  });
}
