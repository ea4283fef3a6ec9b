import { defineConfig } from "vite";

// Built into dist/, which `tally serve --web web/dist` serves at /.
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
