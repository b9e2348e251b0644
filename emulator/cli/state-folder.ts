// What `npm run local-aws` keeps in its state folder besides the state: which process serves it
// (one local AWS per folder: two would both write state.json, and both serve the same URLs'
// ports), and the key pair it made when it found no credentials, so that a restart checks the
// same pair the user exported and signed with.

import * as fs from "node:fs";
import * as path from "node:path";
import { isPid, isProcessAlive } from "../../support/running-records";
import { writeFileAtomic } from "../../support/write-file-atomic";
import type { VerifierCredentials } from "../auth/sigv4-signature";
import { StateError } from "../control/store";

/** The file naming the process that serves the folder. */
const OWNER_FILE = "owner.json";
/** The pair made for the folder, owner-only. */
const PAIR_FILE = "local-key-pair.json";

/** The claim files this process holds now: one naming this pid but not here is an earlier process's (a kill -9, then the same pid again, as in a restarted container). */
const claimedHere = new Set<string>();

/**
 * Claims `dir` for this process and returns how to give it back (once; later calls do nothing). A
 * folder another running local AWS serves is a StateError naming it and the claim file; one whose
 * owner is gone (a kill -9) is taken over.
 */
export function claimStateFolder(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, OWNER_FILE);
  const pid = process.pid;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, `${JSON.stringify({ pid })}\n`, { flag: "wx", mode: 0o600 });
      claimedHere.add(file);
      return () => {
        if (!claimedHere.delete(file)) return;
        if (readOwner(file) === pid) fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readOwner(file);
    const held = holder === pid ? claimedHere.has(file) : holder !== undefined && isProcessAlive(holder);
    if (held) {
      throw new StateError(
        `Another local AWS (pid ${holder}) serves the state folder ${dir}: use that one (its endpoint is in .local-aws.json), stop it first, or pass another --state DIR. (If no local AWS runs, remove ${file}.)`,
      );
    }
    // Its owner is gone: the claim is free.
    fs.rmSync(file, { force: true });
  }
  throw new StateError(
    `Cannot claim the state folder ${dir}: another local AWS is starting on it. Try again, or pass another --state DIR.`,
  );
}

function readOwner(file: string): number | undefined {
  try {
    const pid = (JSON.parse(fs.readFileSync(file, "utf8")) as { pid?: unknown }).pid;
    return isPid(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pair made for `dir` by an earlier run, else `made`, kept there (owner-only) for the next. */
export function keptLocalPair(dir: string, made: VerifierCredentials): VerifierCredentials {
  const file = path.join(dir, PAIR_FILE);
  try {
    const kept = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<VerifierCredentials>;
    if (typeof kept.accessKeyId === "string" && typeof kept.secretAccessKey === "string") {
      return { accessKeyId: kept.accessKeyId, secretAccessKey: kept.secretAccessKey };
    }
  } catch {
    // None yet, or not readable as a pair: a new one is kept.
  }
  writeFileAtomic(file, `${JSON.stringify({ accessKeyId: made.accessKeyId, secretAccessKey: made.secretAccessKey })}\n`, { mode: 0o600 });
  return made;
}
