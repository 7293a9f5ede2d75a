import { z } from 'zod';
import { OcpiError, OcpiStatus, versionDetailsSchema, versionSchema } from '@voltmesh/ocpi';
import { PartnerCallError } from '../adapters/partner-client.js';
import type { AuthMode, PartnerEndpoint } from '../domain/connection.js';
import { pickCommonVersion, SUPPORTED_VERSIONS } from '../domain/versions.js';
import type { GatewayContext } from './context.js';

export interface DiscoveredPlatform {
  version: string;
  endpoints: PartnerEndpoint[];
}

/**
 * Reads a partner's versions and the details of one version (steps 2-3 of the handshake, or
 * step 5 on the receiving side). Failures become the registration errors of OCPI: 3001 when
 * the partner's API cannot be used, 3002 when no version fits, 3003 when its credentials
 * endpoint is missing. Messages name the URL and the cause.
 */
export async function discoverPartner(
  context: GatewayContext,
  input: { versionsUrl: string; token: string; authMode: AuthMode; requiredVersion?: string; correlationId?: string; partner?: string },
): Promise<DiscoveredPlatform> {
  const versions = await callPartner(context, 'versions', {
    ...(input.partner ? { partner: input.partner } : {}),
    url: input.versionsUrl,
    token: input.token,
    authMode: input.authMode,
    data: z.array(versionSchema).min(1),
    ...(input.correlationId ? { correlationId: input.correlationId } : {}),
  });
  const offered = versions.map((version) => version.version);
  const version = input.requiredVersion
    ? offered.includes(input.requiredVersion)
      ? input.requiredVersion
      : undefined
    : pickCommonVersion(offered);
  if (!version) {
    const wanted = input.requiredVersion ?? SUPPORTED_VERSIONS.join(', ');
    throw new OcpiError(OcpiStatus.UNSUPPORTED_VERSION, `no common OCPI version: partner offers ${offered.join(', ') || 'none'}, we need ${wanted}`);
  }
  const detailsUrl = versions.find((entry) => entry.version === version)!.url;
  const details = await callPartner(context, 'version details', {
    ...(input.partner ? { partner: input.partner } : {}),
    url: detailsUrl,
    token: input.token,
    authMode: input.authMode,
    data: versionDetailsSchema,
    ...(input.correlationId ? { correlationId: input.correlationId } : {}),
  });
  const endpoints: PartnerEndpoint[] = details.endpoints.map((endpoint) => ({
    module: endpoint.identifier,
    interfaceRole: endpoint.role,
    url: endpoint.url,
  }));
  if (!endpoints.some((endpoint) => endpoint.module === 'credentials')) {
    throw new OcpiError(OcpiStatus.NO_MATCHING_ENDPOINTS, `partner version details at ${detailsUrl} list no credentials endpoint`);
  }
  return { version, endpoints };
}

async function callPartner<T>(
  context: GatewayContext,
  what: string,
  request: { url: string; token: string; authMode: AuthMode; data: z.ZodType<T>; correlationId?: string; partner?: string },
): Promise<T> {
  try {
    const response = await context.partners.call({ method: 'GET', module: what === 'versions' ? 'versions' : 'version-details', ...request });
    if (response.statusCode !== OcpiStatus.SUCCESS || response.data === undefined) {
      throw new OcpiError(
        OcpiStatus.UNABLE_TO_USE_CLIENT_API,
        `partner ${what} at ${request.url} answered HTTP ${response.httpStatus}, status_code ${response.statusCode}${response.statusMessage ? ` (${response.statusMessage})` : ''}`,
      );
    }
    return response.data;
  } catch (error) {
    if (error instanceof PartnerCallError) {
      throw new OcpiError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, `could not read partner ${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
