/** sessionStorage key: the page reloaded once for the service worker; never loop if isolation still fails. */
const RELOADED = 'maskgen-coi-reloaded';

/**
 * Threads need cross-origin isolation, which needs COOP/COEP headers that GitHub Pages and many static
 * hosts cannot set. `coi-sw.js` (served beside the page) adds them to this site's own responses; the
 * first visit registers it and reloads once so the page itself comes through it. Returns true when a
 * reload is under way. `?coi=off` opts out (and removes the worker), for hosts that must stay plain.
 */
export async function isolateWithServiceWorker(query: URLSearchParams): Promise<boolean> {
  const sw = navigator.serviceWorker;
  if (!sw || !window.isSecureContext) return false;
  if (query.get('coi') === 'off') {
    for (const r of await sw.getRegistrations()) if (r.active?.scriptURL.endsWith('/coi-sw.js')) await r.unregister();
    return false;
  }
  if (crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return false;
  }
  if (sessionStorage.getItem(RELOADED)) return false; // the worker could not help (e.g. a hard reload bypasses it)
  try {
    const reg = await sw.register(new URL(`${import.meta.env.BASE_URL}coi-sw.js`, location.href), { scope: import.meta.env.BASE_URL });
    await sw.ready;
    if (!reg.active) return false;
    sessionStorage.setItem(RELOADED, '1');
    location.reload();
    return true;
  } catch (e) {
    console.warn(`MaskGen.js: could not register the isolation service worker (${(e as Error).message}); running on one thread`);
    return false;
  }
}
