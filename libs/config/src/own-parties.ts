import { z } from 'zod';

/** `CPO:NL*VLT,EMSP:NL*VLM`: the parties this platform hosts, each with its OCPI role. */
export const ownParties = z
  .string()
  .default('CPO:NL*VLT,EMSP:NL*VLM')
  .transform((value, ctx) => {
    const parties = value.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
      const match = /^(CPO|EMSP|HUB|NAP|NSP|OTHER|SCSP):([A-Z]{2})\*([A-Z0-9]{3})$/i.exec(item);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not ROLE:CC*PID (e.g. CPO:NL*VLT)` });
        return undefined;
      }
      return { role: match[1]!.toUpperCase(), countryCode: match[2]!.toUpperCase(), partyId: match[3]!.toUpperCase() };
    });
    return parties.filter((party) => party !== undefined);
  })
  .refine((parties) => parties.length > 0, 'at least one own party is required');

export type OwnParty = z.output<typeof ownParties>[number];

/** Our parties with one role, e.g. `partiesWithRole(config.OWN_PARTIES, 'EMSP')`. */
export const partiesWithRole = (parties: readonly OwnParty[], role: string): OwnParty[] => parties.filter((party) => party.role === role);
