import { joinHeaders } from "../../../emulator/common/request-headers";

describe("joinHeaders", () => {
  test("lower-cases names and joins repeated headers with commas, in order", () => {
    expect(joinHeaders(["A", "1", "a", "2", "B", "3"])).toEqual({ a: "1,2", b: "3" });
  });

  test("leaves out the hop-by-hop headers of the connection to Lambda", () => {
    const raw = [
      "Connection",
      "keep-alive",
      "Keep-Alive",
      "timeout=5",
      "Transfer-Encoding",
      "chunked",
      "Upgrade",
      "h2c",
      "Proxy-Connection",
      "x",
    ];
    expect(joinHeaders([...raw, "X-Kept", "y"])).toEqual({ "x-kept": "y" });
  });
});
