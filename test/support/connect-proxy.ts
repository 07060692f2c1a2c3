/** A local HTTP proxy for the agent's proxy tests, as corporate proxies do it: CONNECT tunnels only. */
import http from "node:http";
import net from "node:net";

/** An HTTP proxy that only tunnels (CONNECT), recording each tunnel's target and the request lines sent through it. */
export async function connectProxy() {
  const tunnels: { target: string; sent: string }[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client: net.Socket, head: Buffer) => {
    const tunnel = { target: req.url ?? "", sent: "" };
    tunnels.push(tunnel);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      client.on("data", (d: Buffer) => {
        tunnel.sent += d.toString("latin1");
      });
      client.pipe(upstream).pipe(client);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, tunnels, close };
}
