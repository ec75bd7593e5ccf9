/**
 * The data directory holds the signing secret and, on SQLite, every post and member: owner-only
 * (0700, files 0600). New ones are created so; ones an older version left readable by the group
 * or others are tightened at start (docs/deploy.md, ADR 0020).
 */
import fs from 'node:fs';

/** Creates `dir` (0700) when missing; takes group and other permissions off it when present. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ownerOnly(dir, 0o700);
}

/** Takes group and other permissions off `file` (0600), when it exists. */
export function privateFile(file: string): void {
  ownerOnly(file, 0o600);
}

function ownerOnly(target: string, wanted: number): void {
  let mode: number;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (mode & 0o077) fs.chmodSync(target, wanted);
}
