// The repository config: format version, repository id and the chunker polynomial.
import { CairnError } from '../errors.ts';
import { goJson } from './gojson.ts';
import { validate, z } from './schema.ts';

export interface RepoConfig {
  version: number;
  id: string;
  chunkerPolynomial: bigint;
}

export const SUPPORTED_VERSIONS = [1, 2];

const configSchema = z.object({
  version: z.number().int(),
  id: z.string().min(1),
  chunker_polynomial: z.string().regex(/^[0-9a-f]+$/),
});

export function encodeConfig(c: RepoConfig): string {
  return goJson({ version: c.version, id: c.id, chunker_polynomial: c.chunkerPolynomial.toString(16) });
}

export function decodeConfig(value: unknown): RepoConfig {
  const raw = validate(configSchema, value, 'repository config');
  if (!SUPPORTED_VERSIONS.includes(raw.version)) {
    throw new CairnError('UNSUPPORTED_VERSION', `repository format version ${raw.version} is not supported (Cairn reads versions 1 and 2): use a newer Cairn`);
  }
  return { version: raw.version, id: raw.id, chunkerPolynomial: BigInt('0x' + raw.chunker_polynomial) };
}
