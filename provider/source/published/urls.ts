/**
 * The URLs of a published content library, as pure rules: which subscription URLs are read, where
 * the library's folder is, which hrefs of its listing may be fetched and which redirects followed.
 *
 * An href comes from the library's author: fetching whatever it names would make this tool reach
 * any address the author chose (another host, or files above the library on its own host). So an
 * href must stay on the library's origin and inside its folder, checked on the URL as resolved and,
 * before that, on the text as written (a server may decode `%2e%2e` or `%2f` after the check).
 * A redirect, which the server answers and not the author of a listing, may lead elsewhere on the
 * same host (vCloud Director serves every file so), never to another host or from HTTPS to HTTP.
 */

/** Schemes vCenter subscribes to that name storage, not a server: why each is not read here. */
const STORAGE_SCHEMES: Readonly<Record<string, string>> = {
  "ds:": "a vSphere datastore",
  "nfs:": "an NFS share",
  "smb:": "an SMB share",
  "file:": "a file path",
};

/** A subscription URL checked: the URL, or why it is not one this tool reads. */
export type CheckedUrl = { readonly url: URL } | { readonly problem: string };

/**
 * Checks a subscription URL: http or https, no credentials in it. The URL is named in problems
 * without any user name or password it held.
 */
export function checkSubscriptionUrl(raw: string): CheckedUrl {
  const shown = withoutUserinfo(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `"${shown}" is not a URL: give the address of the library's lib.json (https://host/path/lib.json)` };
  }
  const storage = STORAGE_SCHEMES[url.protocol];
  if (storage !== undefined) {
    return {
      problem:
        `"${shown}" names ${storage} (${url.protocol}//), which a vCenter reads from its own storage; vmimages reads published libraries over HTTP(S) only: ` +
        `give the publisher's https://…/lib.json, or use source.directory for a folder on this machine`,
    };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { problem: `"${shown}" must be an http:// or https:// URL, not ${url.protocol}//` };
  if (url.username !== "" || url.password !== "") return { problem: `"${shown}" must not hold a user name or password: give username, and the password as its face takes it` };
  url.hash = "";
  return { url };
}

/** A URL without the user name and password before its host (up to the last `@` before the path). */
export function withoutUserinfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1");
}

/**
 * The library's folder, against which its hrefs resolve: the folder of a URL whose last segment is
 * a `.json` file (`…/lib/ID/lib.json` → `…/lib/ID/`), else the URL itself as a folder (vCloud
 * Director's `…/vcsp/lib/ID` → `…/vcsp/lib/ID/`, whose `itemsHref` is `items`).
 */
export function libraryFolder(url: URL): URL {
  const folder = new URL(url.href);
  folder.search = "";
  folder.hash = "";
  const last = folder.pathname.slice(folder.pathname.lastIndexOf("/") + 1);
  if (/\.json$/i.test(last)) folder.pathname = folder.pathname.slice(0, folder.pathname.length - last.length);
  else if (!folder.pathname.endsWith("/")) folder.pathname += "/";
  return folder;
}

/** Why an href of a listing is not fetched. */
export class HrefError extends Error {}

/**
 * The URL an href of the library's listing names, resolved against the library's folder.
 * @throws HrefError when it would leave the library's origin or folder, plainly or encoded, or
 *   holds what a server might read as a path separator or a dot segment.
 */
export function resolveHref(folder: URL, href: unknown): URL {
  if (typeof href !== "string" || href === "") throw new HrefError("is not a non-empty string");
  const quoted = JSON.stringify(href);
  if (/[\u0000-\u001f\u007f\\]/.test(href)) throw new HrefError(`${quoted} holds a backslash or a control character`);
  if (/%(2f|5c|00)/i.test(href)) throw new HrefError(`${quoted} holds an encoded "/", "\\" or NUL, which a server may read as a path`);
  if (href.startsWith("//")) throw new HrefError(`${quoted} names another host (it starts with //)`);
  const pathPart = href.replace(/[?#].*$/s, "");
  for (const segment of pathPart.split("/")) {
    const decoded = segment.replace(/%2e/gi, ".");
    if (decoded === "." || decoded === "..") throw new HrefError(`${quoted} has a "${segment}" segment: hrefs may not climb above the library's folder`);
  }
  let url: URL;
  try {
    url = new URL(href, folder);
  } catch {
    throw new HrefError(`${quoted} is not a URL`);
  }
  if (url.protocol !== folder.protocol || url.host !== folder.host) throw new HrefError(`${quoted} leaves the library's origin ${folder.origin}`);
  if (!url.pathname.startsWith(folder.pathname)) throw new HrefError(`${quoted} is outside the library's folder ${folder.pathname}`);
  url.hash = "";
  return url;
}

/**
 * Why a redirect from `from` to `to` is not followed, or undefined when it may be: only to the
 * same host and port (an HTTPS server's own redirect from http:// to https:// on the default
 * ports included), never from HTTPS to HTTP.
 */
export function refusedRedirect(from: URL, to: URL): string | undefined {
  if (to.protocol !== "http:" && to.protocol !== "https:") return `to ${to.protocol}// (only http and https are followed)`;
  if (from.protocol === "https:" && to.protocol === "http:") return "from HTTPS to plain HTTP";
  if (to.host !== from.host) return `to another host (${to.host}, not ${from.host})`;
  if (to.username !== "" || to.password !== "") return "to a URL holding credentials";
  return undefined;
}

/** A URL as messages show it: without credentials (there are none: they are refused) and fragment. */
export function shown(url: URL): string {
  return `${url.origin}${url.pathname}${url.search}`;
}
