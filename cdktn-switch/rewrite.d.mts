export interface CdktnVersions {
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
  readonly replaces: readonly string[];
  readonly engines: Record<string, string>;
  readonly ciNode: string;
}
export interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  [key: string]: unknown;
}
export const VERSIONS: CdktnVersions;
export function rewriteSource(text: string): string;
export function rewriteCommand(text: string): string;
export function rewritePackageJson(pkg: PackageJson): PackageJson;
export function isSwitched(pkg: PackageJson): boolean;
export function rewriteKind(file: string): "source" | "command" | undefined;
