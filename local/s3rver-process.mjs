// Runs s3rver in its own process: paginated ListObjectsV2 needs --openssl-legacy-provider, which only a
// fresh process can take. Prints the bound port as JSON on stdout once listening.
import S3rver from 's3rver';

const [directory = '.emc/s3', port = '0', buckets = ''] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: buckets
    .split(',')
    .filter(Boolean)
    .map((name) => ({ name })),
});
const address = await server.run();
// The SDK keeps idle sockets open and reuses them; Node's agent has no idle limit of its own. Node's server
// closes an idle keep-alive socket after 5 s, so a request written on a pooled socket just as the server
// closes it fails with "socket hang up" (the SDK retries it, and the log fills with retries). Here only the
// client ends idle connections, so that race cannot happen.
server.httpServer.keepAliveTimeout = 0;
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// A parent killed outright cannot stop its children; this one notices and goes too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();
