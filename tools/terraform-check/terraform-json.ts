// The parts of a synthesized Terraform JSON document the check reads and rewrites.

export type Block = Record<string, unknown>;

export interface TerraformJson {
  terraform?: {
    backend?: Record<string, Block>;
    required_providers?: Record<string, { source: string; version: string }>;
    [key: string]: unknown;
  };
  provider?: Record<string, Block[]>;
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  output?: Record<string, Block>;
  [key: string]: unknown;
}
