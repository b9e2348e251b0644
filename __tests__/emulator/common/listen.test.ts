import * as net from "node:net";
import { listen } from "../../../emulator/common/listen";

describe("listen", () => {
  test("leaves no error listener behind once it listens: a later server error is not swallowed by it", async () => {
    const server = net.createServer();
    try {
      const port = await listen(server, 0, "127.0.0.1");
      expect(port).toBeGreaterThan(0);
      expect(server.listenerCount("error")).toBe(0);
    } finally {
      server.close();
    }
  });

  test("a failure to listen rejects with the listen error, and its listener goes too", async () => {
    const first = net.createServer();
    const second = net.createServer();
    try {
      const port = await listen(first, 0, "127.0.0.1");
      await expect(listen(second, port, "127.0.0.1")).rejects.toMatchObject({ code: "EADDRINUSE" });
      expect(second.listenerCount("error")).toBe(0);
    } finally {
      first.close();
    }
  });
});
