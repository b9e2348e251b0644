import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { standInForArchiveFiles } from "../../../tools/terraform-check/archive-stand-in";
import type { TerraformJson } from "../../../tools/terraform-check/terraform-json";
import { zipFolder } from "../../../tools/zip-folder";

function stackWithArchive(outputAttribute = "output_base64sha256"): TerraformJson {
  return {
    terraform: {
      required_providers: { aws: { source: "aws", version: "5.100.0" }, archive: { source: "hashicorp/archive", version: "2.7.1" } },
    },
    provider: { aws: [{ region: "us-east-1" }], archive: [{}] },
    data: {
      archive_file: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
        zip: { type: "zip", source_dir: "assets/bundle/ABC", output_path: "${path.module}/dist/fn.zip", output_file_mode: "0644" },
      },
    },
    resource: {
      aws_lambda_function: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
        fn: { filename: "${data.archive_file.zip.output_path}", source_code_hash: `\${data.archive_file.zip.${outputAttribute}}` },
      },
    },
  };
}

describe("archive stand-in", () => {
  let stackDir: string;
  beforeEach(() => {
    stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "ls-standin-"));
    fs.mkdirSync(path.join(stackDir, "assets", "bundle", "ABC", "lib"), { recursive: true });
    fs.writeFileSync(path.join(stackDir, "assets", "bundle", "ABC", "index.js"), "exports.handler = 1;\n");
    fs.writeFileSync(path.join(stackDir, "assets", "bundle", "ABC", "lib", "a.js"), "a\n");
  });
  afterEach(() => fs.rmSync(stackDir, { recursive: true, force: true }));

  test("zips a folder deterministically: same files, same bytes, whatever the file times", () => {
    const source = path.join(stackDir, "assets", "bundle", "ABC");
    const first = zipFolder(source, 0o644);
    fs.utimesSync(path.join(source, "index.js"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const second = zipFolder(source, 0o644);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(Object.keys(unzipSync(first))).toEqual(["index.js", "lib/a.js"]);
    expect(Buffer.from(unzipSync(first)["index.js"]).toString()).toBe("exports.handler = 1;\n");
  });

  test("writes the zip and puts its path and SHA-256 where the JSON referred to the data source", () => {
    const { json, archives } = standInForArchiveFiles(stackWithArchive(), stackDir);
    const zip = fs.readFileSync(path.join(stackDir, "dist", "fn.zip"));
    const sha = createHash("sha256").update(zip).digest("base64");
    expect(archives).toEqual([{ name: "zip", outputPath: "./dist/fn.zip", base64sha256: sha, size: zip.length }]);
    // The path stays relative to the module's folder: terraform runs in the check's root.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
    expect(json.resource?.aws_lambda_function.fn).toEqual({ filename: "${path.module}/dist/fn.zip", source_code_hash: sha });
  });

  test("removes the data source and the archive provider, and leaves the input alone", () => {
    const input = stackWithArchive();
    const before = JSON.stringify(input);
    const { json } = standInForArchiveFiles(input, stackDir);
    expect(json.data).toBeUndefined();
    expect(json.provider).toEqual({ aws: [{ region: "us-east-1" }] });
    expect(json.terraform?.required_providers).toEqual({ aws: { source: "aws", version: "5.100.0" } });
    expect(JSON.stringify(input)).toBe(before);
  });

  test("refuses an attribute it cannot provide, naming it", () => {
    expect(() => standInForArchiveFiles(stackWithArchive("output_md5"), stackDir)).toThrow(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a JavaScript template
      "${data.archive_file.zip.output_md5}: the archive stand-in provides only output_path, output_base64sha256, output_sha256, output_size; use the real hashicorp/archive provider for output_md5.",
    );
  });

  test("refuses an archive_file that is not a zip of a folder, naming it", () => {
    const json = stackWithArchive();
    const archive = json.data?.archive_file?.zip as Record<string, unknown>;
    archive.type = "tar";
    expect(() => standInForArchiveFiles(json, stackDir)).toThrow(
      'data.archive_file.zip: the stand-in zips a source_dir only (got type "tar").',
    );
  });

  test("refuses JSON whose archive references it cannot all replace", () => {
    const json = stackWithArchive();
    (json.resource as Record<string, Record<string, Record<string, unknown>>>).aws_lambda_function.fn.description =
      "data.archive_file.zip is used here";
    expect(() => standInForArchiveFiles(json, stackDir)).toThrow(
      /a reference to data\.archive_file is left after the stand-in replaced them/,
    );
  });
});
