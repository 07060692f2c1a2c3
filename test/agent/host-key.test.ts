import { createPublicKey, verify } from "node:crypto";
import { readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalKeyProof, enrollRequestSchema, refreshRequestSchema } from "../../agent/protocol";
import {
  type EnrollDeps,
  FatalError,
  obtainAgentToken,
  readStoredToken,
  renewAgentToken,
} from "../../agent/src/enroll";
import { ApiClient } from "../../agent/src/transport/client";
import { apiError, fakeServer, type Seen } from "./support/fake-server";
import { cleanup, quietLog, tempDir } from "./support/helpers";

afterEach(cleanup);

/** Checks a proof the agent sent with the raw Ed25519 public key it enrolled with. */
function verifies(publicKey: string, name: string, proof: { at: string; signature: string }): boolean {
  const spki = Buffer.concat([
    Buffer.from("302a300506032b6570032100", "hex"),
    Buffer.from(publicKey, "base64"),
  ]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  return verify(
    null,
    Buffer.from(canonicalKeyProof(name, proof.at)),
    key,
    Buffer.from(proof.signature, "base64"),
  );
}

async function identity(reply: (req: Seen, n: number) => ReturnType<typeof apiError>) {
  const server = await fakeServer(reply);
  const dir = tempDir();
  const deps: EnrollDeps = {
    server: server.url,
    enrollToken: "enroll-1",
    name: "box",
    tokenFile: path.join(dir, "agent-token.json"),
    keyFile: path.join(dir, "host-key.pem"),
    client: new ApiClient({ server: server.url }),
    log: quietLog,
    retryCapMs: 200,
  };
  return { server, deps };
}

const enrolled = (agentToken: string) => ({ status: 200, body: { hostId: "host_1", agentToken } });

describe("the host key", () => {
  it("is made once at the first enrolment (0600), sent with a valid proof, and reused when enrolling again", async () => {
    const { server, deps } = await identity(() => enrolled("agent-1"));
    await obtainAgentToken(deps);
    expect(statSync(deps.keyFile).mode & 0o777).toBe(0o600);
    const pem = readFileSync(deps.keyFile, "utf8");
    const first = enrollRequestSchema.parse(server.seen[0].body);
    expect(first.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(verifies(first.publicKey as string, "box", first.proof as never)).toBe(true);
    expect(Math.abs(Date.parse(first.proof?.at as string) - Date.now())).toBeLessThan(5_000);

    rmSync(deps.tokenFile); // lost its token: it enrols again under its name with the same key
    await obtainAgentToken(deps);
    const second = enrollRequestSchema.parse(server.seen[1].body);
    expect(second.publicKey).toBe(first.publicKey);
    expect(verifies(first.publicKey as string, "box", second.proof as never)).toBe(true);
    expect(readFileSync(deps.keyFile, "utf8")).toBe(pem);
  });

  it("proves itself for a fresh agent token when its own is refused, without the enroll token", async () => {
    const { server, deps } = await identity((req) =>
      req.url === "/api/v1/agent/refresh" ? enrolled("agent-2") : enrolled("agent-1"),
    );
    const stored = await obtainAgentToken(deps);
    const renewed = await renewAgentToken({ ...deps, enrollToken: undefined }, stored?.hostId as string);
    expect(renewed?.agentToken).toBe("agent-2");
    expect(readStoredToken(deps.tokenFile)?.agentToken).toBe("agent-2");
    const [enroll, refresh] = server.seen;
    expect(refresh.auth).toBeUndefined();
    const body = refreshRequestSchema.parse(refresh.body);
    expect(body).toMatchObject({ hostId: "host_1", name: "box" });
    expect(verifies(enroll.body.publicKey, "box", body.proof)).toBe(true);
  });

  it("stops with a clear message when the key proof is refused and there is no token to enrol again", async () => {
    const { deps } = await identity((req) =>
      req.url === "/api/v1/agent/refresh"
        ? apiError(401, "UNAUTHORIZED", "host key proof refused")
        : enrolled("a"),
    );
    await obtainAgentToken(deps);
    const err = await renewAgentToken({ ...deps, enrollToken: undefined }, "host_1").catch((e) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect(err.exitCode).toBe(77);
    expect(err.message).toContain("host key proof refused");
  });
});
