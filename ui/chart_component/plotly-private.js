// The one place that reaches into plotly.js's private fields (underscored names: no public API
// gives a plot's pixel geometry or its WebGL scene). Written against plotly.js 4.1.1 (Python
// plotly 7.1.0); the fields used date from plotly.js 1.x and are the same in 3.x (plotly 6),
// which requirements.txt also allows. Each reader checks what it needs and throws a clear
// error when plotly changes (the browser tests fail on it), or falls back to a public API.

const WRITTEN_FOR = "plotly.js 3.x-4.1";
const PUBLIC_API = ["newPlot", "react", "restyle", "relayout", "animate", "purge"];

function changed(what) {
  const version = window.Plotly?.version ?? "unknown";
  return new Error(`plotly.js ${version} has no ${what} (ui/chart_component/plotly-private.js `
    + `was written for ${WRITTEN_FOR})`);
}

// plotly.js as loaded, once checked for the public functions the chart calls.
export function checkedPlotly(Plotly) {
  for (const name of PUBLIC_API) if (typeof Plotly?.[name] !== "function") throw changed(name);
  if (typeof Plotly.Plots?.resize !== "function") throw changed("Plots.resize");
  return Plotly;
}

function axisGeometry(axis, name) {
  if (!axis || typeof axis._offset !== "number" || typeof axis._length !== "number"
    || typeof axis.c2p !== "function" || typeof axis.p2c !== "function") {
    throw changed(`_fullLayout.${name} pixel geometry (_offset, _length, c2p, p2c)`);
  }
  return {
    offset: axis._offset,
    length: axis._length,
    // Page pixels within the plot from data values and back: c2p/p2c take data values on log
    // axes too (l2p/p2l would want their logarithms).
    toPixel: (value) => axis._offset + axis.c2p(value),
    fromPixel: (pixel) => axis.p2c(pixel - axis._offset),
  };
}

// A drawn 2D plot's size and its x and y axes' pixel geometry; null before plotly has drawn it.
export function plotArea(plot) {
  const layout = plot._fullLayout;
  if (!layout) return null;
  return {
    width: layout.width,
    height: layout.height,
    x: axisGeometry(layout.xaxis, "xaxis"),
    y: axisGeometry(layout.yaxis, "yaxis"),
  };
}

// The plot's top SVG layer (hover labels, titles): a layer of ours goes right under it.
export function topLayer(plot) {
  const top = plot._fullLayout?._toppaper?.node?.();
  if (top) return top;
  const layers = plot.querySelectorAll(":scope .main-svg");
  return layers.length ? layers[layers.length - 1] : null;
}

// The size plotly last laid the plot out at (null: unknown, so resize it to be sure).
export function laidOutSize(plot) {
  const layout = plot._fullLayout;
  return layout ? { width: layout.width, height: layout.height } : null;
}

// How many rows the plot's horizontal legend takes as drawn (0 without a legend): plotly wraps
// its entries by their measured widths, which only its drawing knows.
export function legendRows(plot) {
  const rows = new Set();
  for (const entry of plot.querySelectorAll(":scope .legend .traces")) {
    const y = /translate\([^,]+,\s*([-\d.e]+)\)/.exec(entry.getAttribute("transform") || "");
    if (y) rows.add(Number(y[1]));
  }
  return rows.size;
}

// The range an axis shows now (after autorange and the viewer's zoom).
export function shownRange(plot, axis) {
  return (plot._fullLayout ?? plot.layout)?.[axis]?.range;
}

// plotly's 3D scene renderer (gl-plot3d) of the plot's "scene": null without one (no WebGL).
export function sceneRenderer(plot) {
  const glplot = plot._fullLayout?.scene?._scene?.glplot;
  if (!glplot) return null;
  if (typeof glplot.redraw !== "function" || typeof glplot.camera?.tick !== "function"
    || typeof glplot._stopped !== "boolean") {
    throw changed("scene._scene.glplot with redraw(), camera.tick() and _stopped");
  }
  return glplot;
}

// Where the plot's 3D scene draws a point, as of its last render: the scene camera's model, view
// and projection matrices, the scale the scene multiplies data by, the pixels its canvas covers
// in the plot (`area`), the plot's size, and the box of its axes' ranges; null without a scene
// rendered yet.
export function sceneCamera(plot) {
  const layout = plot._fullLayout;
  const scene = layout?.scene?._scene;
  const camera = scene?.glplot?.cameraParams;
  if (!camera?.view) return null;  // set by its first render
  const size = layout._size;
  const domain = layout.scene.domain;
  if (!camera.model || !camera.projection || !Array.isArray(scene.dataScale) || !size
    || !domain) {
    throw changed("scene._scene.glplot.cameraParams, dataScale, _size and scene.domain");
  }
  const axes = ["xaxis", "yaxis", "zaxis"].map((name) => layout.scene[name]);
  if (!axes.every((axis) => axis?.type === "linear" && axis.range?.length === 2)) return null;
  return {
    model: camera.model,
    view: camera.view,
    projection: camera.projection,
    scale: scene.dataScale,
    area: {
      x: size.l + domain.x[0] * size.w, y: size.t + (1 - domain.y[1]) * size.h,
      width: (domain.x[1] - domain.x[0]) * size.w, height: (domain.y[1] - domain.y[0]) * size.h,
    },
    width: layout.width,
    height: layout.height,
    box: axes.map((axis) => [...axis.range].sort((a, b) => a - b)),
  };
}

const renderHooks = new WeakMap();  // renderer -> what to call after each of its renders

// `callback` runs at each render of the plot's 3D scene (a camera turn, a resize, new data),
// once its camera matrices are set; the latest callback given replaces the one before. Returns
// whether the plot has a scene to hook.
export function onSceneRender(plot, callback) {
  const glplot = sceneRenderer(plot);
  if (!glplot) return false;
  const hook = renderHooks.get(glplot);
  if (hook) {
    hook.callback = callback;
    return true;
  }
  if (typeof glplot.onrender !== "function") throw changed("scene._scene.glplot.onrender()");
  const own = glplot.onrender;
  const added = { callback };
  renderHooks.set(glplot, added);
  glplot.onrender = function renderWithHook(...args) {
    const result = own.apply(this, args);
    added.callback();
    return result;
  };
  return true;
}

// Whether the renderer's requestAnimationFrame loop runs (false once stopLoop has taken effect).
export function loopRunning(glplot) {
  return !glplot._stopped;
}

// The renderer's loop ends at its next frame; redraw() works again after `resumeRedraws`.
export function stopLoop(glplot) {
  glplot._stopped = true;
}

export function resumeRedraws(glplot) {
  glplot._stopped = false;
}
