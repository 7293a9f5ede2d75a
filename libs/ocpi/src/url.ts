/** Joins a base URL and path segments with exactly one `/` between parts; segments are URL-encoded. */
export function joinUrl(base: string, ...segments: string[]): string {
  return [base.replace(/\/+$/, ''), ...segments.map((segment) => encodeURIComponent(segment.replace(/^\/+|\/+$/g, '')))].join('/');
}

export const withTrailingSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);
