// A service fixture for `npm run chaos`: answers 200 like scripts/lib/http-service.mjs, plus
// faults to inject from outside:
// - SIGUSR2: its memory starts growing steadily (about 20 MB a second, kept referenced);
// - with CACHE_DIR and CACHE_MAX_BYTES: it answers 507 while its cache folder holds more than
//   that (an app refusing work once its cache partition is full).
// A hang needs nothing here: SIGSTOP leaves it alive, listening, and never answering.
// Usage: node chaos-service.mjs <port> <pidFile>
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

const [port, pidFile] = process.argv.slice(2);
const cacheDir = process.env.CACHE_DIR;
const cacheMax = Number(process.env.CACHE_MAX_BYTES ?? Number.POSITIVE_INFINITY);

function cacheBytes() {
  if (!cacheDir) return 0;
  let total = 0;
  for (const name of readdirSync(cacheDir)) {
    try {
      total += statSync(path.join(cacheDir, name)).size;
    } catch {}
  }
  return total;
}

const server = createServer((_req, res) => {
  const full = cacheBytes() > cacheMax;
  res.writeHead(full ? 507 : 200, { "content-type": "text/plain" });
  res.end(full ? "cache full\n" : "ok\n");
});
server.listen(Number(port), "127.0.0.1", () => {
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
});

const leaked = [];
process.on("SIGUSR2", () => {
  setInterval(() => leaked.push(Buffer.alloc(5 * 1024 * 1024, 1)), 250);
});
// Exit at once: a real daemon may linger, but the faults under test are elsewhere.
process.on("SIGTERM", () => process.exit(0));
