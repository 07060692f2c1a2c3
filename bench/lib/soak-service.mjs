// The soak's dummy service: scripts/lib/http-service.mjs plus one line per start in a starts file,
// so the soak can tell how many restarts really happened (a command run twice starts it twice).
// Usage: node soak-service.mjs <port> <pidFile> <startsFile>
import { appendFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";

const [port, pidFile, startsFile] = process.argv.slice(2);
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok\n");
});
server.listen(Number(port), "127.0.0.1", () => {
  writeFileSync(pidFile, `${process.pid}\n`);
  appendFileSync(startsFile, `${process.pid} ${new Date().toISOString()}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
