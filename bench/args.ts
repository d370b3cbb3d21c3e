/**
 * The benches' command-line options (`--name value`, `--name a,b`, `--flag`), read one way everywhere.
 * Benches take a handful of numbers; a parser library would add a dependency for these few lines.
 */
const valueOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

export const arg = (name: string, def: number): number => {
  const v = valueOf(name);
  return v === undefined ? def : Number(v);
};
export const text = (name: string, def: string): string => valueOf(name) ?? def;
export const list = (name: string, def: string[]): string[] => valueOf(name)?.split(',') ?? def;
export const flag = (name: string): boolean => process.argv.includes(`--${name}`);
