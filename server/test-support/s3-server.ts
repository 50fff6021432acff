/**
 * A real S3-compatible server for tests: s3rver (the S3 REST API over HTTP, objects in a temp
 * folder), on 127.0.0.1 and a port the system picks, with one bucket made. s3rver accepts any
 * credentials; the client still signs its requests as it would against AWS or MinIO.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** Client settings for this server (endpoint, region, credentials, path style). */
  readonly clientConfig: { endpoint: string; region: string; forcePathStyle: true; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** The same as environment variables, for a hub started as its own process. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startTestS3Server(bucket = 'studyshare-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 'studyshare-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = { endpoint, region: 'us-east-1', forcePathStyle: true as const, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  const client = new S3Client(clientConfig);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    clientConfig,
    env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
