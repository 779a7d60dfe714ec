/**
 * Renders Vega-Lite specifications to SVG strings in Node, without a browser: Vega-Lite compiles
 * the spec to Vega, and a headless Vega View (`renderer: "none"`) serialises its scene graph with
 * `toSVG()`. The SVG is static: the report needs no script and no network to show it.
 *
 * Vega ships as ES modules with a top-level await (its optional canvas probe), which `require`
 * cannot load; both libraries are loaded once with a native dynamic import.
 */
import type * as Vega from "vega";
import type * as VegaLite from "vega-lite/build/index";
import type { TopLevelSpec } from "vega-lite/build/index";

type VegaModule = typeof Vega;
type VegaLiteModule = typeof VegaLite;

// Held in variables so the TypeScript compiler leaves `import()` alone (node10 resolution cannot
// see vega-lite's export map; the types above come from its build folder).
const VEGA = "vega";
const VEGA_LITE = "vega-lite";

let libraries: Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> | undefined;

function load(): Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> {
  libraries ??= Promise.all([import(VEGA), import(VEGA_LITE)]).then(([vega, vegaLite]) => ({
    vega: vega as VegaModule,
    vegaLite: vegaLite as VegaLiteModule,
  }));
  return libraries;
}

export type ChartSpec = TopLevelSpec;

/** Vega-Lite's warnings (scale merges and the like) are for chart authors, not for the CLI's stderr. */
function quietLogger(vega: VegaModule) {
  return vega.logger(vega.Error);
}

/** The SVG of one chart. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, vegaLite } = await load();
  const compiled = vegaLite.compile(spec, { logger: quietLogger(vega) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" }).logLevel(vega.Error);
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
