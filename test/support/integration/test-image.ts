import path from 'node:path';
import { docker, run } from './run.js';

export const TEST_IMAGE = 'saas-test-http:1';

/** saas-test-http:1 (busybox httpd serving /www on 8069), built by scripts/build-test-image when missing */
export async function ensureTestImage(): Promise<void> {
  const present = await docker('image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE).catch(
    () => '',
  );
  if (present) return;
  const script = path.resolve(import.meta.dirname, '../../../scripts/build-test-image');
  await run(script, ['--quiet']);
}
