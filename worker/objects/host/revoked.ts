/**
 * Agent tokens of this host that were revoked (by DELETE /api/v1/tokens/{id} or a re-enrolment),
 * as the Worker told the object (HostObject.tokensRevoked). Every agent request reaches its host's
 * object, so checking here makes a revocation bite at once in every isolate, however long an
 * isolate keeps a resolved token (services/tenancy/principal.ts): the token lookup then stays off the steady
 * report's path. Kept in the object's storage, the newest KEEP ids (older ones are long expired
 * from every isolate's cache).
 */
import type { KvReader } from "./start-read";

const KEY = "revoked-tokens";
const KEEP = 64;

export class RevokedTokens {
  private ids: Set<string>;

  constructor(
    private readonly storage: DurableObjectStorage,
    first: KvReader = storage.kv,
  ) {
    this.ids = new Set(first.get<string[]>(KEY) ?? []);
  }

  has(tokenId: string | null): boolean {
    return tokenId !== null && this.ids.has(tokenId);
  }

  add(tokenIds: string[]): void {
    this.ids = new Set([...this.ids, ...tokenIds].slice(-KEEP));
    this.storage.kv.put(KEY, [...this.ids]);
  }
}
