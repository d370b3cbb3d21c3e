/** A WHERE clause assembled from optional conditions, with its positional parameters in order. */
export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `clause` (with its `?` placeholders filled by `params`). */
  add(clause: string, ...params: unknown[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** `column = ?` when a filter value is given (booleans as 0/1); nothing when it is undefined. */
  eq(column: string, value: string | number | boolean | undefined): this {
    if (value === undefined) return this;
    return this.add(`${column} = ?`, typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }

  get size(): number {
    return this.clauses.length;
  }

  /** `WHERE …` or the empty string. */
  toString(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
