// CommonJS TypeScript: require() of the ES-module-only package, type-checked under nodenext.
import lib = require('appsync-websockets');

export const auth: lib.AppSyncApiKeyAuthentication = new lib.AppSyncApiKeyAuthentication({ apiKey: 'da2-x' });
