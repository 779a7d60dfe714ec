/**
 * ARM paging: a page of `value` and an absolute `nextLink` that carries everything needed for
 * the next page (including api-version, which SDKs do not re-add to a nextLink).
 */
import type { RouteContext } from "../route";

export function page<T>(
  items: T[],
  ctx: RouteContext,
  path: string,
  apiVersion: string,
): { value: T[]; nextLink?: string } {
  const requested = ctx.query.get("pageSize");
  const size = Math.max(1, Math.min(requested ? Number(requested) : ctx.pageSize, ctx.pageSize));
  const skip = Number(ctx.query.get("initialSkip") ?? "0");
  const descending = ctx.query.get("isDescending") === "true";
  const ordered = descending ? [...items].reverse() : items;
  const value = ordered.slice(skip, skip + size);
  if (skip + size >= ordered.length) return { value };
  const next = new URLSearchParams({
    "api-version": apiVersion,
    pageSize: String(size),
    initialSkip: String(skip + size),
  });
  if (descending) next.set("isDescending", "true");
  const filter = ctx.query.get("$filter");
  if (filter !== null) next.set("$filter", filter);
  return { value, nextLink: `${ctx.origin}${path}?${next.toString()}` };
}
