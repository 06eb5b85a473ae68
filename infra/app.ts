import { buildApp } from './build-app.ts';

buildApp({ bundling: true }).app.synth();
