import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error.js';

/** Route patterns a load balancer or a browser `<img>` reaches without the token. */
const OPEN = new Set(['/healthz', '/readyz', '/v1/images/files/:id']);

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token check: compares SHA-256 digests in constant time (no length or prefix leak) and
 * throws OpenAI's 401 shape, with `WWW-Authenticate`, when the header is missing or wrong.
 */
export function bearerCheck(token: string): (route: string, header: string | undefined) => void {
  const want = digest(token);
  return (route, header) => {
    if (OPEN.has(route)) return;
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!m || !timingSafeEqual(digest(m[1].trim()), want)) {
      throw new ApiError(
        401,
        m ? 'Incorrect API key provided.' : 'Missing bearer authentication in header: send "Authorization: Bearer <token>".',
        'invalid_api_key',
        null,
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
  };
}
