import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '../config/env-names.ts';
import { ConfigurationError } from '../config/settings.ts';
import { type PepperRing, parsePepperRing } from '../domain/auth/pepper.ts';

/** How old the pepper ring a function verifies with may be: a rotation reaches every function within this. */
export const PEPPER_MAX_AGE_MS = 300_000;
/** A key naming an unknown version makes a function read the secret early, at most this often. */
export const PEPPER_MIN_REFRESH_MS = 30_000;

/**
 * The text of the server secret that keys are hashed with: a plain string (version 1) or a versioned ring
 * (`shared/domain/auth/pepper.ts`). In AWS it is read from Secrets Manager; with `fresh`, past any cache, so
 * the caller's own bound on age is the only one. On one machine it comes from the environment the local
 * runtime sets.
 */
export async function loadKeyPepper(env: NodeJS.ProcessEnv = process.env, fresh = false): Promise<string> {
  const secretId = env[ENV.keyPepperSecretId];
  if (secretId) {
    const secret = await getSecret(secretId, { maxAge: 300, forceFetch: fresh });
    if (typeof secret !== 'string') {
      throw new ConfigurationError(`${ENV.keyPepperSecretId} must name a secret string`);
    }
    return validated(secret, ENV.keyPepperSecretId);
  }
  const local = env[ENV.localKeyPepper];
  if (!local) {
    throw new ConfigurationError(
      `Set ${ENV.keyPepperSecretId} (AWS) or ${ENV.localKeyPepper} (local, at least 32 characters)`,
    );
  }
  return validated(local, ENV.localKeyPepper);
}

/** The parsed ring, read past every cache: for the verifier's own bounded-age source. */
export async function loadPepperRing(env: NodeJS.ProcessEnv = process.env): Promise<PepperRing> {
  return parsePepperRing(await loadKeyPepper(env, true));
}

function validated(text: string, variable: string): string {
  try {
    parsePepperRing(text);
  } catch (error) {
    throw new ConfigurationError(`${variable}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return text;
}
