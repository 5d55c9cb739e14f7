// Scripts served by the Streamlit server, run once per page: plotly.js (from the installed
// plotly package) and KaTeX (vendor/katex), each kept in Cache Storage per version; and the
// chart's stylesheet.

import { checkedPlotly } from "./plotly-private.js";

const pending = new Map();  // global name -> Promise of it

async function cachedSource(url, cacheName) {
  // Streamlit's file route sends no caching validators, so the browser would download the file
  // (plotly.js: 1.8 MB) again on every visit; Cache Storage keeps one copy per version. Where
  // it is unavailable (plain http on a non-local address) the browser simply fetches the file.
  if (!window.caches) return url;
  try {
    const cache = await caches.open(cacheName);
    let response = await cache.match(url);
    if (!response) {
      response = await fetch(url);
      if (!response.ok) return url;
      await cache.put(url, response.clone());
      for (const old of await cache.keys()) if (!old.url.endsWith(url)) cache.delete(old);
    }
    return URL.createObjectURL(await response.blob());
  } catch {
    return url;
  }
}

// The script at `url`, run once per page; resolves to the global it defines (window[name]).
function loadScript(url, name) {
  if (window[name]) return Promise.resolve(window[name]);
  if (!pending.has(name)) {
    pending.set(name, cachedSource(url, `descent-lab-${name.toLowerCase()}`).then((source) =>
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = source;
        script.async = true;
        script.onload = () => resolve(window[name]);
        script.onerror = () => {
          pending.delete(name);
          reject(new Error(`could not load ${name} from ${url}`));
        };
        document.head.appendChild(script);
      })));
  }
  return pending.get(name);
}

// The chart's stylesheet, served beside these modules under their versioned path (a new
// version is a new URL), linked once per page rather than sent with every rerun; resolves
// once it applies (or failed to load: the chart still works, unstyled).
let chartStyles = null;
export function loadChartStyles() {
  if (!chartStyles) {
    chartStyles = new Promise((resolve) => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = new URL("./chart.css", import.meta.url).href;
      link.onload = link.onerror = () => resolve();
      document.head.appendChild(link);
    });
  }
  return chartStyles;
}

export function loadPlotly(url) {
  return loadScript(url, "Plotly").then(checkedPlotly);
}

export function loadKatex({ script, style }) {
  if (!document.querySelector("link[data-descent-lab-katex]")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = style;
    link.dataset.descentLabKatex = "";
    document.head.appendChild(link);
  }
  return loadScript(script, "katex");
}
