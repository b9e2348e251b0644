import { drawStreamingSvg } from "../../bench/plot";

describe("drawStreamingSvg", () => {
  const svg = drawStreamingSvg({
    query: "?count=4&chunk=1&delay=50",
    streamed: [
      [5, 4],
      [55, 8],
      [105, 12],
      [155, 16],
    ],
    buffered: [[160, 16]],
  });

  test("is an SVG document with a title, both axes labelled and a legend for both modes", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("Bytes received over time: the same request, streamed and buffered");
    expect(svg).toContain("time since the request was sent (ms)");
    expect(svg).toContain("bytes received");
    expect(svg).toContain("RESPONSE_STREAM: first byte at 5 ms");
    expect(svg).toContain("BUFFERED: first byte at 160 ms");
  });

  test("labels round ticks on both axes", () => {
    const labels = [...svg.matchAll(/<text [^>]*>([\d,]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(["0", "50", "100", "150", "200", "0", "5", "10", "15", "20"]);
  });
});
