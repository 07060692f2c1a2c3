/**
 * Config keys for how commands and data travel: the offline spool's size cap and the
 * optional pinned command-signing key.
 */
import * as z from "zod/mini";
import { parseSigningKey } from "../actions/signing";
import { DEFAULT_SPOOL_BYTES } from "../transport/spool-queue";

export const deliveryShape = {
  /** Bytes the offline spool may hold on disk (0: no spool, memory only). */
  spoolMaxBytes: z._default(
    z.number().check(
      z.int(),
      z.refine((n) => n === 0 || (n >= 64 * 1024 && n <= 2 ** 34), "0 (off) or 65536 to 17179869184"),
    ),
    DEFAULT_SPOOL_BYTES,
  ),
  /** Base64 Ed25519 public key (SPKI DER or raw 32 bytes): only commands it signed run. */
  commandSigningKey: z.optional(
    z.string().check(
      z.refine((k) => {
        try {
          parseSigningKey(k);
          return true;
        } catch {
          return false;
        }
      }, "not a base64 Ed25519 public key (make one with: selfheal-agent keygen)"),
    ),
  ),
};

export interface DeliveryConfig {
  spoolMaxBytes: number;
  commandSigningKey?: string;
}
