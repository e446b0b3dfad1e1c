// The files of a SQLite database and those beside it (the webhook inbox, a role's lock).
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';

/**
 * Makes `file` readable by its owner only, creating it so before SQLite opens it (SQLite gives its
 * -wal and -shm files the same mode). An existing file is not opened: closing any descriptor of a file
 * lets go of every lock this process holds on it.
 */
export function makePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  else if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

/** `file` split at its extension: `data/guildhall.sqlite` → `data/guildhall` and `.sqlite`. */
function stemAndExtension(file: string): [string, string] {
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/') + 1 ? [file.slice(0, dot), file.slice(dot)] : [file, ''];
}

/** The inbox file beside a SQLite database: `guildhall.sqlite` → `guildhall.inbox.sqlite`. */
export function inboxFileOf(file: string): string {
  if (file === ':memory:') return file;
  const [stem, extension] = stemAndExtension(file);
  return `${stem}.inbox${extension}`;
}

/** The lock file of the role `name` beside a SQLite database: `guildhall.inbox-drainer.lock`. */
export function roleFileOf(file: string, name: string): string {
  return `${stemAndExtension(file)[0]}.${name}.lock`;
}
