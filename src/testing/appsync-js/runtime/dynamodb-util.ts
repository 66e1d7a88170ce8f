/**
 * `util.dynamodb`: values to DynamoDB attribute values as AppSync writes them (numbers stay
 * numbers, `{ "N": 12345 }`, as AWS's reference shows). Evaluated in the resolver's realm; see
 * README.md here.
 */
export type DynamodbUtil = Record<string, (...args: never[]) => unknown>;

export function buildDynamodbUtil(notImplemented: (name: string) => () => never): DynamodbUtil {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const toDynamoDB = (value: unknown): unknown => {
    if (value === null || value === undefined) return { NULL: true };
    if (typeof value === 'string') return { S: value };
    if (typeof value === 'number') return { N: value };
    if (typeof value === 'boolean') return { BOOL: value };
    if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
    if (isMap(value)) return { M: toMapValues(value) };
    return { S: String(value) };
  };
  const toMapValues = (value: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) if (value[key] !== undefined) out[key] = toDynamoDB(value[key]);
    return out;
  };
  const orNull = <T>(fn: (v: T) => unknown) => (v: T) => (v === null || v === undefined ? null : fn(v));
  return {
    toDynamoDB,
    toMapValues: (value: Record<string, unknown>) => (isMap(value) ? toMapValues(value) : null),
    toString: orNull((v: string) => ({ S: v })),
    toStringSet: orNull((v: string[]) => ({ SS: v })),
    toNumber: orNull((v: number) => ({ N: v })),
    toNumberSet: orNull((v: number[]) => ({ NS: v })),
    toBinary: orNull((v: string) => ({ B: v })),
    toBinarySet: orNull((v: string[]) => ({ BS: v })),
    toBoolean: orNull((v: boolean) => ({ BOOL: v })),
    toNull: () => ({ NULL: null }),
    toList: orNull((v: unknown[]) => (Array.isArray(v) ? { L: v.map(toDynamoDB) } : null)),
    toMap: orNull((v: Record<string, unknown>) => (isMap(v) ? { M: toMapValues(v) } : null)),
    // An S3 object reference as AppSync stores it: a string attribute holding {"s3": {...}}.
    toS3Object: (key: string, bucket: string, region: string, version?: string) => ({ S: JSON.stringify({ s3: { key, bucket, region, ...(version === undefined ? {} : { version }) } }) }),
    fromS3ObjectJson: (text: string) => {
      const parsed = JSON.parse(String(text)) as { s3?: unknown } | null;
      return typeof parsed?.s3 === 'object' && parsed.s3 !== null ? parsed.s3 : null;
    },
  };
}
