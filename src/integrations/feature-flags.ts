/**
 * Reading a feature flag through OpenFeature: whether it is on for anyone and what share
 * of users it serves. The share is measured, not configured: the flag is evaluated for a
 * fixed set of synthetic targeting keys and the fraction served `true` is the exposure,
 * so it reflects whatever rule the flag service applies (fractional rollouts, segments).
 * The provider is the server's configuration: an OFREP flag service over HTTP, or any
 * other OpenFeature provider handed in (the in-memory one in tests).
 */
import { randomUUID } from 'node:crypto';
import { OpenFeature, type Client, type Provider } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { GatehouseError, invalid } from '../domain/errors.js';

/** Synthetic users per reading: exposure is measured to 0.5 percentage points. */
export const EXPOSURE_PROBES = 200;

export interface FlagReading {
  flag: string;
  enabled: boolean;
  exposurePercent: number;
  provider: string;
}

export interface FlagReader {
  read(flag: string): Promise<FlagReading>;
}

export function ofrepProvider(baseUrl: string): Provider {
  return new OFREPProvider({ baseUrl });
}

/** A reader with its own OpenFeature domain, so several servers in one process do not mix. */
export async function flagReaderFor(provider: Provider): Promise<FlagReader> {
  const domain = `gatehouse-${randomUUID()}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  const client: Client = OpenFeature.getClient(domain);
  const name = provider.metadata.name;
  return {
    async read(flag) {
      const probe = async (i: number) => {
        const details = await client.getBooleanDetails(flag, false, {
          targetingKey: `gatehouse-exposure-probe-${i}`,
        });
        if (details.errorCode === 'FLAG_NOT_FOUND')
          throw invalid(
            '/flag',
            `${flag} is not a flag the flag service (${name}) knows`,
            'unknown-flag',
          );
        if (details.errorCode === 'TYPE_MISMATCH')
          throw invalid('/flag', `${flag} is not a boolean flag`, 'unknown-flag');
        if (details.errorCode)
          throw new GatehouseError(
            'conflict',
            'flag-service-unreadable',
            `the flag service (${name}) did not answer for ${flag}: ${details.errorCode}${details.errorMessage ? ` — ${details.errorMessage}` : ''}`,
          );
        return details.value;
      };
      // The first probe alone, so an unknown flag is one request, not two hundred.
      const first = await probe(0);
      let on = first ? 1 : 0;
      for (let start = 1; start < EXPOSURE_PROBES; start += 20) {
        const batch = Array.from({ length: Math.min(20, EXPOSURE_PROBES - start) }, (_, k) =>
          probe(start + k),
        );
        on += (await Promise.all(batch)).filter(Boolean).length;
      }
      const exposurePercent = Math.round((on / EXPOSURE_PROBES) * 1000) / 10;
      return { flag, enabled: on > 0, exposurePercent, provider: name };
    },
  };
}
