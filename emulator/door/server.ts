// The HTTP server under both doors: a request id and an access-log line for every request, the
// loopback Host check, request headers bounded as Lambda bounds them (431 past 1 MB), an answer
// to HTTP that cannot be parsed, and a 500 in the door's shape when the door itself fails. Each
// door hands it what to do with a request that got past these.

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { logWhenClosed } from "../common/access-log";
import { MAX_REQUEST_HEADER_BYTES, STREAM_HIGH_WATER_MARK } from "../common/constants";
import { isAllowedHost } from "../common/loopback";
import { type Door, rawError, refuse, sendError } from "./door";

export interface DoorServerOptions {
  readonly door: Door;
  /**
   * For a server bound to loopback: the Host names it answers to (loopback names and its own
   * address); others get 403, so a page in a browser cannot reach it through DNS rebinding.
   */
  readonly allowedHostNames?: readonly string[];
  /** What the door does with a request that passed the Host check. */
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse, requestId: string) => Promise<void>;
}

/** Creates (does not start) a door's HTTP server. */
export function createDoorServer({ door, allowedHostNames, handle }: DoorServerOptions): http.Server {
  const server = http.createServer(
    { noDelay: true, maxHeaderSize: MAX_REQUEST_HEADER_BYTES, highWaterMark: STREAM_HIGH_WATER_MARK },
    (req, res) => {
      const requestId = randomUUID();
      logWhenClosed(req, res, requestId, door.log);
      res.setHeader("x-amzn-RequestId", requestId);
      const host = req.headers.host;
      if (allowedHostNames && host !== undefined && !isAllowedHost(host, allowedHostNames)) {
        req.resume();
        refuse(door, res, requestId, {
          status: 403,
          errorType: "AccessDeniedException",
          message: "Forbidden",
          reason: `Host ${JSON.stringify(host)} is not a loopback name; a server bound to loopback answers only ${allowedHostNames.join(", ")}`,
        });
        return;
      }
      handle(req, res, requestId).catch((error: Error) => {
        door.log(`${door.name}: internal error: ${error.stack ?? error.message}`);
        sendError(door, res, 500, "ServiceException", "Internal Server Error");
      });
    },
  );
  // HTTP that cannot be parsed gets an answer and a closed socket; the server keeps serving.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(
      error.code === "HPE_HEADER_OVERFLOW"
        ? rawError(
            door,
            431,
            "Request Header Fields Too Large",
            "RequestHeaderFieldsTooLarge",
            `The request line and headers must be smaller than ${MAX_REQUEST_HEADER_BYTES} bytes`,
          )
        : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
  });
  // Once it listens, a server error (an accept that fails) is logged, never swallowed or fatal.
  server.once("listening", () => server.on("error", (error: Error) => door.log(`${door.name}: server error: ${error.message}`)));
  return server;
}
