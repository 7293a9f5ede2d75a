import { z } from 'zod';
import { OcpiError, OcpiStatus, versionDetailsSchema, versionSchema } from '@voltmesh/ocpi';
import * as v211 from '@voltmesh/ocpi/v2_1_1';
import { PartnerCallError } from '../adapters/partner-client.js';
import type { AuthMode, PartnerEndpoint, Role211 } from '../domain/connection.js';
import { interfaceRole211 } from '../domain/own-platform.js';
import { pickCommonVersion, SUPPORTED_VERSIONS, type SupportedVersion } from '../domain/versions.js';
import type { GatewayContext } from './context.js';

export interface DiscoveredPlatform {
  version: SupportedVersion;
  /** How to encode our token from now on: 2.1.1 partners take it raw; else the encoding the partner accepted. */
  authMode: AuthMode;
  endpoints: PartnerEndpoint[];
}

/**
 * Reads a partner's versions and the details of one version (steps 2-3 of the handshake, or
 * step 5 on the receiving side). Failures become the registration errors of OCPI: 3001 when
 * the partner's API cannot be used, 3002 when no version fits, 3003 when its credentials
 * endpoint is missing. Messages name the URL and the cause. A 2.1.1 partner's endpoints get
 * the interface roles of `role211` (2.1.1 details name none): without it 2.1.1 does not fit.
 */
export async function discoverPartner(
  context: GatewayContext,
  input: {
    versionsUrl: string;
    token: string;
    authMode: AuthMode;
    requiredVersion?: SupportedVersion;
    role211?: Role211;
    correlationId?: string;
    partner?: string;
  },
): Promise<DiscoveredPlatform> {
  const common = { ...(input.partner ? { partner: input.partner } : {}), token: input.token, ...(input.correlationId ? { correlationId: input.correlationId } : {}) };
  // A partner that registered at our 2.1.1 credentials speaks 2.1.1: raw tokens from the first call.
  const versionsAuth: AuthMode = input.requiredVersion === '2.1.1' ? 'plain' : input.authMode;
  const { versions, authMode: accepted } = await readVersions(context, { ...common, url: input.versionsUrl, authMode: versionsAuth }, input.role211 !== undefined && input.requiredVersion === undefined);
  const offered = versions.map((version) => version.version.trim());
  const usable = input.role211 ? offered : offered.filter((version) => version !== '2.1.1');
  const version = input.requiredVersion ? (usable.includes(input.requiredVersion) ? input.requiredVersion : undefined) : pickCommonVersion(usable);
  if (!version) {
    const wanted = input.requiredVersion ?? SUPPORTED_VERSIONS.join(', ');
    const why = !input.role211 && offered.includes('2.1.1') ? ' (2.1.1 needs the partner\'s role, CPO or EMSP, named on the connection)' : '';
    throw new OcpiError(OcpiStatus.UNSUPPORTED_VERSION, `no common OCPI version: partner offers ${offered.join(', ') || 'none'}, we speak ${wanted}${why}`);
  }
  const detailsUrl = versions.find((entry) => entry.version.trim() === version)!.url;
  const authMode: AuthMode = version === '2.1.1' ? 'plain' : accepted;
  const endpoints = version === '2.1.1' ? await endpoints211(context, { ...common, url: detailsUrl, authMode }, input.role211!) : await endpoints221(context, { ...common, url: detailsUrl, authMode });
  if (!endpoints.some((endpoint) => endpoint.module === 'credentials')) {
    throw new OcpiError(OcpiStatus.NO_MATCHING_ENDPOINTS, `partner version details at ${detailsUrl} list no credentials endpoint`);
  }
  return { version, authMode, endpoints };
}

/**
 * The partner's versions. When we connect to a partner that may be on 2.1.1 (its role is
 * named), a 401 to one token encoding is tried once with the other: 2.1.1 platforms take raw
 * tokens, 2.2.1 ones Base64, and the versions endpoint is common to both.
 */
async function readVersions(context: GatewayContext, request: DetailsRequest, eitherEncoding: boolean): Promise<{ versions: Array<{ version: string; url: string }>; authMode: AuthMode }> {
  const data = z.array(versionSchema).min(1);
  if (!eitherEncoding) return { versions: await callPartner(context, 'versions', { ...request, data }), authMode: request.authMode };
  const first = await askPartner(context, 'versions', { ...request, data });
  if (first.httpStatus !== 401) return { versions: acceptedData(first, 'versions', request.url), authMode: request.authMode };
  const other: AuthMode = request.authMode === 'base64' ? 'plain' : 'base64';
  return { versions: await callPartner(context, 'versions', { ...request, authMode: other, data }), authMode: other };
}

type DetailsRequest = { url: string; token: string; authMode: AuthMode; correlationId?: string; partner?: string };

async function endpoints221(context: GatewayContext, request: DetailsRequest): Promise<PartnerEndpoint[]> {
  const details = await callPartner(context, 'version details', { ...request, data: versionDetailsSchema });
  return details.endpoints.map((endpoint) => ({ module: endpoint.identifier, interfaceRole: endpoint.role, url: endpoint.url }));
}

async function endpoints211(context: GatewayContext, request: DetailsRequest, role: Role211): Promise<PartnerEndpoint[]> {
  const details = await callPartner(context, 'version details', { ...request, data: v211.versionDetailsSchema });
  return details.endpoints.map((endpoint) => ({ module: endpoint.identifier, interfaceRole: interfaceRole211(role, endpoint.identifier), url: endpoint.url }));
}

async function callPartner<T>(context: GatewayContext, what: string, request: PartnerCall<T>): Promise<T> {
  return acceptedData(await askPartner(context, what, request), what, request.url);
}

type PartnerCall<T> = { url: string; token: string; authMode: AuthMode; data: z.ZodType<T>; correlationId?: string; partner?: string };

/** One GET of a handshake; a call that fails is 3001 naming what and why. */
async function askPartner<T>(context: GatewayContext, what: string, request: PartnerCall<T>): Promise<{ httpStatus: number; statusCode: number; statusMessage?: string; data: T | undefined }> {
  try {
    return await context.partners.call({ method: 'GET', module: what === 'versions' ? 'versions' : 'version-details', ...request });
  } catch (error) {
    if (error instanceof PartnerCallError) {
      throw new OcpiError(OcpiStatus.UNABLE_TO_USE_CLIENT_API, `could not read partner ${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function acceptedData<T>(response: { httpStatus: number; statusCode: number; statusMessage?: string; data: T | undefined }, what: string, url: string): T {
  if (response.statusCode !== OcpiStatus.SUCCESS || response.data === undefined) {
    throw new OcpiError(
      OcpiStatus.UNABLE_TO_USE_CLIENT_API,
      `partner ${what} at ${url} answered HTTP ${response.httpStatus}, status_code ${response.statusCode}${response.statusMessage ? ` (${response.statusMessage})` : ''}`,
    );
  }
  return response.data;
}
