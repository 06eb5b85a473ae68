/**
 * Exits once stdout and stderr have handed every byte to the pipe. `process.exit` alone drops whatever a
 * pipe has not taken yet (`emc units list --json | wc -c` lost everything past 64 KiB), and waiting for the
 * event loop to empty is not enough either: the SDK's kept-alive sockets hold it open.
 */
export function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
