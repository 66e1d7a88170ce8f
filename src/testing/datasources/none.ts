/** AppSync's NONE data source: the request's `payload` comes back as `ctx.result`. */
import type { DataSourceAnswer, DataSourceRunner } from './types.js';

export const noneDataSource: DataSourceRunner = {
  async invoke(request: unknown): Promise<DataSourceAnswer> {
    const payload = typeof request === 'object' && request !== null ? (request as { payload?: unknown }).payload : undefined;
    return { result: payload === undefined ? null : payload };
  },
};
