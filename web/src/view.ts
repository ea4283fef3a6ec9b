// The view a page shows lives in the URL's hash, "#/page/arg?by=namespace&from=...", so that a
// link restores it exactly: grouping, filters, date range, comparison, sort and search.
export interface Route {
  page: string;
  arg: string;
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, "");
  const q = hash.indexOf("?");
  const path = q < 0 ? hash : hash.slice(0, q);
  const [page, ...rest] = path.split("/");
  return {
    page: page || "overview",
    arg: decodeURIComponent(rest.join("/")),
    params: new URLSearchParams(q < 0 ? "" : hash.slice(q + 1)),
  };
}

export function routeHref(page: string, arg: string, params: URLSearchParams): string {
  const query = params.toString();
  return `#/${page}${arg ? "/" + encodeURIComponent(arg) : ""}${query ? "?" + query : ""}`;
}

// Changes some parameters of the current view (null removes one; a list repeats it) and shows
// the new view, which the hashchange listener draws.
export function updateView(patch: Record<string, string | string[] | null>): void {
  const route = currentRoute();
  for (const [key, value] of Object.entries(patch)) {
    route.params.delete(key);
    if (value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) route.params.append(key, v);
  }
  location.hash = routeHref(route.page, route.arg, route.params);
}
