// The live stage of ffnn (docs/design.md, "The live stage"). The server sends batches of frames
// (θ_t and the trainer's own numbers at each t); the browser plays them at the chosen speed,
// computes the decision boundary from θ with the lecture's forward pass, and asks for the next
// batch while a fraction of a second is left. Several mounts of this one component share a
// stage per player: "play" (the Play/Pause button), "plane" (the boundary), "side" (the
// numbers, the network, the loss), "pair" (Compare losses), "surface" (Error surface). The
// batches come through a mount of their own, the feed (feed.js), which carries no drawing code.

const STAGES = (globalThis.__ffnnStages ??= {});
const ASK_AHEAD = 0.2;          // s of frames left when the next batch is asked for, at least
const LEAD = [0.75, 4];         // s of play a batch is asked to hold: at least, at most
const CAP = 1 - 1e-3;           // as ffnn.figures.boundary.CAP
const SIDE_MS = 40;             // the side view's drawing, at most 25 times a second
const MINUS = "\u2212";
const SUB = "₀₁₂₃₄₅₆₇₈₉";
const sub = (n) => String(n).replace(/\d/g, (d) => SUB[d]);

// ---- the bytes: a JSON header, then float64 arrays it refers to as [offset, rows, cols] ------
function decode(bytes) {
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)));
  const start = 4 + n + ((8 - ((4 + n) % 8)) % 8);
  return { head, blob: new Float64Array(bytes.slice(start).buffer) };
}
const view = (blob, ref) => (ref ? blob.subarray(ref[0], ref[0] + ref[1] * (ref[2] || 1)) : null);

function framesOf(ref, blob) {
  // -> [{t, theta, num}] (theta and num are views of the blob)
  if (!ref) return [];
  const [tOff, F] = ref.t, P = ref.theta[2], M = ref.num[2];
  const ts = view(blob, ref.t), th = view(blob, ref.theta), nu = view(blob, ref.num);
  const out = [];
  for (let i = 0; i < F; i++) {
    out.push({ t: ts[i], theta: th.subarray(i * P, (i + 1) * P), num: nu.subarray(i * M, (i + 1) * M) });
  }
  return out;
}

// ---- one stage per player: the frames, the clock, who asks for more --------------------------
function stageOf(name) {
  return (STAGES[name] ??= {
    name, frames: [], sides: null, shown: null, playing: false, speed: 50, t0: 0, clock0: 0,
    seq: null, asked: null, ended: false, endSent: false, wanted: null, info: null, stat: null,
    rev: null, curves: [], grad: null, views: new Set(), ask: null, raf: 0, label: null,
  });
}

function tNow(st, now) {
  return st.t0 + ((now - st.clock0) * st.speed) / 1000;
}

// A new session's name while this page played: its server died and another rebuilt the run
// from the address bar (a few seconds behind); the play view asks it to go on from here.
function noteSession(st, sid) {
  if (!sid || sid === st.session) return;
  if (st.session && (st.playing || st.wanted === true)) st.resume = { t: st.shownT };
  st.session = sid;
}

// A page switch leaves the old page's elements on screen until the new page has drawn. An ask
// from them then runs, after the new page, a fragment that page does not have, and at the end
// of that run Streamlit's page drops everything the new page drew: a blank page. So a mount
// asks only while the page it was drawn on is the page shown, and not once a link to another
// page was clicked (the address changes only when the new page's run has begun).
const LEFT = (globalThis.__ffnnLeft ??= { path: null, at: -1 });
const LEAVE_MS = 10000;      // a switch that has not begun by then did not happen
if (!globalThis.__ffnnLinks) {
  globalThis.__ffnnLinks = true;
  document.addEventListener("click", (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;  // a new tab
    const a = e.composedPath().find((n) => n.tagName === "A" && n.href);
    if (!a || (a.target && a.target !== "_self")) return;
    const to = new URL(a.href, location.href);
    if (to.origin !== location.origin || to.pathname === location.pathname) return;
    LEFT.path = location.pathname; LEFT.at = performance.now();
  }, true);
}
function onItsPage(ask, element) {
  const path = pageOf(element), born = element.__ffnnBorn;
  return (event, value) => {
    if (location.pathname !== path) return;
    if (LEFT.path === path && born < LEFT.at && performance.now() - LEFT.at < LEAVE_MS) return;
    ask(event, value);
  };
}

// The address's path when `element` was first drawn: the page it belongs to.
const pageOf = (element) => {
  element.__ffnnBorn ??= performance.now();
  return (element.__ffnnPath ??= location.pathname);
};

function receive(st, head, blob, ask, element) {
  st.ask = onItsPage(ask, element);
  noteSession(st, head.session);
  if (head.static) { st.stat = head.static; st.statBlob = blob; st.rev = head.static.rev; }
  st.info = head.info;
  const b = head.batch;
  if (b.seq === st.seq) return false;           // the same batch drawn again by another rerun
  if (st.asked === st.seq && st.askedAt) {       // how long the server took to answer
    const took = (performance.now() - st.askedAt) / 1000;
    st.latency = st.latency === undefined ? took : 0.7 * st.latency + 0.3 * took;
  }
  st.seq = b.seq;
  if (st.wanted === false && b.playing) return false;   // an answer from before Pause
  st.wanted = null;
  const sides = (head.frames || []).map((ref) => framesOf(ref, blob));
  // the clock follows the side that goes furthest (one of a pair may have stopped, diverged)
  const mine = sides.reduce((a, b) => (b.length && (!a.length || b[b.length - 1].t > a[a.length - 1].t) ? b : a), []);
  if (head.curves) st.curves = head.curves.map((c) => curveOf(c, blob));
  st.grad = head.grad ? view(blob, head.grad) : null;
  st.ended = b.ended; st.endSent = false;
  const now = performance.now();
  if (!mine.length) {                                   // the clock of a page without frames
    st.playing = b.playing; st.sides = sides; st.frames = []; st.shownT = b.t;
    st.shownFrame = null;
    return true;
  }
  if (!b.playing) {
    st.playing = false; st.sides = sides; st.frames = mine;
    st.shownFrame = mine[mine.length - 1]; st.shownT = st.shownFrame.t;
    sides.forEach((side, k) => {                 // the curve ends on θ_t's own numbers
      if (side.length && st.curves[k]) st.curves[k] = extendCurve(st.curves[k], side[side.length - 1]);
    });
    return true;
  }
  const last = st.frames[st.frames.length - 1];
  if (st.playing && last && mine[0].t >= last.t) {       // the next batch of the same play
    if (b.speed !== st.speed) { st.t0 = tNow(st, now); st.clock0 = now; st.speed = b.speed; }
    const at = mine.findIndex((f) => f.t > last.t);
    st.frames = st.frames.concat(mine.slice(at));
    st.sides = st.sides.map((old, i) => old.concat((sides[i] || []).filter((f) => f.t > last.t)));
  } else {                                               // a play starts
    st.frames = mine; st.sides = sides; st.playing = true; st.speed = b.speed;
    st.t0 = mine[0].t; st.clock0 = now;
  }
  return true;
}

function curveOf(c, blob) {
  const t = view(blob, c.t), tr = view(blob, c.train), te = c.test ? view(blob, c.test) : null;
  const out = [];
  for (let i = 0; i < t.length; i++) out.push([t[i], tr[i], te ? te[i] : NaN]);
  return out;
}

// Pick the frame for this animation frame; ask for more, or say the run ended.
function advance(st, now) {
  if (!st.playing || !st.frames.length) return;
  let t = tNow(st, now);
  const last = st.frames[st.frames.length - 1];
  if (t >= last.t) {
    if (st.ended) {
      if (!st.endSent) { st.endSent = true; st.ask("ended", { t: last.t, seq: st.seq }); }
    }
    st.t0 = last.t; st.clock0 = now; t = last.t;        // hold, then go on from here
  }
  st.frames = trim(st.frames, t);                       // frames already shown are dropped
  st.sides = st.sides.map((s) => trim(s, t));
  const f = st.frames[0];
  if (st.shownFrame !== f) {
    st.shownFrame = f; st.shownT = f.t;
    st.sides.forEach((side, k) => { if (side.length && st.curves[k]) st.curves[k] = extendCurve(st.curves[k], side[0]); });
  }
  // ask ahead by what the server takes to answer, for batches that last twice that: a page
  // on a busy server keeps playing, and asks less often
  const latency = st.latency || 0, ahead = Math.max(ASK_AHEAD, 1.5 * latency);
  const stalled = st.asked === st.seq && now - st.askedAt > 1500 + 2000 * latency;   // lost
  if (!st.ended && (st.asked !== st.seq || stalled) && (last.t - t) / st.speed < ahead) {
    st.asked = st.seq; st.askedAt = now;
    const lead = Math.min(Math.max(LEAD[0], 2 * latency), LEAD[1]);
    st.ask("need", { seq: st.seq, t: f.t, rev: st.rev, lead });
  }
}

function trim(frames, t) {
  // from the last frame at or before t on
  let i = 0;
  while (i + 1 < frames.length && frames[i + 1].t <= t) i++;
  return i ? frames.slice(i) : frames;
}

function extendCurve(c, f) {
  // the loss curve of one side, with the frame shown (its numbers are the trainer's own)
  if (!f.num.length || (c.length && c[c.length - 1][0] >= f.t)) return c;
  c.push([f.t, f.num[0], f.num[1]]);
  return c.length > 6000 ? c.filter((p, k) => k % 2 === 0 || k === c.length - 1) : c;
}

function frameAt(st, side) {
  // the frame shown on side `side` (a pair's A or B): its last frame at or before the shown t
  const s = st.sides && st.sides[side];
  if (!s || !s.length) return null;
  let f = s[0];
  for (const g of s) if (g.t <= st.shownT + 1e-9) f = g;
  return f;
}

function loop(st) {
  if (st.raf) return;
  const tick = (now) => {
    st.raf = 0;
    if (!st.views.size) return;
    advance(st, now);
    for (const v of st.views) v.draw(st);
    st.raf = requestAnimationFrame(tick);
  };
  st.raf = requestAnimationFrame(tick);
}

// ---- the network's forward pass over many points (the lecture's, row batches) -----------------
function compile(net) {
  // g as a loop over a layer's pre-activations with the registry's expression written in (one
  // function call per layer, not per unit: the boundary is 6,400 forward passes a frame)
  if (net.fns) return net.fns;
  const acts = net.acts.map((js) => new Function("A", `for (let i = 0; i < A.length; i++) { const a = A[i]; A[i] = ${js}; }`));
  const out = new Function("return (" + net.out + ");")();
  const feats = net.features.map((js) => new Function("x1", "x2", "return " + js + ";"));
  return (net.fns = { acts, out, feats });
}

function features(net, x1, x2) {
  const { feats } = compile(net);
  const N = x1.length, F = feats.length, X = new Float64Array(N * F);
  for (let i = 0; i < N; i++) for (let f = 0; f < F; f++) X[i * F + f] = feats[f](x1[i], x2[i]);
  return X;
}

function buffer(net, l, size) {
  // layer l's A for N points, kept between frames (a frame's grid makes no garbage)
  const kept = (net.buffers ??= new Map()), key = `${l}:${size}`;
  if (!kept.has(key)) kept.set(key, new Float64Array(size));
  return kept.get(key);
}

// X (N, n_in) row-major -> Y (N, k): A_l = H_{l-1} W_l + b_l, H_l = g(A_l), Y = O(A_L)
function forward(net, theta, X, N) {
  const { acts, out } = compile(net);
  const s = net.sizes, L = s.length - 1;
  let H = X, w = 0, b = 0;
  for (let l = 0; l < L; l++) b += s[l] * s[l + 1];
  for (let l = 0; l < L; l++) {
    const m = s[l], n = s[l + 1], A = buffer(net, l, N * n);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < m; k++) v += H[i * m + k] * theta[w + k * n + j];
        A[i * n + j] = v + theta[b + j];
      }
    }
    if (l < L - 1) acts[l](A);
    else {
      const row = new Array(n);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < n; j++) row[j] = A[i * n + j];
        const y = out(row);
        for (let j = 0; j < n; j++) A[i * n + j] = y[j];
      }
    }
    H = A; w += m * n; b += n;
  }
  return H;
}

function gridInputs(net, plane) {
  if (plane.X) return plane.X;
  const G = plane.res, xs = [];
  for (let i = 0; i < G; i++) xs.push(-plane.extent + (2 * plane.extent * i) / (G - 1));
  const x1 = new Float64Array(G * G), x2 = new Float64Array(G * G);
  for (let i = 0; i < G; i++) for (let j = 0; j < G; j++) { x1[i * G + j] = xs[j]; x2[i * G + j] = xs[i]; }
  plane.xs = xs;
  return (plane.X = features(net, x1, x2));
}

// The grid Z (G*G, k): Z[i*G + j] is the output at (x1 = xs[j], x2 = ys[i]), as predict_grid.
function predictGrid(net, plane, theta) {
  const G = plane.res;                // every side of a stage has the same features
  return forward(net, theta, gridInputs(net, plane), G * G);
}

// Z -> RGBA (G, G) with row 0 at the top: as ffnn.figures.boundary.region_rgba
function regions(plane, Z) {
  const G = plane.res, k = plane.k, kout = Z.length / (G * G), img = new Uint8ClampedArray(G * G * 4);
  for (let i = 0; i < G; i++) {
    for (let j = 0; j < G; j++) {
      const z = (i * G + j) * kout, o = ((G - 1 - i) * G + j) * 4;
      let rgb, alpha = 255;
      if (plane.task === "regression") {
        rgb = diverging(plane, Z[z]);
        if (!isFinite(Z[z])) alpha = 0;
      } else {
        let cls = 0, p;
        if (kout === 1) { const p1 = Z[z]; cls = p1 >= 0.5 ? 1 : 0; p = cls ? p1 : 1 - p1; }
        else { for (let c = 1; c < kout; c++) if (Z[z + c] > Z[z + cls]) cls = c; p = Z[z + cls]; }
        if (!isFinite(p)) { alpha = 0; rgb = [0, 0, 0]; } else {
          const conf = plane.discretize ? 1 : Math.min(Math.max((p - 1 / k) / (1 - 1 / k), 0), CAP) / CAP;
          const lo = plane.light[cls], hi = plane.full[cls];
          rgb = [0, 1, 2].map((c) => Math.round(lo[c] + (hi[c] - lo[c]) * conf));
        }
      }
      img[o] = rgb[0]; img[o + 1] = rgb[1]; img[o + 2] = rgb[2]; img[o + 3] = alpha;
    }
  }
  return img;
}

function diverging(plane, v) {
  // Plotly's colour scale interpolation between the stops, over [-1, 1]
  const x = Math.min(Math.max((v + 1) / 2, 0), 1), stops = plane.scale;
  let i = 0;
  while (i + 2 < stops.length && x > stops[i + 1][0]) i++;
  const [a, ca] = stops[i], [b, cb] = stops[i + 1], u = b > a ? (x - a) / (b - a) : 0;
  return [0, 1, 2].map((c) => Math.round(ca[c] + (cb[c] - ca[c]) * u));
}

// ---- drawing helpers ---------------------------------------------------------------------------
function canvas(el, w, h) {
  const r = window.devicePixelRatio || 1;
  if (el.width !== Math.round(w * r) || el.height !== Math.round(h * r)) {
    el.width = Math.round(w * r); el.height = Math.round(h * r);
    el.style.width = w + "px"; el.style.height = h + "px";
  }
  const ctx = el.getContext("2d");
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

// fillText that keeps each text's box and size on the canvas (cv.texts: [{text, x0, y0, x1, y1,
// px}] in CSS px of the canvas), so that a test can find labels that overlap or shrink; `at`:
// where a text drawn rotated by a quarter turn about the origin is centred.
function texts(cv, ctx) {
  cv.texts = [];
  return (text, x, y, at) => {
    ctx.fillText(text, x, y);
    const m = ctx.measureText(text), px = parseFloat(ctx.font.match(/([\d.]+)px/)[1]);
    let b = [x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent,
      x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent];
    if (at) {                                    // turned: its width runs up the canvas
      const half = m.width / 2;
      b = [at[0] - px / 2, at[1] - half, at[0] + px / 2, at[1] + half];
    }
    cv.texts.push({ text, x0: b[0], y0: b[1], x1: b[2], y1: b[3], px });
  };
}

function niceStep(span, n) {
  // the step of 1, 2 or 5 × 10ⁿ nearest to span / n (on a log scale), as Plotly's ticks
  const raw = span / Math.max(n, 1), p = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map((m) => m * p).reduce((a, b) => (Math.abs(Math.log(b / raw)) < Math.abs(Math.log(a / raw)) ? b : a));
}

function fmt(v, step) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  let s;
  if (a >= 1e5 || a < 1e-3) s = v.toExponential(Math.max(0, Math.min(3, -Math.floor(Math.log10(step / a)) ))).replace("e+", "e");
  else s = v.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  return s.replace("-", MINUS);
}

function num(v, digits = 4) {
  // 4 significant digits; a huge or tiny value in powers of ten (as ffnn/app/status.py)
  if (!isFinite(v)) return v > 0 ? "∞" : "NaN";
  return Math.abs(v) < 1e5 ? String(Number(v.toPrecision(digits))) : v.toExponential(2).replace("e+", "e+");
}

function sci(v) {
  // a gradient norm, three significant digits (as ffnn.figures.params._sci)
  if (!isFinite(v)) return v > 0 ? "∞" : "NaN";
  if (v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4)) return String(Number(v.toPrecision(3)));
  return v.toExponential(2).replace(/e([+-])(\d)$/, "e$10$2");
}

const pct = (v) => (isFinite(v) ? (100 * v).toFixed(1) + "%" : "–");

function tip(root) {
  let el = root.querySelector(".tip");
  if (!el) { el = document.createElement("div"); el.className = "tip"; root.appendChild(el); }
  return el;
}

function showTip(el, text, x, y, host) {
  if (!text) { el.style.display = "none"; return; }
  el.textContent = text;
  el.style.display = "block";
  const w = host.clientWidth;
  el.style.left = Math.min(x + 12, Math.max(0, w - el.offsetWidth - 4)) + "px";
  el.style.top = y + 14 + "px";
}

// ---- the views ------------------------------------------------------------------------------
function host(root, html) {
  // a child of the mount's root (its own style sheet stays beside it)
  const el = document.createElement("div");
  el.innerHTML = html;
  root.appendChild(el);
  return el;
}

// One decision boundary on a canvas in `box`, for side `side` of the stage (0, or a pair's 1).
function plane(box, side) {
  const cv = document.createElement("canvas");
  cv.className = "boundary"; cv.setAttribute("role", "img");
  box.appendChild(cv);
  const v = { box, cv, src: document.createElement("canvas"), side, geom: null, cfg: {} };
  v.draw = (st) => {
    const f = side === 0 && !st.sides?.[1] ? st.shownFrame || st.frames[st.frames.length - 1] : frameAt(st, side);
    if (!f || !st.stat) return;
    const w = box.clientWidth, key = [w, v.cfg.height, st.rev].join("|");
    // not laid out yet (a hidden column): nothing to draw on, drawn on the next frame
    if (!w || !v.cfg.height) return;
    if (v.drawn === key && v.drawnFrame === f) return;
    v.drawn = key; v.drawnFrame = f;
    drawPlane(v, st, f, w, v.cfg.height);
  };
  cv.addEventListener("mousemove", (e) => hoverPlane(v, e));
  cv.addEventListener("mouseleave", () => showTip(tip(box), null));
  return v;
}

function planeView(root) {
  const box = host(root, "").appendChild(document.createElement("div"));
  box.className = "plane";
  return plane(box, 0);
}

function drawPlane(v, st, f, w, h) {
  const P = st.stat.plane, big = v.cfg.present ? 1.6 : 1;
  const m = { l: 40 * big, r: 10, t: 30 * big, b: 40 * big };
  const S = Math.max(60, Math.min(w - m.l - m.r, h - m.t - m.b));
  v.geom = { m, S, extent: P.extent };
  v.cv.dataset.plot = [m.l, m.t, S, S].map(Math.round).join(" ");   // the square: x y w h in the canvas
  // as tall as asked where the column's width allows the square; on a narrow (phone) screen
  // no taller than the square needs, so nothing blank is left under it
  const tall = m.t + S + m.b, H = h - tall <= 12 ? h : tall, ctx = canvas(v.cv, w, H);
  const net = st.stat.nets[v.side];
  const Z = predictGrid(net, P, f.theta);
  v.Z = Z; v.theta = f.theta;
  label(v.cv, describePlane(P, Z, f, v.cfg.name || v.cfg.title));
  const G = P.res;
  v.src.width = G; v.src.height = G;
  v.src.getContext("2d").putImageData(new ImageData(regions(P, Z), G, G), 0, 0);
  // the picture covers the grid's cells, half a cell beyond ±extent: clipped to the plot
  const cell = S / (G - 1);
  ctx.save();
  ctx.beginPath(); ctx.rect(m.l, m.t, S, S); ctx.clip();
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(v.src, m.l - cell / 2, m.t - cell / 2, S + cell, S + cell);
  ctx.restore();
  const px = (x) => m.l + ((x + P.extent) / (2 * P.extent)) * S;
  const py = (y) => m.t + ((P.extent - y) / (2 * P.extent)) * S;
  v.px = px; v.py = py;
  // the points, the axes and the legend change only with the size or the data: drawn once on
  // a canvas of their own, laid over the regions on every frame
  const key = [w, H, st.rev, v.cfg.present, v.cfg.title].join("|");
  if (v.marksKey !== key) {
    v.marksKey = key;
    v.marks = document.createElement("canvas");
    drawMarks(v, st, canvas(v.marks, w, H), m, S, px, py, big);
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(v.marks, 0, 0);
}

function drawMarks(v, st, ctx, m, S, px, py, big) {
  const P = st.stat.plane;
  // the points: each class its colour and its shape; a test point a thicker, darker outline
  const r = 3.5 * (v.cfg.present ? 1.6 : 1);
  for (const set of P.sets) {
    const pts = view(st.statBlob, set.points), y = set.y, [edge, width] = P.outline[set.split];
    for (let i = 0; i < y.length; i++) {
      const x = px(pts[2 * i]), yy = py(pts[2 * i + 1]);
      const regression = P.task === "regression";
      ctx.fillStyle = regression ? rgbText(diverging(P, y[i])) : P.colors[y[i] % P.colors.length];
      shape(ctx, regression ? "circle" : P.symbols[y[i] % P.symbols.length], x, yy, r);
      ctx.fill();
      ctx.lineWidth = width; ctx.strokeStyle = edge;
      ctx.stroke();
    }
  }
  // axes: ticks outside every 2, titles x₁ and x₂
  const font = 12 * big;
  ctx.fillStyle = "#2a3f5f"; ctx.strokeStyle = "#444444"; ctx.lineWidth = 1;
  ctx.font = `${font}px "Source Sans", sans-serif`;
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (let x = -P.extent; x <= P.extent + 1e-9; x += 2) {
    const X = px(x);
    ctx.beginPath(); ctx.moveTo(X, m.t + S); ctx.lineTo(X, m.t + S + 3); ctx.stroke();
    ctx.fillText(fmt(x, 2), X, m.t + S + 5);
  }
  ctx.fillText("x₁", m.l + S / 2, m.t + S + 7 + font);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (let y = -P.extent; y <= P.extent + 1e-9; y += 2) {
    const Y = py(y);
    ctx.beginPath(); ctx.moveTo(m.l, Y); ctx.lineTo(m.l - 3, Y); ctx.stroke();
    ctx.fillText(fmt(y, 2), m.l - 5, Y);
  }
  ctx.save(); ctx.translate(m.l - 14 - font * 1.2, m.t + S / 2); ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center"; ctx.fillText("x₂", 0, 0); ctx.restore();
  // the legend above the plot
  ctx.textAlign = "left"; ctx.textBaseline = "middle";
  ctx.font = `${11 * big}px "Source Sans", sans-serif`;
  let lx = m.l + 10;
  const ly = m.t - 11 * big;
  // where "class 0 … class 7" is wider than the plot, "class" once, then the numbers
  let gap = 16, names = P.legend.map((item) => item.name);
  const wide = (ns) => ns.reduce((a, n) => a + 20 * big + ctx.measureText(n).width + gap, 0);
  if (wide(names) > S - 10 && names.every((n) => n.startsWith("class "))) {
    ctx.fillStyle = "#2a3f5f"; ctx.fillText("class", lx, ly);
    lx += ctx.measureText("class").width + 8;
    names = names.map((n) => n.slice(6)); gap = 4;
  }
  P.legend.forEach((item, k) => {
    const [edge, width] = P.outline[item.split];
    ctx.fillStyle = item.color;
    shape(ctx, item.shape, lx, ly, 4 * big);
    ctx.fill();
    ctx.lineWidth = width; ctx.strokeStyle = edge; ctx.stroke();
    ctx.fillStyle = "#2a3f5f";
    ctx.fillText(names[k], lx + 10 * big, ly);
    lx += 20 * big + ctx.measureText(names[k]).width + gap;
  });
  if (v.cfg.title) {
    ctx.textAlign = "right"; ctx.font = `600 ${13 * big}px "Source Sans", sans-serif`;
    ctx.fillText(v.cfg.title, m.l + S, ly);
  }
}

// ---- what a chart shows, in words (its text alternative, from the data it is drawn from) -----
function describePlane(P, Z, f, title) {
  const G = P.res, kout = Z.length / (G * G), t = Math.round(f.t);
  const head = `${title ? title + ": d" : "D"}ecision boundary at t = ${t}`;
  if (P.task === "regression") {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < G * G; i++) if (isFinite(Z[i])) { lo = Math.min(lo, Z[i]); hi = Math.max(hi, Z[i]); }
    const c = Z[(G >> 1) * G + (G >> 1)];
    return `${head}: the network's output ŷ runs from ${num(lo, 2)} to ${num(hi, 2)} over the plane, ${num(c, 2)} at the centre.`;
  }
  const cls = (z) => (kout === 1 ? (Z[z] >= 0.5 ? 1 : 0) : [...Array(kout).keys()].reduce((a, c) => (Z[z + c] > Z[z + a] ? c : a), 0));
  const share = new Array(Math.max(P.k, 2)).fill(0);
  for (let i = 0; i < G * G; i++) share[cls(i * kout)]++;
  const centre = cls(((G >> 1) * G + (G >> 1)) * kout);
  const name = (c) => `class ${c} (${P.color_names[c % P.color_names.length]})`;
  const parts = share.map((n, c) => [c, n]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${name(c)} ${Math.round((100 * n) / (G * G))} %` + (c === centre ? ", the centre included" : ""));
  const acc = f.num.length > 2 && isFinite(f.num[2]) ? ` ${pct(f.num[2])} of training points lie on their class's side.` : "";
  return `${head}: ${name(centre)} holds the centre of the plane. Area: ${parts.join("; ")}.${acc}`;
}

function describeNetwork(sizes, theta, grads) {
  const L = sizes.length - 1;
  let best = null, off = 0;
  for (let l = 0; l < L; l++) {
    for (let i = 0; i < sizes[l]; i++) for (let j = 0; j < sizes[l + 1]; j++) {
      const w = theta[off + i * sizes[l + 1] + j];
      if (isFinite(w) && (!best || Math.abs(w) > Math.abs(best[3]))) best = [l + 1, i + 1, j + 1, w];
    }
    off += sizes[l] * sizes[l + 1];
  }
  const g = [...grads].map((v, k) => [k + 1, v]).filter(([, v]) => isFinite(v));
  const lo = g.reduce((a, b) => (b[1] < a[1] ? b : a), g[0]), hi = g.reduce((a, b) => (b[1] > a[1] ? b : a), g[0]);
  const w = best ? ` Largest weight W${sub(best[0])}[${best[1]}, ${best[2]}] = ${Number(best[3].toPrecision(3))}.` : "";
  const gr = g.length ? ` ‖∇W${sub(lo[0])}‖ = ${sci(lo[1])} is the smallest gradient, ‖∇W${sub(hi[0])}‖ = ${sci(hi[1])} the largest.` : "";
  return `Network ${sizes.join("-")}, ${L} layers of weights.${w}${gr}`;
}

function describeLoss(series, t) {
  const parts = series.map((s) => {
    const pts = s.pts.filter((p) => p[0] <= t && isFinite(p[s.col]));
    if (!pts.length) return null;
    const a = pts[0], b = pts[pts.length - 1];
    return `${s.name} from ${num(a[s.col])} at t = ${Math.round(a[0])} to ${num(b[s.col])} at t = ${Math.round(b[0])}`;
  }).filter(Boolean);
  return `Loss L(θ) against t: ${parts.join("; ") || "no update yet"}.`;
}

function label(el, text) {
  if (el.getAttribute("aria-label") !== text) el.setAttribute("aria-label", text);
}

// A marker's path, by its Plotly name (ffnn.figures.palette.CLASS_SYMBOLS), r its half-size.
function shape(ctx, name, x, y, r) {
  const poly = (pts) => { ctx.moveTo(x + pts[0][0] * r, y + pts[0][1] * r); for (const [a, b] of pts.slice(1)) ctx.lineTo(x + a * r, y + b * r); ctx.closePath(); };
  ctx.beginPath();
  const star = [...Array(10).keys()].map((k) => { const a = -Math.PI / 2 + (k * Math.PI) / 5, q = k % 2 ? 0.45 : 1.15; return [q * Math.cos(a), q * Math.sin(a)]; });
  const c = 0.38;
  ({
    circle: () => ctx.arc(x, y, r, 0, 2 * Math.PI),
    square: () => poly([[-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]]),
    diamond: () => poly([[0, -1.2], [1.2, 0], [0, 1.2], [-1.2, 0]]),
    "triangle-up": () => poly([[0, -1.2], [1.1, 0.85], [-1.1, 0.85]]),
    "triangle-down": () => poly([[0, 1.2], [1.1, -0.85], [-1.1, -0.85]]),
    cross: () => poly([[-c, -1], [c, -1], [c, -c], [1, -c], [1, c], [c, c], [c, 1], [-c, 1], [-c, c], [-1, c], [-1, -c], [-c, -c]]),
    star: () => poly(star),
    x: () => poly([[-1, -0.6], [-0.6, -1], [0, -0.4], [0.6, -1], [1, -0.6], [0.4, 0], [1, 0.6], [0.6, 1], [0, 0.4], [-0.6, 1], [-1, 0.6], [-0.4, 0]]),
  }[name] || (() => ctx.arc(x, y, r, 0, 2 * Math.PI)))();
}

const rgbText = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

function hoverPlane(v, e) {
  const st = v.stage, g = v.geom;
  if (!st || !g || !st.stat) return;
  const rect = v.cv.getBoundingClientRect(), x = e.clientX - rect.left, y = e.clientY - rect.top;
  const P = st.stat.plane, net = st.stat.nets[v.side];
  if (x < g.m.l || x > g.m.l + g.S || y < g.m.t || y > g.m.t + g.S) return showTip(tip(v.box), null);
  let best = null, bd = 100;
  for (const set of P.sets) {
    const pts = view(st.statBlob, set.points);
    for (let i = 0; i < set.y.length; i++) {
      const d = (v.px(pts[2 * i]) - x) ** 2 + (v.py(pts[2 * i + 1]) - y) ** 2;
      if (d < bd) { bd = d; best = [set, i, pts[2 * i], pts[2 * i + 1]]; }
    }
  }
  const x1 = best ? best[2] : ((x - g.m.l) / g.S) * 2 * P.extent - P.extent;
  const x2 = best ? best[3] : P.extent - ((y - g.m.t) / g.S) * 2 * P.extent;
  const out = forward(net, v.theta, features(net, [x1], [x2]), 1);
  const at = `x₁ ${fmt(x1, 0.01)}, x₂ ${fmt(x2, 0.01)}`;
  let text;
  if (P.task === "regression") {
    text = (best ? `${best[0].split}: y = ${best[0].y[best[1]].toFixed(3)} · ` : "") + `${at} · ŷ = ${out[0].toFixed(3)}`;
  } else {
    const probs = out.length === 1 ? [1 - out[0], out[0]] : Array.from(out);
    if (best) {
      const c = best[0].y[best[1]];
      text = `${best[0].split}, class ${c} · ${at} · the network: p(class ${c}) = ${probs[c].toFixed(3)}`;
    } else {
      const c = probs.indexOf(Math.max(...probs));
      text = `${at} · the network says class ${c}, p = ${probs[c].toFixed(3)}`;
    }
  }
  showTip(tip(v.box), text, x, y, v.box);
}

function sideView(root) {
  root = host(root, `<div class="side">
    <div class="numbers" role="group" aria-label="The run now">
      <div class="metric"><div class="label">Iteration t</div><div class="value" data-n="t"></div></div>
      <div class="metric"><div class="label" data-n="loss-label">L(θ) train / test</div><div class="value" data-n="loss"></div></div>
      <div class="metric" data-n="acc-box"><div class="label" data-n="acc-label">Accuracy train / test</div><div class="value" data-n="acc"></div></div>
    </div>
    <canvas class="network" role="img"></canvas><canvas class="loss" role="img"></canvas></div>`);
  const box = root.querySelector(".side");
  const v = { box, net: box.querySelector("canvas.network"), loss: box.querySelector("canvas.loss"), drawn: null };
  v.n = (k) => box.querySelector(`[data-n="${k}"]`);
  v.draw = (st) => {
    const f = st.shownFrame || st.frames[st.frames.length - 1];
    if (!f || !st.info) return;
    const w = box.clientWidth, key = [w, v.cfg.graph, v.cfg.loss, st.seq].join("|");
    if (!w) return;
    if (v.drawn === key && v.drawnFrame === f) return;
    drawNumbers(v, st, f);
    // the network and the loss at most every SIDE_MS while playing: the numbers say every t
    const now = performance.now();
    if (st.playing && v.drawn === key && now - v.heavyAt < SIDE_MS) return;
    v.drawn = key; v.drawnFrame = f; v.heavyAt = now;
    drawNetwork(v, st, f, w, v.cfg.graph);
    const I = st.info, c = st.curves[0] || [];
    const series = [{ pts: c, col: 1, color: I.colors.train, dash: false, name: "train loss" }];
    if (I.has_test) series.push({ pts: c, col: 2, color: I.colors.test, dash: true, name: "test loss" });
    drawLoss(v.loss, w, v.cfg.loss, series, { t: f.t, xmax: Math.max(I.max_iterations, f.t, 1), events: I.events, present: v.cfg.present, at0: true });
  };
  v.net.addEventListener("mousemove", (e) => hoverNetwork(v, e));
  v.net.addEventListener("mouseleave", () => showTip(tip(v.box), null));
  return v;
}

function drawNumbers(v, st, f) {
  const I = st.info, hasTest = I.has_test, n = f.num;
  v.n("t").textContent = `${f.t} / ${I.max_iterations}`;
  v.n("loss-label").textContent = hasTest ? "L(θ) train / test" : "L(θ) train";
  v.n("loss").textContent = num(n[0]) + (hasTest ? " / " + num(n[1]) : "");
  v.n("acc-box").style.visibility = I.has_acc ? "visible" : "hidden";
  v.n("acc-label").textContent = hasTest ? "Accuracy train / test" : "Accuracy";
  v.n("acc").textContent = I.has_acc ? pct(n[2]) + (hasTest ? " / " + pct(n[3]) : "") : "";
}

function gradientScale(values) {
  const v = values.filter((x) => isFinite(x) && x > 0);
  if (!v.length) return [-3, -1];
  let lo = Math.floor(Math.log10(Math.min(...v))), hi = Math.ceil(Math.log10(Math.max(...v)));
  if (hi - lo < 2) lo = hi - 2;
  return [lo, hi];
}

function drawNetwork(v, st, f, w, h) {
  const I = st.info, sizes = st.stat.nets[0].sizes, L = sizes.length - 1, big = v.cfg.present ? 1.4 : 1;
  const widest = Math.max(...sizes), font = 11 * big;
  const ctx = canvas(v.net, w, h);
  const labelW = 24 + 7 * big * Math.max(...I.input_labels.map((s) => s.length));
  const band = 34 * big;                                // the gradient bars under the units
  // the columns' names on two lines, or on one where the units would have under 80 px
  // (presented, a run-through stage and a message above)
  const oneLine = h - 12 - (34 * big + 10) - band < 80;
  const m = { l: labelW, r: 48 * big, t: 12, b: oneLine ? font + 12 : 34 * big + 10 };
  const top = m.t, bottom = h - m.b - band;
  const cx = (c) => m.l + (c / L) * (w - m.l - m.r);
  const gap = (bottom - top) / Math.max(widest - 1, 3);
  const node = Math.max(5, Math.min(20, 0.75 * gap)) * (v.cfg.present ? 1.2 : 1);
  const cy = (n, i) => (top + bottom) / 2 - ((n - 1) / 2 - i) * gap;   // unit 1 on top
  const theta = f.theta;
  let wOff = 0;
  const offsets = [];
  for (let l = 0; l < L; l++) { offsets.push(wOff); wOff += sizes[l] * sizes[l + 1]; }
  const bStart = wOff;
  let top_w = 0;
  for (let i = 0; i < bStart; i++) if (isFinite(theta[i])) top_w = Math.max(top_w, Math.abs(theta[i]));
  const density = Math.min(Math.max(10 / widest, 0.3), 1);
  const edges = [];
  for (let l = 0; l < L; l++) {
    const a = sizes[l], b = sizes[l + 1];
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) {
      const k = offsets[l] + i * b + j, wt = theta[k];
      edges.push({ l, i, j, k, w: wt, x0: cx(l), y0: cy(a, i), x1: cx(l + 1), y1: cy(b, j) });
    }
  }
  edges.sort((p, q) => Math.abs(p.w) - Math.abs(q.w));   // bigger weights on top
  label(v.net, describeNetwork(sizes, theta, f.num.subarray(4, 4 + L)));
  for (const e of edges) {
    const s = top_w > 0 && isFinite(e.w) ? Math.abs(e.w) / top_w : 0;
    ctx.strokeStyle = e.w < 0 ? I.sign.negative : I.sign.positive;
    ctx.globalAlpha = (0.18 + 0.77 * s) * (0.4 + 0.6 * density);
    ctx.lineWidth = (0.6 + 3.9 * s) * density * (v.cfg.present ? 1.5 : 1);
    ctx.setLineDash(e.w < 0 ? [5, 3] : []);             // a negative weight dashed, not only orange
    ctx.beginPath(); ctx.moveTo(e.x0, e.y0); ctx.lineTo(e.x1, e.y1); ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  v.edges = edges; v.theta = theta;
  // units: inputs grey and labelled, the others filled by their bias
  let btop = 0;
  for (let i = bStart; i < theta.length; i++) if (isFinite(theta[i])) btop = Math.max(btop, Math.abs(theta[i]));
  btop = btop || 1;
  v.nodes = [];
  ctx.lineWidth = 1; ctx.strokeStyle = "#555555";
  ctx.font = `${font}px "Source Sans", sans-serif`; ctx.textBaseline = "middle"; ctx.textAlign = "right";
  let bOff = bStart;
  for (let c = 0; c <= L; c++) {
    for (let i = 0; i < sizes[c]; i++) {
      const x = cx(c), y = cy(sizes[c], i);
      ctx.fillStyle = c === 0 ? I.input_color : rgbText(diverging({ scale: I.scale }, theta[bOff + i] / btop));
      ctx.beginPath(); ctx.arc(x, y, node / 2, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      if (c === 0) { ctx.fillStyle = "#2a3f5f"; ctx.fillText(I.input_labels[i], x - node / 2 - 4, y); }
      else {
        v.nodes.push({ l: c, j: i, x, y, r: node / 2, b: theta[bOff + i] });
        if (node >= 12) {                                 // the bias's sign, in words too
          ctx.save(); ctx.fillStyle = "#222222"; ctx.textAlign = "center";
          ctx.fillText(theta[bOff + i] < 0 ? MINUS : "+", x, y + 0.5); ctx.restore();
        }
      }
    }
    if (c > 0) bOff += sizes[c];
  }
  // ‖∇W_l‖ under each layer's weights: a bar on a log scale shared by the layers, θ₀'s grey
  const grads = f.num.subarray(4, 4 + L), g0 = I.grads_0;
  const [lo, hi] = gradientScale([...grads, ...g0]);
  const len = (g) => (isFinite(g) && g > 0 ? 0.8 * Math.min(Math.max((Math.log10(g) - lo) / (hi - lo), 0.02), 1) : 0);
  const by = h - m.b - band / 2 + 6;
  for (let l = 1; l <= L; l++) {
    const x0 = cx(l - 1) + (0.1 * (w - m.l - m.r)) / L, span = (w - m.l - m.r) / L;
    ctx.lineCap = "butt";
    ctx.strokeStyle = "#CCCCCC"; ctx.lineWidth = 9 * big;
    ctx.beginPath(); ctx.moveTo(x0, by); ctx.lineTo(x0 + len(g0[l - 1]) * span, by); ctx.stroke();
    ctx.strokeStyle = I.layer_colors[(l - 1) % I.layer_colors.length]; ctx.lineWidth = 5 * big;
    ctx.beginPath(); ctx.moveTo(x0, by); ctx.lineTo(x0 + len(grads[l - 1]) * span, by); ctx.stroke();
    ctx.fillStyle = I.layer_text_colors[(l - 1) % I.layer_text_colors.length];
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.font = `${(L <= 3 ? 11 : 10) * big}px "Source Sans", sans-serif`;
    ctx.fillText(L <= 3 ? `‖∇W${sub(l)}‖ ${sci(grads[l - 1])}` : sci(grads[l - 1]), cx(l - 0.5), by - 6 * big);
  }
  // the columns' names
  ctx.fillStyle = "#444444"; ctx.textBaseline = "top"; ctx.font = `${font}px "Source Sans", sans-serif`;
  for (let c = 0; c <= L; c++) {
    let lines = c === 0 ? ["input"] : c < L ? [`layer ${c}`, I.activations[c - 1] || ""] : [L > 3 || oneLine ? "output" : `layer ${L}: output`, I.output || ""];
    if (oneLine) lines = [lines.filter(Boolean).join(" · ")];
    ctx.textAlign = c === L && c ? "right" : c === 0 ? "center" : "center";
    const x = c === L && c ? cx(c) + 12 : cx(c);
    lines.forEach((s, k) => ctx.fillText(s, x, h - m.b + 8 + k * (font + 2)));
  }
}

function hoverNetwork(v, e) {
  const st = v.stage;
  if (!v.edges || !st) return;
  const rect = v.net.getBoundingClientRect(), x = e.clientX - rect.left, y = e.clientY - rect.top;
  for (const n of v.nodes) {
    if ((n.x - x) ** 2 + (n.y - y) ** 2 <= (n.r + 2) ** 2) {
      return showTip(tip(v.box), `b${sub(n.l)}[${n.j + 1}] = ${Number(n.b.toPrecision(3))}`, x, y, v.box);
    }
  }
  let best = null, bd = 36;
  for (const ed of v.edges) {
    const dx = ed.x1 - ed.x0, dy = ed.y1 - ed.y0, u = Math.max(0, Math.min(1, ((x - ed.x0) * dx + (y - ed.y0) * dy) / (dx * dx + dy * dy)));
    const d = (ed.x0 + u * dx - x) ** 2 + (ed.y0 + u * dy - y) ** 2;
    if (d < bd) { bd = d; best = ed; }
  }
  if (!best) return showTip(tip(v.box), null);
  const name = `W${sub(best.l + 1)}[${best.i + 1}, ${best.j + 1}]`;
  const g = st.grad && !st.playing ? ` · ∂L/∂${name} = ${Number(st.grad[best.k].toPrecision(3))}` : "";
  showTip(tip(v.box), `${name} = ${Number(best.w.toPrecision(3))}${g}`, x, y, v.box);
}

// L(θ) against t: `series` [{pts: [[t, train, test]], col, color, dash, name}] up to o.t, on a
// linear or (o.log) log axis; o.events: [t, text] drawn as dotted lines; o.at0: a lone point
// (θ₀'s) is written out beside it.
const LOG_ABOVE = 1e4;   // a loss above this puts the axis on a log scale (ffnn/figures/curves.py)
function drawLoss(cv, w, h, series, o) {
  let top = 0;                             // a diverging run: on a linear axis all else lies at 0
  for (const s of series) for (const p of s.pts) if (p[0] <= o.t && isFinite(p[s.col])) top = Math.max(top, p[s.col]);
  o = { ...o, log: o.log || top > LOG_ABOVE };
  cv.dataset.log = o.log ? "1" : "0";
  const big = o.present ? 1.5 : 1, font = 12 * big;
  label(cv, describeLoss(series, o.t));
  const ctx = canvas(cv, w, h), put = texts(cv, ctx);
  // the legend's rows, measured as it is laid out below (a row too few drew it over the plot)
  ctx.font = `${11 * big}px "Source Sans", sans-serif`;
  let rows = 1;
  for (let k = 0, lx = 50 * big + 12; k < series.length; k++) {
    const wd = 40 + ctx.measureText(series[k].name).width;
    if (lx + wd > w && lx > 50 * big + 12) { lx = 50 * big + 12; rows++; }
    lx += wd + 8;
  }
  const xTitle = h >= 200 || !o.present;      // a short presented chart keeps its plot instead
  const m = { l: 50 * big + 6, r: 16 * big, t: 16 * big * rows + 6, b: (xTitle ? 36 : 22) * big + 4 };
  const pw = w - m.l - m.r, ph = h - m.t - m.b, xmax = o.xmax;
  const tr = (y) => (o.log ? (y > 0 && isFinite(y) ? Math.log10(y) : NaN) : y);
  let lo = Infinity, hi = -Infinity;
  for (const s of series) for (const p of s.pts) if (p[0] <= o.t) {
    const y = tr(p[s.col]);
    if (isFinite(y)) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
  }
  let y0, y1;
  if (o.log) {
    if (!isFinite(lo)) { lo = -3; hi = 1; }
    const pad = Math.max(0.05 * (hi - lo), 0.1); y0 = lo - pad; y1 = hi + pad;
  } else {
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    lo = Math.min(lo, 0); hi = Math.max(hi, 0); y0 = lo * 1.05; y1 = hi > 0 ? hi * 1.05 : 1;
  }
  const X = (t) => m.l + (t / xmax) * pw, Y = (y) => m.t + ((y1 - y) / (y1 - y0)) * ph;
  ctx.font = `${font}px "Source Sans", sans-serif`; ctx.lineWidth = 1;
  const xs = niceStep(xmax, pw / 80);
  ctx.fillStyle = "#2a3f5f"; ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (let t = 0; t <= xmax + 1e-9; t += xs) {
    ctx.strokeStyle = "#EBF0F8"; ctx.beginPath(); ctx.moveTo(X(t), m.t); ctx.lineTo(X(t), m.t + ph); ctx.stroke();
    put(fmt(t, xs), X(t), m.t + ph + 4);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const ys = o.log ? Math.max(1, Math.round(niceStep(y1 - y0, Math.max(ph / 40, 2)))) : niceStep(y1 - y0, Math.max(ph / 40, 2));
  for (let y = Math.ceil(y0 / ys) * ys; y <= y1 + 1e-9 * Math.max(1, Math.abs(y1)); y += ys) {
    ctx.strokeStyle = !o.log && Math.abs(y) < ys * 1e-9 ? "#444444" : "#EBF0F8";
    ctx.beginPath(); ctx.moveTo(m.l, Y(y)); ctx.lineTo(m.l + pw, Y(y)); ctx.stroke();
    put(o.log ? "10" + sup(Math.round(y)) : fmt(y, ys), m.l - 4, Y(y));
  }
  ctx.textAlign = "center"; ctx.textBaseline = "bottom";
  if (xTitle) put("step t", m.l + pw / 2, h - 2);
  ctx.save(); ctx.translate(12 * big, m.t + ph / 2); ctx.rotate(-Math.PI / 2); ctx.textBaseline = "middle";
  put(o.ylabel || "loss L(θ)", 0, 0, [12 * big, m.t + ph / 2]); ctx.restore();
  // settings changed mid-run: dotted lines, labels at the top in three heights
  ctx.font = `${10 * big}px "Source Sans", sans-serif`; ctx.textAlign = "left"; ctx.textBaseline = "top";
  (o.events || []).forEach(([t, text], i) => {
    if (t > o.t) return;
    ctx.strokeStyle = "#777777"; ctx.setLineDash([2, 3]);
    ctx.beginPath(); ctx.moveTo(X(t), m.t); ctx.lineTo(X(t), m.t + ph); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = "#555555"; put(text, X(t) + 2, m.t + 2 + (i % 3) * 12 * big);
  });
  ctx.save(); ctx.beginPath(); ctx.rect(m.l, m.t - 2, pw, ph + 4); ctx.clip();
  const dash = [6 * big, 4 * big];
  const alone = [];
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = 2 * big; ctx.setLineDash(s.dash ? dash : []); ctx.beginPath();
    let pen = false, n = 0, last = null;
    for (const p of s.pts) {
      if (p[0] > o.t) break;
      const y = tr(p[s.col]);
      if (!isFinite(y)) { pen = false; continue; }
      const px = X(p[0]), py = Y(y);
      if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      pen = true; n++; last = [px, py, p[s.col]];
    }
    ctx.stroke(); ctx.setLineDash([]);
    if (n === 1) { ctx.fillStyle = s.color; ctx.beginPath(); ctx.arc(last[0], last[1], 3 * big, 0, 2 * Math.PI); ctx.fill(); alone.push([s, last]); }
  }
  ctx.restore();
  if (o.at0) {                              // θ₀'s loss, written beside its point
    ctx.font = `${font}px "Source Sans", sans-serif`; ctx.textAlign = "left";
    // one above its point and one below; a point at the top of the plot: both below (above,
    // the first ran into the legend)
    const above = alone.length && alone[0][1][1] - 6 - font >= m.t;
    const below = Math.max(...alone.map(([, last]) => last[1])) + 4;
    alone.forEach(([s, last], k) => {
      ctx.fillStyle = s.color;
      const text = `${s.name} at θ₀: ${num(last[2])}`;
      if (above) {
        ctx.textBaseline = k ? "top" : "bottom";
        put(text, last[0] + 8, last[1] + (k ? 4 : -4));
      } else {
        ctx.textBaseline = "top";
        put(text, last[0] + 8, below + k * (font + 2));
      }
    });
  }
  // the legend, above the plot
  ctx.font = `${11 * big}px "Source Sans", sans-serif`; ctx.textBaseline = "middle"; ctx.textAlign = "left";
  let lx = m.l + 6, ly = 8 * big + 2;
  for (const s of series) {
    const wd = 40 + ctx.measureText(s.name).width;
    if (lx + wd > w && lx > m.l + 6) { lx = m.l + 6; ly += 16 * big; }
    ctx.strokeStyle = s.color; ctx.lineWidth = 2 * big; ctx.setLineDash(s.dash ? dash : []);
    ctx.beginPath(); ctx.moveTo(lx, ly); ctx.lineTo(lx + 26, ly); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = "#2a3f5f"; put(s.name, lx + 32, ly);
    lx += wd + 8;
  }
}

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const sup = (n) => String(n).replace("-", "⁻").replace(/\d/g, (d) => SUP[d]);

// The t the page shows: the last frame drawn, or, on a page whose charts the server draws (no
// frames), its counter, the "Iteration t" metric (the feed's t can be a batch ahead or behind
// of what the page has painted).
function tShown(st) {
  if (st.frames.length || st.shownFrame) return st.shownT;
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    const label = m.querySelector('[data-testid="stMetricLabel"]');
    const value = m.querySelector('[data-testid="stMetricValue"]');
    if (label && value && label.innerText.trim() === "Iteration t") {
      const t = parseInt(value.innerText, 10);
      if (Number.isFinite(t)) return t;
    }
  }
  return st.shownT;
}

function playView(root) {
  root = host(root, '<button class="play" type="button"><span class="label">Play</span><span class="hint" aria-hidden="true">Space</span></button><div class="sr" role="status" aria-live="polite"></div>');
  const button = root.querySelector("button");
  const v = { button };
  v.toggle = () => {
    const st = v.stage;
    if (button.getAttribute("aria-disabled") === "true") return;
    if (st.playing || st.wanted === true) {
      st.playing = false; st.wanted = false;
      v.ask("pause", { t: tShown(st), seq: st.seq });
    } else {
      st.wanted = true;
      v.ask("play", { t: st.shownT, seq: st.seq });
    }
    v.draw(st);
  };
  button.addEventListener("click", v.toggle);
  const live = root.querySelector(".sr");
  v.draw = (st) => {
    noteSession(st, v.cfg.session);
    if (st.resume && v.cfg.session === st.session) {
      const t = st.resume.t;
      st.resume = null; st.wanted = true;
      v.ask("play", { t, seq: st.seq, resume: true });
    }
    announce(v, st, live);
    const on = st.wanted === null ? st.playing || v.cfg.playing : st.wanted;
    const label = on ? "Pause" : "Play";
    if (v.label !== label) { v.label = label; button.querySelector(".label").textContent = label; }
    // aria-disabled, not disabled: a disabled button would drop the focus to <body> when a
    // run ends under it
    const off = String(!!v.cfg.disabled && !on);
    if (button.getAttribute("aria-disabled") !== off) button.setAttribute("aria-disabled", off);
    const hint = (v.cfg.keys || []).includes(" ") ? "Space" : "P";
    if (v.hint !== hint) { v.hint = hint; button.querySelector(".hint").textContent = hint; }
  };
  return v;
}

// Pages without a stage view: the server draws their charts once per batch, and the page asks
// for the next batch a period after each arrived.
// Progress for screen readers, in the polite live region beside Play: when a play starts,
// every SAY_MS while it plays, and where it stops; never on every frame.
const SAY_MS = 5000;
function announce(v, st, live) {
  const now = performance.now(), t = Math.round(st.shownT || 0);
  const f = st.shownFrame, loss = f && f.num.length ? `, L(θ) = ${num(f.num[0])}` : "";
  let say = null;
  if (st.playing && !v.wasPlaying) say = `Playing from t = ${t} at ${st.speed} iterations per second.`;
  else if (!st.playing && v.wasPlaying) say = (st.ended ? `Stopped at t = ${t}` : `Paused at t = ${t}`) + `${loss}.`;
  else if (st.playing && now - v.saidAt > SAY_MS) say = `t = ${t}${loss}.`;
  v.wasPlaying = st.playing;
  if (say) { live.textContent = say; v.saidAt = now; }
}

// Streamlit 1.67 mounts a Plotly chart anew (a new element, its key's class kept) whenever its
// figure changes; until the new one has drawn, its box would be blank for a frame or more. On
// every page that plays, the old picture stays over the new box until the new one has drawn
// (the observer runs before the browser paints).
const KEEP_MS = 3000;
function keepPlots() {
  if (globalThis.__ffnnKeepPlots) return;
  globalThis.__ffnnKeepPlots = true;
  const own = (c) => [...c.querySelectorAll(".js-plotly-plot")]
    .filter((g) => !g.closest(".ffnn-keep"));
  const painted = (g) => !!g.querySelector(".main-svg .trace, .main-svg image");
  const drawn = (c) => own(c).some(painted);
  const settle = (box, keep, since) => {
    if (!keep.isConnected) return;
    if (drawn(box) || performance.now() - since > KEEP_MS) keep.remove();
    else requestAnimationFrame(() => settle(box, keep, since));
  };
  new MutationObserver((records) => {
    for (const m of records) for (const gone of m.removedNodes) {
      if (gone.nodeType !== 1) continue;
      // the chart's element, or a block of them (a row of columns) gone at once
      const olds = gone.matches('[data-testid="stElementContainer"]') ? [gone]
        : [...gone.querySelectorAll('[data-testid="stElementContainer"]')];
      for (const old of olds) {
        const key = [...old.classList].find((c) => c.startsWith("st-key-"));
        if (!key || !old.querySelector('[data-testid="stPlotlyChart"]')) continue;
        const picture = own(old).find(painted) || old.querySelector(".ffnn-keep > .js-plotly-plot");
        const box = document.querySelector(`[data-testid="stElementContainer"].${CSS.escape(key)}`);
        if (!picture || !box || drawn(box)) continue;
        box.querySelectorAll(":scope > .ffnn-keep").forEach((k) => k.remove());
        const keep = document.createElement("div");
        keep.className = "ffnn-keep";
        keep.setAttribute("aria-hidden", "true");
        keep.style.cssText = "position:absolute;top:0;left:0;pointer-events:none;z-index:1";
        keep.append(picture);
        if (getComputedStyle(box).position === "static") box.style.position = "relative";
        box.append(keep);
        settle(box, keep, performance.now());
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}

function clock(st, period) {
  clearTimeout(st.timer);
  if (!st.playing) return;
  const seq = st.seq, event = st.ended ? "ended" : "need";
  st.timer = setTimeout(() => {
    if (st.seq === seq && st.playing) st.ask(event, { seq, t: st.shownT, rev: st.rev });
  }, period * 1000);
}

// Compare losses: runs A and B side by side, each its boundary and numbers, then both losses.
function pairView(root) {
  // one grid: the counter, A's and B's heads and boundaries, the losses (stage.css places them)
  const el = host(root, `<div class="pairbox"><div class="pair">
    <div class="counter"><span class="label">Iteration t</span><span class="value" data-n="t"></span></div>
    <div class="head h0"><span class="title" data-n="title0"></span><span data-n="nums0"></span></div>
    <div class="head h1"><span class="title" data-n="title1"></span><span data-n="nums1"></span></div>
    <div class="plane p0" data-n="plane0"></div><div class="plane p1" data-n="plane1"></div>
    <div class="losses"><canvas class="loss" role="img"></canvas></div></div></div>`);
  const q = (k) => el.querySelector(`[data-n="${k}"]`);
  const planes = [plane(q("plane0"), 0), plane(q("plane1"), 1)];
  const loss = el.querySelector("canvas.loss");
  const v = { planes };
  v.draw = (st) => {
    if (!st.info) return;
    const I = st.info;
    q("t").textContent = `${Math.round(st.shownT || 0)} / ${I.max_iterations}`;
    planes.forEach((p, k) => {
      p.stage = st; p.cfg = { height: v.cfg.height, present: v.cfg.present, name: I.titles[k] };
      p.draw(st);
      const f = frameAt(st, k);
      q("title" + k).textContent = I.titles[k];
      if (f && p.numFrame !== f) {
        p.numFrame = f;
        const stopped = I.stopped[k] && f.t >= I.stopped[k][0] ? " · " + I.stopped[k][1] : "";
        q("nums" + k).textContent = `L(θ) ${num(f.num[0])}` +
          (I.has_acc ? ` · accuracy ${pct(f.num[2])}` : "") + stopped;
      }
    });
    // beside the boundaries (a row of three) the loss is as tall as they are
    const lw = loss.parentElement.clientWidth, beside = lw < el.clientWidth * 0.5;
    const lh = beside ? planes[0].cv.getBoundingClientRect().bottom - loss.parentElement.getBoundingClientRect().top : v.cfg.loss;
    const key = [lw, lh, st.shownT, st.seq, v.cfg.log].join("|");
    if (v.lossKey === key) return;
    v.lossKey = key;
    const series = [];
    I.titles.forEach((name, k) => {
      const c = st.curves[k] || [];
      series.push({ pts: c, col: 1, color: I.side_colors[k], dash: false, name: `${name} · train` });
      if (I.has_test) series.push({ pts: c, col: 2, color: I.side_colors[k], dash: true, name: `${name} · test` });
    });
    drawLoss(loss, lw, Math.max(lh, 150), series,
      { t: st.shownT, xmax: Math.max(I.max_iterations, st.shownT, 1), log: v.cfg.log, present: v.cfg.present });
  };
  return v;
}

// Error surface: the paths θ_0 … θ_t of one sigmoid neuron on L(w, b), and L(θ_t) against t.
function surfaceView(root) {
  const el = host(root, `<div class="surface"><div class="counter"><span class="label">Iteration t</span><span class="value" data-n="t"></span></div>
    <div class="surfrow"><div class="map"><canvas class="contour" role="img"></canvas></div>
    <div class="along"><canvas class="loss" role="img"></canvas></div></div></div>`);
  const map = el.querySelector("canvas.contour"), loss = el.querySelector("canvas.loss");
  const v = { img: new Image() };
  v.draw = (st) => {
    const S = st.stat && st.stat.surface;
    if (!S) return;
    if (v.img.src !== S.image) { v.img.src = S.image; v.img.onload = () => { v.drawn = null; v.draw(st); }; }
    const t = Math.round(st.shownT || 0);
    const key = [t, map.parentElement.clientWidth, loss.parentElement.clientWidth, st.rev, v.cfg.log].join("|");
    if (v.drawn === key) return;
    v.drawn = key;
    el.querySelector('[data-n="t"]').textContent = `${t} / ${S.max_iterations}`;
    drawContour(v, map, st, S, t);
    label(map, `Error surface L(w, b) of one sigmoid neuron, ${S.paths.map((p) => {
      const xy = view(st.statBlob, p.xy), L = view(st.statBlob, p.loss), k = Math.min(t, L.length - 1);
      return `${p.label} at t = ${k}: θ = [w, b] = [${num(xy[2 * k], 3)}, ${num(xy[2 * k + 1], 3)}], L(θ) = ${num(L[k])}`;
    }).join("; ")}.`);
    const series = S.paths.map((p) => {
      const L = view(st.statBlob, p.loss), pts = [];
      for (let k = 0; k < L.length && k <= t; k++) pts.push([k, L[k]]);
      return { pts, col: 1, color: p.color, dash: false, name: p.label };
    });
    drawLoss(loss, loss.parentElement.clientWidth, v.cfg.loss, series,
      { t, xmax: S.max_iterations, log: v.cfg.log, present: v.cfg.present, ylabel: "loss L(θₜ)" });
  };
  return v;
}

function drawContour(v, cv, st, S, t) {
  const big = v.cfg.present ? 1.5 : 1, font = 12 * big, w = cv.parentElement.clientWidth;
  const m = { l: 45 * big, r: 64 * big, t: 24 * big, b: 40 * big };
  const side = Math.max(80, Math.min(w - m.l - m.r, v.cfg.height - m.t - m.b));
  const ctx = canvas(cv, m.l + side + m.r, m.t + side + m.b);
  const X = (x) => m.l + ((x - S.w[0]) / (S.w[1] - S.w[0])) * side;
  const Y = (y) => m.t + ((S.b[1] - y) / (S.b[1] - S.b[0])) * side;
  if (v.img.complete && v.img.naturalWidth) { ctx.imageSmoothingEnabled = false; ctx.drawImage(v.img, m.l, m.t, side, side); }
  // the colour bar: L on a log scale, labels no closer than the type allows
  const bx = m.l + side + 10, bw = 10 * big;
  for (let k = 0; k < side; k++) {
    ctx.fillStyle = rgbText(diverging({ scale: S.scale }, 1 - (2 * k) / side));
    ctx.fillRect(bx, m.t + k, bw, 1.5);
  }
  ctx.fillStyle = "#2a3f5f"; ctx.font = `${font}px "Source Sans", sans-serif`;
  ctx.textAlign = "left"; ctx.textBaseline = "middle";
  let lastY = -1e9;
  for (const [z, text] of S.bar.slice().reverse()) {
    const y = m.t + ((S.hi - z) / (S.hi - S.lo)) * side;
    if (y - lastY < font * 1.2) continue;
    ctx.fillText(text, bx + bw + 4, y); lastY = y;
  }
  ctx.save(); ctx.translate(bx + bw / 2, m.t - 6 * big); ctx.textAlign = "center"; ctx.textBaseline = "bottom";
  ctx.fillText("L(θ)", 0, 0); ctx.restore();
  // axes
  ctx.strokeStyle = "#444444"; ctx.lineWidth = 1; ctx.textAlign = "center"; ctx.textBaseline = "top";
  const step = niceStep(S.w[1] - S.w[0], side / 80);
  for (let x = Math.ceil(S.w[0] / step) * step; x <= S.w[1] + 1e-9; x += step) {
    ctx.beginPath(); ctx.moveTo(X(x), m.t + side); ctx.lineTo(X(x), m.t + side + 3); ctx.stroke();
    ctx.fillText(fmt(x, step), X(x), m.t + side + 5);
  }
  ctx.fillText("w", m.l + side / 2, m.t + side + 8 + font);
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (let y = Math.ceil(S.b[0] / step) * step; y <= S.b[1] + 1e-9; y += step) {
    ctx.beginPath(); ctx.moveTo(m.l, Y(y)); ctx.lineTo(m.l - 3, Y(y)); ctx.stroke();
    ctx.fillText(fmt(y, step), m.l - 5, Y(y));
  }
  ctx.save(); ctx.translate(m.l - 18 - font, m.t + side / 2); ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center"; ctx.fillText("b", 0, 0); ctx.restore();
  // the paths up to θ_t: line and small dots (their spacing shows the speed), θ₀ an open
  // square, θ_t a large dot; the legend above
  ctx.save(); ctx.beginPath(); ctx.rect(m.l, m.t, side, side); ctx.clip();
  for (const p of S.paths) {
    const xy = view(st.statBlob, p.xy), n = Math.min(xy.length / 2 - 1, t);
    ctx.strokeStyle = p.color; ctx.fillStyle = p.color; ctx.lineWidth = 2 * big;
    ctx.beginPath();
    for (let k = 0; k <= n; k++) (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(xy[2 * k]), Y(xy[2 * k + 1]));
    ctx.stroke();
    for (let k = 0; k <= n; k++) { ctx.beginPath(); ctx.arc(X(xy[2 * k]), Y(xy[2 * k + 1]), 2 * big, 0, 2 * Math.PI); ctx.fill(); }
    ctx.fillStyle = "#FFFFFF"; ctx.lineWidth = 2.5;
    ctx.fillRect(X(xy[0]) - 5 * big, Y(xy[1]) - 5 * big, 10 * big, 10 * big);
    ctx.strokeRect(X(xy[0]) - 5 * big, Y(xy[1]) - 5 * big, 10 * big, 10 * big);
    ctx.fillStyle = p.color; ctx.strokeStyle = "#FFFFFF"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(X(xy[2 * n]), Y(xy[2 * n + 1]), 7 * big, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  }
  ctx.restore();
  ctx.font = `${11 * big}px "Source Sans", sans-serif`; ctx.textAlign = "left"; ctx.textBaseline = "middle";
  let lx = m.l;
  for (const p of S.paths) {
    ctx.fillStyle = p.color; ctx.fillRect(lx, m.t / 2 - 2, 18, 4);
    ctx.fillStyle = "#2a3f5f"; ctx.fillText(p.label, lx + 24, m.t / 2);
    lx += 40 + ctx.measureText(p.label).width;
  }
}

const VIEWS = { plane: planeView, side: sideView, play: playView, pair: pairView, surface: surfaceView };

// P plays or pauses, and Space too where a clicker drives the page (cfg.keys; elsewhere Space
// scrolls), unless a field, a button, a link or any other control has the focus (there Space is
// that control's own key).
const CONTROLS = "input, textarea, select, button, a[href], [contenteditable=true], " +
  ["button", "slider", "combobox", "switch", "tab", "checkbox", "radio", "menuitem", "option",
    "textbox", "spinbutton", "listbox", "link"].map((r) => `[role=${r}]`).join(", ");
function onKey(e) {
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
  const a = e.composedPath()[0] || document.activeElement;
  if (a && a.closest && a.closest(CONTROLS)) return;
  const v = [...(globalThis.__ffnnPlayButtons || [])].find((p) => p.button.isConnected);
  if (!v || !(v.cfg.keys || ["p"]).includes(e.key.toLowerCase())) return;
  e.preventDefault();
  v.toggle();
}

// A batch from the feed mount (feed.js): into its stage, which its views then draw.
function feed(data, ask, element) {
  const { head, blob } = decode(data);
  const st = stageOf(head.player);
  receive(st, head, blob, ask, element);
  keepPlots();
  if (head.view === "clock") clock(st, head.cfg.period);
  for (const v of st.views) v.drawn = null;
  loop(st);
}

const FEED = (globalThis.__ffnnFeed ??= { queue: [] });
FEED.receive = feed;
for (const [data, ask, element] of FEED.queue.splice(0)) feed(data, ask, element);

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const { head } = decode(data);
  const st = stageOf(head.player);
  let v = parentElement.__ffnnView;
  if (!v || v.kind !== head.view) {
    v = VIEWS[head.view](parentElement);
    v.kind = head.view;
    parentElement.__ffnnView = v;
    st.views.add(v);
    if (head.view === "play") {
      (globalThis.__ffnnPlayButtons ??= new Set()).add(v);
      if (!globalThis.__ffnnKeys) { globalThis.__ffnnKeys = true; document.addEventListener("keydown", onKey, true); }
    }
  }
  v.stage = st;
  v.cfg = head.cfg || {};
  if (head.view === "play") v.ask = onItsPage(setTriggerValue, parentElement);
  v.drawn = null;
  v.draw(st);
  loop(st);
  return () => {
    st.views.delete(v);
    if (globalThis.__ffnnPlayButtons) globalThis.__ffnnPlayButtons.delete(v);
    parentElement.__ffnnView = null;
  };
}
