// plotly layouts and config for a panel's plots: the base plot under the animated traces, the
// transparent overlay that draws them, and touch screens.

// The 3D scene's WebGL pixels per CSS pixel: the screen's own, at most 2. plotly's default is 2
// everywhere, four times the pixels a plain screen shows, each drawn by the CPU where there is no
// GPU (software GL here: 274 -> 228 ms of CPU per change of the surface page's 3D view).
export function glPixelRatio(devicePixelRatio) {
  return Math.min(2, Math.max(1, Number(devicePixelRatio) || 1));
}

export const PLOTLY_CONFIG = {
  displaylogo: false,
  // A double click would also be two clicks, i.e. two new start points; the modebar resets zoom.
  doubleClick: false,
  // Few buttons, so that the modebar stays clear of the panel's title on a phone.
  modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
    "toImage", "resetCameraLastSave3d", "hoverClosest3d", "sendChartToCloud"],
  responsive: false,
  plotGlPixelRatio: glPixelRatio(globalThis.devicePixelRatio),
};
export const STATIC_CONFIG = { ...PLOTLY_CONFIG, displayModeBar: false, staticPlot: true };

// A phone or tablet: no hover (a label would appear only after a tap, and stay over the new
// start), and a one-finger drag scrolls the page instead of zooming a 2D plot; a tap still
// adds a start.
const TOUCH_FIRST = globalThis.matchMedia?.("(hover: none)").matches ?? false;

const AXIS = /^[xy]axis\d*$/;

export function touchLayout(layout) {
  return TOUCH_FIRST && !layout.scene ? { ...layout, hovermode: false, dragmode: false } : layout;
}

// Narrower than this, a 3D scene's camera stands further back: from the payload's eye its
// tick labels and axis titles fall outside a phone-wide plot.
const NARROW_3D_PX = 390;
const NARROW_3D_ZOOM_OUT = 1.3;

// `layout` for a plot `width` pixels wide: a 3D scene seen from further away when narrow.
export function sizedLayout(layout, width) {
  const eye = layout.scene?.camera?.eye;
  if (!eye || !(width > 0) || width >= NARROW_3D_PX) return layout;
  const far = Object.fromEntries(
    ["x", "y", "z"].map((axis) => [axis, eye[axis] * NARROW_3D_ZOOM_OUT]));
  return { ...layout, scene: { ...layout.scene, camera: { ...layout.scene.camera, eye: far } } };
}

// A legend along the bottom of the figure (a step chart's: under its step axis) takes one row
// in the layout's bottom margin; each row more, on a narrow plot, lifts the plot by this much,
// or the step axis's title is drawn over its tick labels.
const LEGEND_ROW_PX = 19;

// The bottom margin `layout` needs with its bottom legend in `rows` rows; null when it has no
// such legend or one row.
export function legendMargin(layout, rows) {
  const legend = layout.legend;
  if (!legend || legend.orientation !== "h" || legend.yref !== "container" || legend.y !== 0
    || layout.showlegend === false || !(rows > 1)) return null;
  const bottom = layout.margin?.b ?? 0;
  return { ...layout.margin, b: bottom + (rows - 1) * LEGEND_ROW_PX };
}

// Unless told to allow them, plotly measures every tick label of a 2D axis (a forced layout of
// the page each) to hide those past the plot's edge: some 30 ms of a redraw here, where the
// margins leave the labels room anyway.
export function tickLabelsAllowed(layout) {
  const out = { ...layout };
  for (const key of Object.keys(layout)) {
    if (AXIS.test(key)) out[key] = { ...layout[key], ticklabeloverflow: "allow" };
  }
  return out;
}

export function baseLayout(layout, interactive = false) {
  // Automatic margins would differ between base and overlay and shift one plot area.
  const out = interactive ? touchLayout(layout) : { ...layout, hovermode: false, dragmode: false };
  for (const key of Object.keys(layout)) {
    if (AXIS.test(key)) out[key] = { ...layout[key], automargin: false };
  }
  return tickLabelsAllowed(out);
}

// The animated layer of a 2D panel: the base layout with its decorations made invisible, so
// the two plots share exactly the same plot area and axes.
export function overlayLayout(layout) {
  const out = { ...layout, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" };
  out.title = { ...(layout.title || {}), text: "" };
  for (const key of Object.keys(layout)) {
    if (!AXIS.test(key)) continue;
    out[key] = {
      ...layout[key], showgrid: false, showticklabels: false, showline: false, ticks: "",
      zeroline: false, title: { text: "" }, automargin: false,
    };
  }
  return out;
}
