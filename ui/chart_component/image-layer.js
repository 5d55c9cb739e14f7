// A 2D panel's image layers (kind "image", ui/chart.py) as plotly layout images: each map's
// labels painted once into a PNG, placed by its axes' data coordinates under every trace, so
// plotly clips it to the plot area and moves it with the viewer's zoom. A layout image rather
// than plotly's image trace: that trace reverses the y axis and locks the axes' aspect ratio
// when it has them to itself, while a layout image leaves the panel's layout alone.

import { decoded } from "./caches.js";
import { isEncoded } from "./decode.js";
import { cellAt, imageBounds, imagePixels } from "./image-pixels.js";
import { isReference } from "./static-traces.js";

// Payload array specs (encoded or shared by name) as the spec itself.
function specOf(value, shared) {
  const spec = isReference(value) ? shared[value.ref] : value;
  if (!isEncoded(spec)) throw new Error(`image layer: ${JSON.stringify(value)} is no array`);
  return spec;
}

// PNGs made, per decoded labels array, by palette and shading: a kept base plot or the same
// map in a later payload is not painted again.
const painted = new WeakMap();

function pngOf(layer, shared) {
  const labels = decoded(specOf(layer.labels, shared));
  const shade = layer.shade
    ? { ...layer.shade, steps: decoded(specOf(layer.shade.steps, shared)).flat } : null;
  const key = JSON.stringify([layer.palette,
    shade && [shade.max, shade.strength, layer.shade.steps]]);
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
    // Only a few maps are ever kept per labels array (a palette or shading change).
    if (byStyle.size >= 4) byStyle.delete(byStyle.keys().next().value);
    byStyle.set(key, canvas.toDataURL("image/png"));
  }
  return byStyle.get(key);
}

// plotly layout images (layout.images) for the image traces of a panel, in their order: a
// later one is drawn over an earlier one.
export function layoutImages(layers, shared) {
  return layers.map((layer) => {
    const shape = specOf(layer.labels, shared).shape;
    const { left, right, bottom, top } = imageBounds(layer, shape);
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
    const cell = cellAt(layers[i], specOf(layers[i].labels, shared).shape, x, y);
    if (cell) return cell;
  }
  return null;
}
