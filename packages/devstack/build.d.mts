/** [source, output] of every compiled entry point, relative to the repository root. */
export const ENTRIES: [string, string][];
export function buildAll(options?: { quiet?: boolean }): Promise<void>;
