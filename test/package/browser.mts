// A browser app (bundler resolution, DOM, no @types/node) importing the main entry only.
import { AppSyncJWTAuthentication, AppSyncWebsocketsTransport, type TransportState } from 'appsync-websockets';

const transport = new AppSyncWebsocketsTransport({ url: 'https://example.appsync-api.eu-west-1.amazonaws.com/graphql', auth: new AppSyncJWTAuthentication({ jwt: async () => 'token' }) });
export const state: TransportState = transport.state;
