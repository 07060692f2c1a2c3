// A minimal HTTP service for tests and benchmarks: answers 200 on every path and writes its pid
// file once it is listening, as a real daemon would. Usage: node http-service.mjs <port> <pidFile>
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";

const [port, pidFile] = process.argv.slice(2);
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok\n");
});
server.listen(Number(port), "127.0.0.1", () => {
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
