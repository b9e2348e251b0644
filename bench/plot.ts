// Draws bytes received over time for the same request, streamed and buffered, as plain SVG.

export interface StreamingPlot {
  readonly query: string;
  readonly streamed: ReadonlyArray<readonly [number, number]>;
  readonly buffered: ReadonlyArray<readonly [number, number]>;
}

const WIDTH = 760;
const HEIGHT = 400;
const MARGIN = { top: 56, right: 24, bottom: 56, left: 76 };
const COLORS = { streamed: "#1f77b4", buffered: "#d62728" };

/** A "nice" step (1, 2 or 5 × 10ⁿ) that splits `max` into about `count` ticks. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function drawStreamingSvg(plot: StreamingPlot): string {
  const all = [...plot.streamed, ...plot.buffered];
  const xStep = niceStep(Math.max(...all.map(([t]) => t)), 6);
  const yStep = niceStep(Math.max(...all.map(([, b]) => b)), 5);
  const xMax = Math.ceil(Math.max(...all.map(([t]) => t)) / xStep) * xStep;
  const yMax = Math.ceil(Math.max(...all.map(([, b]) => b)) / yStep) * yStep;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t: number): number => MARGIN.left + (t / xMax) * plotW;
  const y = (b: number): number => MARGIN.top + plotH - (b / yMax) * plotH;
  // A step line: bytes stay flat until the next chunk arrives. Both start at (0, 0).
  const steps = (points: ReadonlyArray<readonly [number, number]>): string => {
    let d = `M ${x(0).toFixed(1)} ${y(0).toFixed(1)}`;
    let last = 0;
    for (const [t, b] of points) {
      d += ` H ${x(t).toFixed(1)} V ${y(b).toFixed(1)}`;
      last = b;
    }
    return `${d} H ${x(xMax).toFixed(1)} V ${y(last).toFixed(1)}`;
  };
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
  );
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Bytes received over time: the same request, streamed and buffered</text>`,
  );
  parts.push(`<text x="${WIDTH / 2}" y="42" text-anchor="middle" fill="#555">local Function URL, GET ${escapeXml(plot.query)}</text>`);
  for (let t = 0; t <= xMax + 1e-9; t += xStep) {
    parts.push(`<line x1="${x(t)}" y1="${MARGIN.top}" x2="${x(t)}" y2="${MARGIN.top + plotH}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x(t)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${Math.round(t)}</text>`);
  }
  for (let b = 0; b <= yMax + 1e-9; b += yStep) {
    parts.push(`<line x1="${MARGIN.left}" y1="${y(b)}" x2="${MARGIN.left + plotW}" y2="${y(b)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${y(b) + 4}" text-anchor="end">${b.toLocaleString("en-US")}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">time since the request was sent (ms)</text>`);
  parts.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">bytes received</text>`);
  parts.push(`<path d="${steps(plot.buffered)}" fill="none" stroke="${COLORS.buffered}" stroke-width="2.5"/>`);
  parts.push(`<path d="${steps(plot.streamed)}" fill="none" stroke="${COLORS.streamed}" stroke-width="2.5"/>`);
  const legendX = MARGIN.left + 16;
  const legendY = MARGIN.top + 14;
  const firstStreamed = plot.streamed[0]?.[0] ?? 0;
  const firstBuffered = plot.buffered[0]?.[0] ?? 0;
  parts.push(`<rect x="${legendX - 8}" y="${legendY - 14}" width="330" height="48" fill="#ffffff" stroke="#ccc"/>`);
  parts.push(`<line x1="${legendX}" y1="${legendY}" x2="${legendX + 28}" y2="${legendY}" stroke="${COLORS.streamed}" stroke-width="3"/>`);
  parts.push(`<text x="${legendX + 36}" y="${legendY + 4}">RESPONSE_STREAM: first byte at ${firstStreamed.toFixed(0)} ms</text>`);
  parts.push(
    `<line x1="${legendX}" y1="${legendY + 22}" x2="${legendX + 28}" y2="${legendY + 22}" stroke="${COLORS.buffered}" stroke-width="3"/>`,
  );
  parts.push(`<text x="${legendX + 36}" y="${legendY + 26}">BUFFERED: first byte at ${firstBuffered.toFixed(0)} ms</text>`);
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
