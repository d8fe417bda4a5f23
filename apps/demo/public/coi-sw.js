/*
 * MaskGen.js demo: cross-origin isolation for static hosts that cannot send headers (GitHub Pages).
 * Re-serves this site's own responses with COOP/COEP (and CORP, so they stay loadable under COEP);
 * requests to other origins (the model hub) pass through untouched and must send CORS headers, as the
 * Hugging Face hub does. Registered by src/isolation.ts; a host that sets the headers itself never needs it.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0 || response.type === 'opaque') return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
