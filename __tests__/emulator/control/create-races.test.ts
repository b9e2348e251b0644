// Two creates of the same thing at once, at the moment the address of the first is being opened:
// the service is called directly with a hosting whose opening waits until the test lets it go,
// so the second request runs while the first is between its check and its commit.

import * as fs from "node:fs";
import type * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { cloudfront } from "../../../emulator/control/cloudfront";
import type { LogEvents } from "../../../emulator/control/log-events";
import type { Hosting, OpenedAddress, ServiceCall } from "../../../emulator/control/service-call";
import { ServiceError } from "../../../emulator/control/service-error";
import { Store } from "../../../emulator/control/store";

/** What a service wrote: status and body. */
function fakeResponse(): { res: http.ServerResponse; answer: { status?: number; body?: string } } {
  const answer: { status?: number; body?: string } = {};
  const res = {
    writeHead: (status: number) => {
      answer.status = status;
      return res;
    },
    setHeader: () => res,
    end: (body?: string) => {
      answer.body = body;
    },
  } as unknown as http.ServerResponse;
  return { res, answer };
}

/** A hosting whose openings wait for `go()`; each released address is counted. */
function gatedHosting(): { hosting: Hosting; go(): void; released: string[]; opened: string[] } {
  let go = (): void => {};
  const gate = new Promise<void>((resolve) => (go = resolve));
  const released: string[] = [];
  const opened: string[] = [];
  const open = async (key: string): Promise<OpenedAddress> => {
    const address = `127.0.0.1:${40_000 + opened.length}`;
    opened.push(key);
    await gate;
    return { address, release: async () => void released.push(address) };
  };
  return { hosting: { openFunctionUrl: open, openDistribution: open }, go, released, opened };
}

const CONFIG = (reference: string, comment: string): string =>
  `<?xml version="1.0"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>${reference}</CallerReference><Comment>${comment}</Comment><Enabled>true</Enabled><Origins><Quantity>0</Quantity></Origins><DefaultCacheBehavior><TargetOriginId>x</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy></DefaultCacheBehavior></DistributionConfig>`;

describe("CreateDistribution while another with its CallerReference is being created", () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-races-"));
    store = Store.open(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const call = (hosting: Hosting, body: string): ServiceCall => ({
    method: "POST",
    url: new URL("http://local-aws/2020-05-31/distribution"),
    headers: {},
    body: Buffer.from(body),
    region: "us-east-1",
    requestId: "r",
    store,
    hosting,
    logEvents: {} as LogEvents,
  });

  test("the same configuration: both answered with one distribution, the second's address given back", async () => {
    const gated = gatedHosting();
    const [first, second] = [fakeResponse(), fakeResponse()];
    const both = Promise.all([
      cloudfront.handle(call(gated.hosting, CONFIG("ref", "same")), first.res),
      cloudfront.handle(call(gated.hosting, CONFIG("ref", "same")), second.res),
    ]);
    // Both requests passed their first check and wait for their address.
    expect(gated.opened).toHaveLength(2);
    gated.go();
    await both;
    expect([first.answer.status, second.answer.status]).toEqual([201, 201]);
    const id = (body?: string): string | undefined => /<Id>([A-Z0-9]+)<\/Id>/.exec(body ?? "")?.[1];
    expect(id(second.answer.body)).toBe(id(first.answer.body));
    expect(gated.released).toEqual(["127.0.0.1:40001"]);
  });

  test("another configuration: DistributionAlreadyExists for the second, its address given back", async () => {
    const gated = gatedHosting();
    const first = fakeResponse();
    const both = Promise.allSettled([
      cloudfront.handle(call(gated.hosting, CONFIG("ref", "one")), first.res),
      cloudfront.handle(call(gated.hosting, CONFIG("ref", "another")), fakeResponse().res),
    ]);
    gated.go();
    const [, second] = await both;
    expect(first.answer.status).toBe(201);
    expect(second.status === "rejected" && second.reason).toBeInstanceOf(ServiceError);
    expect((second as PromiseRejectedResult).reason).toMatchObject({ code: "DistributionAlreadyExists" });
    expect(gated.released).toEqual(["127.0.0.1:40001"]);
  });
});
