// A 3D panel's scene at rest. plotly's 3D scene redraws from a requestAnimationFrame loop that
// never ends: some 8 % of a core (software GL) while nothing moves, taken from everything else
// the page and the server do. This ends that loop; plotly still redraws the scene on each
// update, the panel after a resize (`quiet(true)`) and while the viewer turns or zooms it
// (`turning`). A scene without a renderer (no WebGL) keeps plotly's behaviour.

import { loopRunning, resumeRedraws, sceneRenderer, stopLoop } from "./plotly-private.js";

// How long a scene keeps redrawing after the viewer last dragged or wheeled over it (the
// camera eases out).
const TURN_SETTLE_MS = 1000;

export class QuietScene {
  constructor(plot, node) {
    this.plot = plot;
    this.renderer = null;
    this.turnLoop = null;
    for (const type of ["pointerdown", "pointermove", "wheel"]) {
      node.addEventListener(type, () => this.turning(), { passive: true });
    }
  }

  quiet(redraw = false) {
    const glplot = sceneRenderer(this.plot);
    if (!glplot || !loopRunning(glplot)) return;
    if (glplot === this.renderer) {
      if (redraw) glplot.redraw();
      return;
    }
    this.renderer = glplot;
    stopLoop(glplot);  // the loop's next frame ends it; redraw() works again after that
    requestAnimationFrame(() => requestAnimationFrame(() => {
      resumeRedraws(glplot);
      // The plot may have been purged or given a new scene in those two frames.
      if (glplot === sceneRenderer(this.plot)) glplot.redraw();
    }));
  }

  turning() {
    this.turnedAt = performance.now();
    if (this.turnLoop || !this.renderer) return;
    const tick = () => {
      const glplot = this.renderer;
      if (glplot !== sceneRenderer(this.plot)
        || performance.now() - this.turnedAt > TURN_SETTLE_MS) {
        this.turnLoop = null;
        return;
      }
      // tick() moves the camera to where the viewer's input has taken it: redraw if it moved.
      if (loopRunning(glplot) && glplot.camera.tick()) glplot.redraw();
      this.turnLoop = requestAnimationFrame(tick);
    };
    this.turnLoop = requestAnimationFrame(tick);
  }
}
