/**
 * The layering rules of this repository, checked by `npm run check` (`depcruise`). The README's "Where code
 * goes" section explains each one; test/unit/layering.test.ts shows that an import breaking one fails.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'The domain is logic over ports: it imports no adapter, no runtime kit, no AWS SDK, no Lambda types, ' +
        'and nothing of the application layer, local/, cli/, functions/ or infra/.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: {
        path: [
          '^shared/(adapters|app|runtime|observability)/',
          '^(local|cli|functions|infra|bench|site|test)/',
          '(^|/)node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|aws-lambda|@types/aws-lambda|aws-cdk-lib)/',
        ],
      },
    },
    {
      name: 'app-is-over-ports',
      comment:
        'A use case in shared/app/ takes its ports as parameters: it imports the domain and the schemas, ' +
        'never an adapter, the runtime kit or an AWS SDK.',
      severity: 'error',
      from: { path: '^shared/app/' },
      to: {
        path: [
          '^shared/(adapters|runtime|observability)/',
          '^(local|cli|functions|infra|bench|site|test)/',
          '(^|/)node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|aws-cdk-lib)/',
        ],
      },
    },
    {
      name: 'function-files-stand-alone',
      comment: 'A function file is one deployed entry point: it never imports another function file.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^functions/' },
    },
    {
      name: 'site-reads-only-snapshot-types',
      comment:
        'The dashboard is a static site: from the rest of the repository it imports only the types of the ' +
        'published snapshot, so no server code is bundled into it.',
      severity: 'error',
      from: { path: '^site/src/' },
      to: {
        pathNot: ['^site/', '(^|/)node_modules/', '^shared/schemas/snapshot\\.ts$'],
      },
    },
    {
      name: 'site-imports-snapshot-as-types',
      comment: 'The snapshot schema is zod: the site imports its types only (`import type`).',
      severity: 'error',
      from: { path: '^site/src/' },
      to: { path: '^shared/schemas/snapshot\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'infra-has-no-domain',
      comment:
        'The CDK app describes resources: it reads the topology manifest and configuration, never domain, ' +
        'application, adapter or runtime code.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: ['^shared/(domain|app|adapters|runtime)/', '^(functions|local|cli)/'] },
    },
    {
      name: 'aws-only-through-adapters',
      comment:
        'The CLI and the local runtime reach AWS (or its local stand-ins) only through shared/adapters/, ' +
        'so each SDK call has one home and one unit test.',
      severity: 'error',
      from: { path: '^(cli|local)/' },
      to: { path: '(^|/)node_modules/(@aws-sdk|@smithy)/' },
    },
    {
      name: 'cli-and-local-stay-apart',
      comment:
        'The CLI and the local runtime are two front ends: what both need lives in shared/, so neither ' +
        'imports the other.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^cli/' },
    },
    {
      name: 'cli-does-not-import-local',
      comment: 'See cli-and-local-stay-apart.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^local/' },
    },
    {
      name: 'schemas-are-leaves',
      comment:
        'The zod schemas (payloads, queue messages, snapshots, settings) are the single source of truth ' +
        'for shapes: they import only each other and zod, so every layer can read them.',
      severity: 'error',
      from: { path: '^shared/schemas/' },
      to: {
        path: '^(shared|functions|infra|local|cli|simulator|bench|site|test)/',
        pathNot: '^shared/schemas/',
      },
    },
    {
      name: 'simulator-is-neutral',
      comment: 'The traffic simulator serves the CLI, the local demo, the benches and the tests alike.',
      severity: 'error',
      from: { path: '^simulator/' },
      to: { path: '^(cli|local|functions|infra|bench|test)/' },
    },
    {
      name: 'no-cycles-in-shared',
      comment:
        'Modules under shared/ form layers: no cycle of runtime imports (a cycle of `import type` only ' +
        'costs nothing at run time and is allowed).',
      severity: 'error',
      from: { path: '^shared/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^cdk\\.out/', '^site/dist/', '^\\.emc/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
