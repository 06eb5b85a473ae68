/**
 * `npm run bench:cost`: what running the pipeline costs, part by part. Each part prints its own figures:
 * the data bucket's storage under its lifecycle rules, then the refusal log's write units.
 */
await import('./storage.ts');
console.log('');
await import('./refusals.ts');
