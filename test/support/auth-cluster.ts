import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A second, real PostgreSQL cluster that demands a password (scram) and serves
 * TLS with a self-signed certificate: the machine's own cluster trusts everyone
 * and has no TLS, so wrong passwords and untrusted certificates need this one.
 */
export interface AuthCluster {
  port: number;
  password: string;
  url(password?: string, query?: string): string;
  stop(): void;
}

const BIN = `/usr/lib/postgresql/${readdirSync('/etc/postgresql')[0]}/bin`;

/** `port`: a caller that must stay inside a reserved range names it; default one from the pid. */
export function startAuthCluster(port = 55_000 + (process.pid % 900)): AuthCluster {
  const dir = mkdtempSync(join(tmpdir(), 'todo-db-auth-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const password = 'cluster-pw-9183';
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password);
  chownSync(pwfile, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', `${BIN}/${cmd}`, ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', data, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-U', 'postgres', '--no-sync']);
  execFileSync('openssl', ['req', '-new', '-x509', '-days', '2', '-nodes', '-subj', '/CN=todo-db-test', '-keyout', join(data, 'server.key'), '-out', join(data, 'server.crt')], {
    stdio: 'pipe',
  });
  for (const f of ['server.key', 'server.crt']) chownSync(join(data, f), uid, gid);
  execFileSync('chmod', ['600', join(data, 'server.key')]);
  asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c ssl=on -c fsync=off`, 'start']);
  return {
    port,
    password,
    url: (pw = password, query = '') => `postgres://postgres:${pw}@127.0.0.1:${port}/postgres${query}`,
    stop: () => {
      try {
        asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
