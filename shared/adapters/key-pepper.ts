import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../config/settings.ts';

/**
 * The server secret that keys are hashed with. In AWS it is read from Secrets Manager and cached for five
 * minutes, so a rotation reaches every function without a deploy; on one machine it comes from the
 * environment the local runtime sets.
 */
export async function loadKeyPepper(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.KEY_PEPPER_SECRET_ID) {
    const secret = await getSecret(env.KEY_PEPPER_SECRET_ID, { maxAge: 300 });
    if (typeof secret !== 'string' || secret.length < 32) {
      throw new ConfigurationError(
        'KEY_PEPPER_SECRET_ID must name a secret string of at least 32 characters',
      );
    }
    return secret;
  }
  const local = env.EMC_KEY_PEPPER;
  if (!local || local.length < 32) {
    throw new ConfigurationError(
      'Set KEY_PEPPER_SECRET_ID (AWS) or EMC_KEY_PEPPER (local, at least 32 characters)',
    );
  }
  return local;
}
