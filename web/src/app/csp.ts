/**
 * The page's Content-Security-Policy allows scripts from this origin only and generated styles
 * only with the nonce the server put in this page. Ant Design passes the nonce to the styles it
 * generates (ConfigProvider `csp`), but some of its feature probes, and any Ant Design tree a
 * plugin renders with a root of its own, create `<style>` elements without it: every `<style>`
 * our (same-origin) scripts create gets the nonce, while markup injected into the page still
 * cannot bring styles or scripts of its own.
 */
export function cspNonce(): string | undefined {
  const value = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
  return value && !value.startsWith("__") ? value : undefined;
}

export function adoptNonceForStyles(nonce = cspNonce()): void {
  if (!nonce) return;
  const create = Document.prototype.createElement;
  Document.prototype.createElement = function createElement(this: Document, tag: string, options?: ElementCreationOptions) {
    const element = create.call(this, tag, options);
    if (tag.toLowerCase() === "style") element.setAttribute("nonce", nonce);
    return element;
  } as typeof Document.prototype.createElement;
}
