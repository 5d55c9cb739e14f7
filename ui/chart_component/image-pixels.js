// The image layer of a 2D panel (kind "image", ui/chart.py) as pixels, where it lies in data
// coordinates and which cell a data point falls in. Pure: arrays in, arrays out.
// Cell (row, col) is centred at (x0 + col dx, y0 + row dy): row 0 is at the bottom of the
// picture, while an image's first pixel row is its top.

// "#RRGGBB" as [r, g, b]; anything else is an error in the payload.
export function parseColor(hex) {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match) throw new Error(`image palette colours are "#RRGGBB", not ${JSON.stringify(hex)}`);
  const value = parseInt(match[1], 16);
  return [value >> 16, (value >> 8) & 255, value & 255];
}

// RGBA pixels (top row first) of `labels` (rows x cols, row 0 at the bottom) in `palette`
// colours; a label without a colour is transparent. `shade` ({steps, max, strength}, steps
// flat like labels) darkens each cell by strength * min(steps / max, 1).
export function imagePixels(labels, [rows, cols], palette, shade = null) {
  // One RGBA word per label: 256 entries, transparent beyond the palette.
  const colors = new Uint8Array(256 * 4);
  palette.slice(0, 256).forEach((hex, label) => {
    colors.set([...parseColor(hex), 255], label * 4);
  });
  const pixels = new Uint8ClampedArray(rows * cols * 4);
  const steps = shade ? shade.steps : null;
  const darkening = shade ? shade.strength / (shade.max || 1) : 0;
  const ceiling = shade ? shade.max || 1 : 1;
  for (let row = 0; row < rows; row++) {
    let from = row * cols;
    let to = (rows - 1 - row) * cols * 4;
    for (let col = 0; col < cols; col++, from++, to += 4) {
      const at = labels[from] * 4;
      const light = steps ? 1 - darkening * Math.min(steps[from], ceiling) : 1;
      pixels[to] = colors[at] * light;
      pixels[to + 1] = colors[at + 1] * light;
      pixels[to + 2] = colors[at + 2] * light;
      pixels[to + 3] = colors[at + 3];
    }
  }
  return pixels;
}

// The image's outer edges in data coordinates: cells reach half a cell beyond their centres.
export function imageBounds({ x0, dx, y0, dy }, [rows, cols]) {
  return { left: x0 - dx / 2, right: x0 + (cols - 0.5) * dx,
    bottom: y0 - dy / 2, top: y0 + (rows - 0.5) * dy };
}

// The cell {row, col} of the image at data point (x, y), or null outside it.
export function cellAt(layer, [rows, cols], x, y) {
  const col = Math.round((x - layer.x0) / layer.dx);
  const row = Math.round((y - layer.y0) / layer.dy);
  if (!(col >= 0 && col < cols && row >= 0 && row < rows)) return null;
  return { row, col };
}
