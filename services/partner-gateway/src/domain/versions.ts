/** OCPI versions this platform implements, newest first. */
export const SUPPORTED_VERSIONS = ['2.2.1', '2.1.1'] as const;
export type SupportedVersion = (typeof SUPPORTED_VERSIONS)[number];

export const isSupportedVersion = (version: string | undefined): version is SupportedVersion =>
  (SUPPORTED_VERSIONS as readonly string[]).includes(version ?? '');

/** The newest version both sides implement, or undefined when they share none. */
export function pickCommonVersion(partnerVersions: readonly string[]): SupportedVersion | undefined {
  const offered = new Set(partnerVersions.map((version) => version.trim()));
  return SUPPORTED_VERSIONS.find((version) => offered.has(version));
}
