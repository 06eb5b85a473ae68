/**
 * `npm start` will bring up the whole pipeline on one machine. Until the local runtime lands, it says so
 * plainly instead of pretending, and points at what does work today.
 */
console.log(`EMC monitor: the local stack (DynamoDB Local, SQS, S3, gateway, dashboard) is not built yet.

What works today:
  npm test            lint, type-check and every test
  npm run openapi     regenerate docs/openapi.json from the zod schemas
  npm run bench:ingest  measure the ingest path
`);
