// Where a value of the merged policy was written, shown the way error messages show places.

import { isAbsolute, relative, sep } from "node:path";
import type { Where } from "../errors.js";
import { showPointer, type Origin } from "./json-node.js";

/** A file relative to the current directory when it is under it, else as given. */
export function displayFile(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel) ? rel : file;
}

/** "build.json:12:5#/mounts/3"; line 0 means a layer without text (command-line flags). */
export function formatOrigin(o: Origin): string {
  const place = o.line > 0 ? `${displayFile(o.file)}:${o.line}:${o.column}` : displayFile(o.file);
  return o.pointer ? `${place}#${showPointer(o.pointer)}` : place;
}

/** An Origin as the `where` of an NsjailError (file shown as in formatOrigin). */
export function whereOf(o: Origin): Where {
  const file = displayFile(o.file);
  const pointer = showPointer(o.pointer);
  return o.line > 0 ? { file, pointer, line: o.line, column: o.column } : { file, pointer };
}
