import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Store } from "../../../emulator/control/store";
import { AddressHosts, type HostPort, parseHostPort } from "../../../emulator/deployed/address-hosts";
import { send } from "../../helpers/http-client";

describe("AddressHosts", () => {
  let dir: string;
  let store: Store;
  let lines: string[];
  /** The records, as the store would keep them: key → `host:port`. */
  let records: Map<string, string>;
  const opened: AddressHosts[] = [];
  const hostsOn = (host: string): AddressHosts => {
    const hosts = new AddressHosts(store, {
      host,
      log: (line) => lines.push(line),
      serverFor: (key) => http.createServer((_req, res) => res.end(key)),
      recorded: () => new Map([...records].map(([key, at]) => [key, parseHostPort(at)])),
      describe: (key) => `the thing ${key}`,
      show: (at: HostPort) => `http://${at.host}:${at.port}/`,
    });
    opened.push(hosts);
    return hosts;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-hosts-"));
    store = Store.open(dir);
    lines = [];
    records = new Map();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((hosts) => hosts.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a restart on another --host serves each record at the host it was made on, and a later change keeps it", async () => {
    const first = hostsOn("127.0.0.1");
    const { at } = await first.open("a");
    records.set("a", `${at.host}:${at.port}`);
    store.commit();
    await first.close();

    const second = hostsOn("localhost");
    await second.restore();
    expect(lines).toContain(`local AWS: the thing a answers at http://127.0.0.1:${at.port}/`);
    // An unrelated change: the record is still there, so its server stays.
    store.commit();
    expect((await send(`http://127.0.0.1:${at.port}/`)).body.toString()).toBe("a");
    // Its record gone, it stops answering.
    records.delete("a");
    store.commit();
    await expect(send(`http://127.0.0.1:${at.port}/`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  test("what cannot be served at start is one true line each, and the rest serve", async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      records.set("old", "d111111abcdef8.cloudfront.net");
      records.set("clash", `127.0.0.1:${port}`);
      records.set("fine", "127.0.0.1:0");
      await hostsOn("127.0.0.1").restore();
      expect(lines[0]).toBe(
        "local AWS: the thing old was made by an older local AWS and does not answer: delete and create it again (terraform apply -replace)",
      );
      expect(lines[1]).toBe(
        `local AWS: the thing clash cannot answer at http://127.0.0.1:${port}/: port ${port} is taken: free it and restart the local AWS`,
      );
      expect(lines[2]).toMatch(/^local AWS: the thing fine answers at http:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  test("the same key opened twice at once: the second is ResourceConflictException, and the first keeps its server", async () => {
    const hosts = hostsOn("127.0.0.1");
    const [first, second] = await Promise.allSettled([hosts.open("twice"), hosts.open("twice")]);
    expect(second).toMatchObject({ status: "rejected", reason: { code: "ResourceConflictException" } });
    const { at } = (first as PromiseFulfilledResult<Awaited<ReturnType<AddressHosts["open"]>>>).value;
    expect((await send(`http://127.0.0.1:${at.port}/`)).body.toString()).toBe("twice");
    await hosts.close();
    await expect(hosts.open("after")).rejects.toThrow("the local AWS is stopping");
  });

  test("an address opened for a record not yet committed is not closed by another change; released, it stops", async () => {
    const hosts = hostsOn("127.0.0.1");
    const { at, release } = await hosts.open("pending");
    store.commit();
    expect((await send(`http://127.0.0.1:${at.port}/`)).body.toString()).toBe("pending");
    await release();
    await expect(send(`http://127.0.0.1:${at.port}/`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
