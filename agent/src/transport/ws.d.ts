// The part of ws (bundled into the agent by build.mjs) the command socket and its tests use;
// @types/ws would add a package for these few lines.
declare module "ws" {
  import type { IncomingMessage } from "node:http";

  namespace WebSocket {
    type RawData = Buffer | ArrayBuffer | Buffer[];
  }
  class WebSocket {
    constructor(
      url: URL | string,
      options?: {
        headers?: Record<string, string>;
        handshakeTimeout?: number;
        perMessageDeflate?: boolean;
        ca?: string | Buffer;
        agent?: import("node:http").Agent;
      },
    );
    send(data: string): void;
    terminate(): void;
    close(code?: number, reason?: string): void;
    on(event: "open", listener: () => void): this;
    on(event: "message", listener: (data: WebSocket.RawData, isBinary: boolean) => void): this;
    on(event: "unexpected-response", listener: (req: unknown, res: IncomingMessage) => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    on(event: "close", listener: (code: number) => void): this;
  }
  export default WebSocket;

  /** For the agent's tests: a real WebSocket server speaking the same wire protocol. */
  export class WebSocketServer {
    constructor(options: { server: import("node:http").Server });
    on(event: "connection", listener: (ws: WebSocket, req: IncomingMessage) => void): this;
    close(): void;
  }
}
