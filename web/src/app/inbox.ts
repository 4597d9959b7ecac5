/** Where an inbox item leads in the workspace: the place its event type declares (a review
 * run, a directive, a plugin's page; filled from the event's payload by the server), else the
 * workspace of the tenant the event happened in. */

export interface InboxLinkable { path: string; link: string; eventTenantId: string }

function workspacePath(url: string): string | null {
  if (url.startsWith("/t/")) return url;
  try {
    const path = new URL(url).pathname;
    return path.startsWith("/t/") ? path : null;
  } catch {
    return null;
  }
}

/** The in-app path an item opens, or null when it leads nowhere the person can go. */
export function inboxTarget(item: InboxLinkable, tenants: readonly { id: string; slug: string }[]): string | null {
  const declared = workspacePath(item.path) ?? (item.link ? workspacePath(item.link) : null);
  if (declared) return declared;
  const tenant = tenants.find((t) => t.id === item.eventTenantId);
  return tenant ? `/t/${tenant.slug}/` : null;
}
