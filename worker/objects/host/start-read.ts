/**
 * The object's key-value rows, read in one query when it starts. Every report of a cold object
 * read them one `get` each (the hot state, the stored copy of its D1 rows, D1's host row, the
 * stale mark, the revoked tokens, the history's schema mark), each a query of its own, most of
 * them for a key that is usually absent; one `list` reads them all at once.
 *
 * Each key is answered from that read once, by the one owner that keeps it in memory from then on
 * and writes it through; a key asked for again is read from storage, so nothing written since the
 * start is missed.
 */
export interface KvReader {
  get<T = unknown>(key: string): T | undefined;
}

export class StartRead implements KvReader {
  private readonly rows: Map<string, unknown>;
  private readonly asked = new Set<string>();

  constructor(private readonly storage: DurableObjectStorage) {
    this.rows = new Map(storage.kv.list());
  }

  get<T = unknown>(key: string): T | undefined {
    if (this.asked.has(key)) return this.storage.kv.get<T>(key);
    this.asked.add(key);
    const value = this.rows.get(key) as T | undefined;
    this.rows.delete(key); // held by its owner from now on
    return value;
  }
}
