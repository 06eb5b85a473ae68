import { defineConfig } from 'vite';

/** A static build with no backend: it reads snapshots/latest.json from the same origin (or VITE_SNAPSHOT_BASE). */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
