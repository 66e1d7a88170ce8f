/**
 * The local server's heavier parts (esbuild, dynalite, the AWS SDK's DynamoDB client, yaml) are
 * optional peer dependencies, loaded on first use, so that importing the client library costs
 * nothing and installing it pulls none of them. A missing one is an error saying what to install.
 */
import { TransportConfigurationError } from '../../errors.js';

export const TEMPLATE_PACKAGES = 'yaml esbuild dynalite @aws-sdk/client-dynamodb @aws-sdk/util-dynamodb';

export async function loadOptional<T>(name: string, purpose: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new TransportConfigurationError(
        `The local AppSync needs the package ${name} ${purpose}; install the template runtime's packages beside appsync-websockets: npm install --save-dev ${TEMPLATE_PACKAGES}`,
        { cause: error },
      );
    }
    throw error;
  }
}
