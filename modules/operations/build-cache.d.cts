export interface Fingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha1: string;
}
export function fingerprint(file: string): Fingerprint;
export function unchanged(file: string, recorded: Fingerprint): boolean;
export function writeAtomically(file: string, contents: string | NodeJS.ArrayBufferView): void;
