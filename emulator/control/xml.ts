// AWS's XML for the query protocol (IAM, STS) and REST-XML (CloudFront): a value written as
// elements, lists as `<member>` items (query) or named items (REST-XML), text escaped.
// @see https://smithy.io/2.0/aws/protocols/aws-query-protocol.html

/** What an element holds: text, a number or boolean, nested elements, a list, or nothing. */
export type XmlValue = string | number | boolean | undefined | null | XmlList | { readonly [name: string]: XmlValue };

/** A list, written as one `<item>` element per entry (`member` in the query protocol). */
export class XmlList {
  constructor(
    readonly items: readonly XmlValue[],
    readonly itemName: string = "member",
  ) {}
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

/** `<name>value</name>`; an undefined or null value writes nothing. */
export function element(name: string, value: XmlValue): string {
  if (value === undefined || value === null) {
    return "";
  }
  if (value instanceof XmlList) {
    return `<${name}>${value.items.map((item) => element(value.itemName, item)).join("")}</${name}>`;
  }
  if (typeof value === "object") {
    return `<${name}>${Object.entries(value)
      .map(([child, v]) => element(child, v))
      .join("")}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
