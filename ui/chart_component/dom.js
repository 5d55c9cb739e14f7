// DOM helpers shared by the chart's parts.

export function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(text, title, onclick, className = "dl-button") {
  const node = h("button", className, text);
  node.type = "button";
  node.title = title;
  node.setAttribute("aria-label", title);
  node.onclick = onclick;
  return node;
}

// `callback` once the next frame has been painted: what the viewer asked for is drawn first.
export function afterPaint(callback) {
  requestAnimationFrame(() => setTimeout(callback, 0));
}
