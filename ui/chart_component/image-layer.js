// A 2D panel's image layers (kind "image", ui/chart.py) as plotly layout images: each map's
// labels painted once into a PNG, placed by its axes' data coordinates under every trace, so
// plotly clips it to the plot area and moves it with the viewer's zoom. A layout image rather
// than plotly's image trace: that trace reverses the y axis and locks the axes' aspect ratio
// when it has them to itself, while a layout image leaves the panel's layout alone.

import { cellAt, imageBounds, imagePixels } from "./image-pixels.js";
import { payloadArray } from "./static-traces.js";

// PNGs made, per decoded labels array, by shading array and style: a kept base plot or the
// same map in a later payload is not painted again (decoded arrays are shared by content).
const painted = new WeakMap();
const KEPT_STYLES = 4;
const arrayIds = new WeakMap();
let arraysSeen = 0;

function idOf(array) {
  if (!array) return 0;
  if (!arrayIds.has(array)) arrayIds.set(array, ++arraysSeen);
  return arrayIds.get(array);
}

function pngOf(layer, shared) {
  const labels = payloadArray(layer.labels, shared);
  const steps = layer.shade ? payloadArray(layer.shade.steps, shared) : null;
  const shade = steps ? { ...layer.shade, steps: steps.flat } : null;
  const key = JSON.stringify([layer.palette, idOf(steps), shade?.max, shade?.strength]);
  let byStyle = painted.get(labels);
  if (!byStyle) {
    byStyle = new Map();
    painted.set(labels, byStyle);
  }
  if (!byStyle.has(key)) {
    const [rows, cols] = labels.shape;
    const canvas = document.createElement("canvas");
    canvas.width = cols;
    canvas.height = rows;
    const pixels = imagePixels(labels.flat, labels.shape, layer.palette, shade);
    canvas.getContext("2d").putImageData(new ImageData(pixels, cols, rows), 0, 0);
    if (byStyle.size >= KEPT_STYLES) byStyle.delete(byStyle.keys().next().value);
    byStyle.set(key, canvas.toDataURL("image/png"));
  }
  return byStyle.get(key);
}

// plotly layout images (layout.images) for the image traces of a panel, in their order: a
// later one is drawn over an earlier one.
export function layoutImages(layers, shared) {
  return layers.map((layer) => {
    const { left, right, bottom, top } = imageBounds(layer,
      payloadArray(layer.labels, shared).shape);
    return {
      source: pngOf(layer, shared), xref: "x", yref: "y", layer: "below", sizing: "stretch",
      x: left, y: top, sizex: right - left, sizey: top - bottom,
      xanchor: "left", yanchor: "top", opacity: layer.opacity ?? 1,
    };
  });
}

// The cell {row, col} at data point (x, y) of the last image layer that holds it, or null.
export function imageCell(layers, shared, x, y) {
  for (let i = layers.length - 1; i >= 0; i--) {
    const shape = payloadArray(layers[i].labels, shared).shape;
    const cell = cellAt(layers[i], shape, x, y);
    if (cell) return cell;
  }
  return null;
}
