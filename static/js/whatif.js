// What-if weights on the results page (issue 14; DESIGN §2.9). Move one indicator's local
// weight: its siblings rescale in proportion, w_j' = w_j (1 − x) / (1 − w_k), and every
// subject's evaluation vector, grade, score and rank are recomputed here from the snapshot's
// membership rows, as the engine computes them (evaluations/engine/fuzzy.py evaluate_tree,
// robustness/node.py moved_weights; results service _graded and its ranking). Nothing is sent
// to the server and nothing is saved. Numbers carry their full precision in data-value.
(() => {
  const section = document.getElementById("whatif");
  const source = document.getElementById("whatif-data");
  if (!section || !source) return;
  const data = JSON.parse(source.textContent);
  const msg = section.dataset;

  // Grades within this of the largest count as tied; the first (best) wins: fuzzy.grade.
  const TIE_TOLERANCE = 1e-12;
  // Local weights closer than this to the snapshot's are not listed as moved.
  const MOVED = 1e-12;
  // The typed summary waits for a pause, so a screen reader is not told every slider step.
  const SUMMARY_DELAY = 600;

  // --- the hierarchy and its weights ---------------------------------------------------------

  const children = {}; // code → child codes in order
  data.indicators.forEach((row) => {
    if (row.parent !== null) (children[row.parent] ||= []).push(row.code);
  });
  const root = data.indicators.find((row) => row.parent === null).code;
  const snapshotLocal = {}; // parent code → the children's local weights (the snapshot's)
  data.indicators.forEach((row) => {
    if (!children[row.code]) return;
    snapshotLocal[row.code] = children[row.code].map(
      (code) => data.indicators.find((r) => r.code === code).local_weight,
    );
  });
  const copy = (weights) => Object.fromEntries(
    Object.entries(weights).map(([code, w]) => [code, w.slice()]),
  );
  let local = copy(snapshotLocal);
  // A run of moves of one child starts from the weights before the run (robustness/node.py
  // moves from one weight vector): dragging through 1 and back keeps the siblings' shares.
  let run = null; // {node, child, anchor}
  let pristine = true; // no weight moved since the page opened or Reset

  // sibling_shares: the others' weights over their own sum; equal shares when they weigh 0.
  const siblingShares = (weights, k) => {
    const n = weights.length;
    let total = 0;
    weights.forEach((w, j) => { if (j !== k) total += w; });
    return weights.map((w, j) => {
      if (j === k) return 0;
      return total > 0 ? w / total : 1 / Math.max(n - 1, 1);
    });
  };

  const movedWeights = (weights, k, x) => {
    const shares = siblingShares(weights, k);
    const moved = shares.map((share) => (1 - x) * share);
    moved[k] = x;
    return moved;
  };

  const globalWeights = (weights) => {
    const result = { [root]: 1 };
    const visit = (code) => {
      (children[code] || []).forEach((child, j) => {
        result[child] = result[code] * weights[code][j];
        visit(child);
      });
    };
    visit(root);
    return result;
  };

  // --- the fuzzy evaluation, as fuzzy.OPERATORS and evaluate_tree compose it ---------------

  const OPERATORS = {
    product_sum: (a, rows, m) => column(m, (h) => sum(rows.map((r, i) => a[i] * r[h]))),
    min_max: (a, rows, m) => column(m, (h) => max(rows.map((r, i) => Math.min(a[i], r[h])))),
    product_max: (a, rows, m) => column(m, (h) => max(rows.map((r, i) => a[i] * r[h]))),
    min_bounded_sum: (a, rows, m) =>
      column(m, (h) => Math.min(1, sum(rows.map((r, i) => Math.min(a[i], r[h]))))),
  };
  function column(m, value) { return Array.from({ length: m }, (_, h) => value(h)); }
  function sum(values) { return values.reduce((total, v) => total + v, 0); }
  function max(values) { return values.reduce((best, v) => (v > best ? v : best), -Infinity); }
  const compose = OPERATORS[data.operator];
  const gradeCount = data.grades.length;
  const gradeScores = data.grades.map((g) => g.score);

  // Bottom-up: a leaf is its membership row; a parent composes its children's vectors with
  // its local weights, unnormalised; the root is normalised (evaluate_tree), then once more
  // as the results service does before grading.
  const evaluate = (membership, weights) => {
    const vectorOf = (code) => {
      const below = children[code];
      if (!below) return membership[code];
      return compose(weights[code], below.map(vectorOf), gradeCount);
    };
    const normalise = (v) => { const total = sum(v); return v.map((x) => x / total); };
    const vector = normalise(normalise(vectorOf(root)));
    const top = max(vector);
    const grade = vector.findIndex((e) => e >= top - TIE_TOLERANCE);
    const score = sum(vector.map((e, h) => e * gradeScores[h]));
    return { vector, grade, score };
  };

  // Ranks by score, best first; equal scores keep the snapshot's order (a stable sort), as
  // the results service ranks.
  const results = () => {
    const rows = data.subjects.map((subject) => (
      pristine
        ? { subject, vector: subject.vector, grade: subject.grade, score: subject.score }
        : { subject, ...evaluate(subject.membership, local) }
    ));
    const ordered = rows.slice().sort((a, b) => b.score - a.score);
    ordered.forEach((row, position) => { row.rank = position + 1; });
    return ordered;
  };

  // --- drawing --------------------------------------------------------------------------------

  const fixed = (x) => x.toFixed(4);
  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  const setNumber = (cell, x) => {
    cell.dataset.value = String(x);
    cell.textContent = fixed(x);
  };

  const subjectsBody = section.querySelector("#whatif-subjects tbody");
  const rowOf = {};
  subjectsBody.querySelectorAll("tr[data-subject]").forEach((tr) => { rowOf[tr.dataset.subject] = tr; });

  const rankChange = (cell, was, now) => {
    const delta = was - now;
    const text = delta > 0 ? fill(msg.msgUp, { n: delta })
      : delta < 0 ? fill(msg.msgDown, { n: -delta }) : msg.msgSame;
    cell.dataset.value = String(delta);
    cell.replaceChildren();
    const mark = document.createElement("span");
    mark.setAttribute("aria-hidden", "true");
    mark.className = delta > 0 ? "whatif-up" : delta < 0 ? "whatif-down" : "whatif-same";
    mark.textContent = delta > 0 ? `▲ ${delta}` : delta < 0 ? `▼ ${-delta}` : "=";
    const words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = text;
    cell.append(mark, words);
  };

  const drawSubjects = (ordered) => {
    ordered.forEach((row) => {
      const tr = rowOf[row.subject.id];
      const rank = tr.querySelector('[data-role="rank"]');
      rank.dataset.value = String(row.rank);
      rank.textContent = row.rank;
      rankChange(tr.querySelector('[data-role="change"]'), row.subject.rank, row.rank);
      tr.querySelectorAll('[data-role="degree"]').forEach((cell, h) => setNumber(cell, row.vector[h]));
      const grade = tr.querySelector('[data-role="grade"]');
      grade.dataset.value = String(row.grade);
      grade.textContent = data.grades[row.grade].name;
      if (row.grade !== row.subject.grade) {
        const was = document.createElement("span");
        was.className = "note whatif-grade-was";
        was.textContent = ` (${fill(msg.msgWas, { value: data.grades[row.subject.grade].name })})`;
        grade.append(was);
      }
      setNumber(tr.querySelector('[data-role="score"]'), row.score);
      subjectsBody.append(tr); // in rank order
    });
  };

  const drawMoved = () => {
    const before = globalWeights(snapshotLocal);
    const now = globalWeights(local);
    let any = false;
    section.querySelectorAll("#whatif-moved tr[data-code]").forEach((tr) => {
      const code = tr.dataset.code;
      const parent = data.indicators.find((row) => row.code === code).parent;
      const j = children[parent].indexOf(code);
      const moved = Math.abs(local[parent][j] - snapshotLocal[parent][j]) > MOVED;
      tr.hidden = !moved;
      any ||= moved;
      setNumber(tr.querySelector('[data-role="local-was"]'), snapshotLocal[parent][j]);
      setNumber(tr.querySelector('[data-role="local"]'), local[parent][j]);
      setNumber(tr.querySelector('[data-role="global-was"]'), before[code]);
      setNumber(tr.querySelector('[data-role="global"]'), now[code]);
    });
    section.querySelector('#whatif-moved tr[data-role="none"]').hidden = any;
  };

  const drawControls = (except) => {
    section.querySelectorAll("fieldset[data-node]").forEach((fieldset) => {
      const weights = local[fieldset.dataset.node];
      fieldset.querySelectorAll(".whatif-weight").forEach((box, j) => {
        box.dataset.value = String(weights[j]);
        const range = box.querySelector('[data-role="range"]');
        const number = box.querySelector('[data-role="number"]');
        if (range !== except) range.value = String(weights[j]);
        if (number !== except) number.value = fixed(weights[j]);
      });
    });
  };

  const summary = section.querySelector("#whatif-summary");
  let summaryTimer = null;
  const summarise = (ordered, prefix) => {
    const top = ordered[0];
    const text = fill(msg.msgSummary, {
      subject: top.subject.name,
      score: fixed(top.score),
      ranks: ordered.filter((row) => row.rank !== row.subject.rank).length,
      grades: ordered.filter((row) => row.grade !== row.subject.grade).length,
    });
    summary.textContent = prefix ? `${prefix} ${text}` : text;
  };

  const draw = ({ except = null, prefix = "", now = false } = {}) => {
    const ordered = results();
    drawSubjects(ordered);
    drawMoved();
    drawControls(except);
    clearTimeout(summaryTimer);
    if (now) summarise(ordered, prefix);
    else summaryTimer = setTimeout(() => summarise(ordered, prefix), SUMMARY_DELAY);
  };

  // --- moving -------------------------------------------------------------------------------

  const move = (node, k, x, input) => {
    if (!run || run.node !== node || run.child !== k) {
      run = { node, child: k, anchor: local[node].slice() };
    }
    local[node] = movedWeights(run.anchor, k, x);
    pristine = false;
    draw({ except: input });
  };

  // A typed weight: a number from 0 to 1, else a message naming the rule and nothing moves.
  const typed = (input) => {
    const text = input.value.trim();
    const x = Number(text);
    const box = input.closest(".whatif-weight");
    const error = box.querySelector('[data-role="error"]');
    const ok = text !== "" && input.validity.valid && Number.isFinite(x) && x >= 0 && x <= 1;
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    error.textContent = ok ? "" : msg.msgInvalid;
    return ok ? x : null;
  };

  section.querySelectorAll("fieldset[data-node]").forEach((fieldset) => {
    const node = fieldset.dataset.node;
    fieldset.querySelectorAll(".whatif-weight").forEach((box, k) => {
      const range = box.querySelector('[data-role="range"]');
      const number = box.querySelector('[data-role="number"]');
      range.addEventListener("input", () => move(node, k, Number(range.value), range));
      const commit = () => {
        const x = typed(number);
        if (x !== null && x !== local[node][k]) move(node, k, x, number);
      };
      number.addEventListener("change", commit);
      number.addEventListener("keydown", (event) => { if (event.key === "Enter") commit(); });
    });
  });

  const picker = section.querySelector("#whatif-node");
  picker.addEventListener("change", () => {
    section.querySelectorAll("fieldset[data-node]").forEach((fieldset) => {
      fieldset.hidden = fieldset.dataset.node !== picker.value;
    });
  });

  section.querySelector("#whatif-reset").addEventListener("click", () => {
    local = copy(snapshotLocal);
    run = null;
    pristine = true;
    section.querySelectorAll('[data-role="number"]').forEach((input) => input.removeAttribute("aria-invalid"));
    section.querySelectorAll('[data-role="error"]').forEach((error) => { error.textContent = ""; });
    draw({ prefix: msg.msgReset, now: true });
  });

  section.hidden = false;
  draw({ now: true });
  // The section was hidden when ahpanel.js gave the tables that scroll sideways a tab stop:
  // let it look again now that these tables have a width.
  window.dispatchEvent(new Event("resize"));
})();
