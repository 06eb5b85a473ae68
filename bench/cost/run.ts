/**
 * `npm run bench:cost`: what running the pipeline costs, part by part. Each part prints its own figures:
 * the monthly bill at national load next to the naive design, the data bucket's storage under its
 * lifecycle rules, and the refusal log's write units.
 */
await import('./bill.ts');
console.log('');
await import('./storage.ts');
console.log('');
await import('./refusals.ts');
