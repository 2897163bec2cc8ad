// Where the checked files live, relative to the repository root (vitest runs from it).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const INFRA = join(ROOT, 'infra');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'infra');
export const CLOUDBUILD = join(ROOT, 'cloudbuild.yaml');
export const DOCKERFILE = join(ROOT, 'Dockerfile');
