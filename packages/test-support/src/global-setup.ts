import { findTestServers } from './test-servers';

/**
 * vitest `globalSetup`: finds (or starts) Redis and MariaDB once for the whole run and hands
 * their addresses to the test workers through TT_TEST_REDIS_URL / TT_TEST_MARIADB_URL, so
 * every file's `testServers()` finds them answering at once. Servers it started stop at the end.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const servers = await findTestServers();
  process.env.TT_TEST_REDIS_URL = servers.redisUrl;
  process.env.TT_TEST_MARIADB_URL = servers.mariadbUrl;
  if (servers.source.redis !== 'configured' || servers.source.mariadb !== 'configured') {
    console.log(
      `test servers: redis ${servers.redisUrl} (${servers.source.redis}), mariadb ${servers.mariadbUrl} (${servers.source.mariadb})`,
    );
  }
  return () => servers.stop();
}
