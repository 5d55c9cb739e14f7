// Builds ../plotly.min.js from entry.js with plotly.js's own esbuild settings
// (node_modules/plotly.js/esbuild-config.js), minified: `npm ci && node build.js`.
"use strict";

const esbuild = require("esbuild");
const { environmentPlugin } = require("esbuild-plugin-environment");
const { glsl } = require("esbuild-plugin-glsl");
const InlineCSSPlugin = require("esbuild-plugin-inline-css");
const { version } = require("plotly.js/package.json");

esbuild.build({
  entryPoints: [`${__dirname}/entry.js`],
  outfile: `${__dirname}/../plotly.min.js`,
  banner: { js: `/* plotly.js v${version} (MIT), a partial bundle: vendor/plotly/bundle/entry.js */` },
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  legalComments: "eof",
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: "@plotly/regl", stream: "stream-browserify" },
  define: { global: "window", "define.amd": "false" },
  target: "es2016",
  logLevel: "info",
}).catch(() => process.exit(1));
