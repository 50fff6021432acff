/**
 * TLS certificates for tests, made by the `openssl` command: self-signed for a given name, or
 * with validity dates in the past (`openssl ca`, the one openssl 3.0 tool that takes arbitrary
 * start and end dates; `x509 -days` cannot go back further than a day).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCertificate {
  readonly key: Buffer;
  readonly cert: Buffer;
  /** As Node prints it (`AB:CD:…`). */
  readonly fingerprint256: string;
}

export interface CertificateRequest {
  /** The common name, and the subject alternative name (`IP:127.0.0.1`, `DNS:example.org`). */
  readonly commonName: string;
  readonly altName: string;
  /** Validity as `YYYYMMDDHHMMSSZ`; default: from now for a day. */
  readonly notBefore?: string;
  readonly notAfter?: string;
}

/** A self-signed certificate and its key, written under `dir` (a fresh temp folder). */
export function makeSelfSignedCertificate(dir: string, request: CertificateRequest): TestCertificate {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const run = (args: readonly string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  // EC keys: made in milliseconds, unlike RSA.
  run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', keyFile]);
  const subject = ['-subj', `/CN=${request.commonName}`, '-addext', `subjectAltName=${request.altName}`];
  if (request.notBefore === undefined && request.notAfter === undefined) {
    run(['req', '-x509', '-key', keyFile, '-out', certFile, '-days', '1', ...subject]);
  } else {
    run(['req', '-new', '-key', keyFile, '-out', path.join(dir, 'request.csr'), ...subject]);
    writeFileSync(path.join(dir, 'ca.cnf'), ['[ca]', 'default_ca = test', '[test]', 'database = index.txt', 'new_certs_dir = .', 'serial = serial', 'default_md = sha256', 'policy = any', 'copy_extensions = copy', '[any]', 'commonName = supplied', ''].join('\n'));
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'serial'), '01\n');
    run([
      'ca', '-batch', '-notext', '-config', 'ca.cnf', '-selfsign', '-keyfile', keyFile, '-in', 'request.csr', '-out', certFile,
      '-startdate', request.notBefore ?? '20200101000000Z', '-enddate', request.notAfter ?? '20200201000000Z',
    ]);
  }
  const cert = readFileSync(certFile);
  return { key: readFileSync(keyFile), cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
}
