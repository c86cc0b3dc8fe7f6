import type { PackageJson } from "./rewrite.mjs";
export function cdktnLockfile(root: string): string;
export function checkoutFiles(root: string): string[];
export function planSwitch(root: string, options?: { checkLock?: boolean }): Array<[string, string]>;
export function lockMismatch(lock: { packages?: Record<string, { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }> }, pkg: PackageJson): string | undefined;
