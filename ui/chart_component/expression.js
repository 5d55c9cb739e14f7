// The small expression trees of a "curve" trace (ui/chart.py): a number, a name (the variable
// "x" or a channel of the series), or [op, arg, ...] with a binary + - * / or a unary neg,
// tanh, exp. E.g. a fitted line ["+", ["*", "w", "x"], "b"].

const BINARY = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
};
const UNARY = { neg: (a) => -a, tanh: Math.tanh, exp: Math.exp };

// The names an expression reads (besides "x"), each once.
export function namesIn(expression, names = new Set()) {
  if (typeof expression === "string") {
    if (expression !== "x") names.add(expression);
  } else if (Array.isArray(expression)) {
    for (const argument of expression.slice(1)) namesIn(argument, names);
  }
  return names;
}

// The value of `expression` with `values` for its names (a name without one is an error).
export function evaluate(expression, values) {
  if (typeof expression === "number") return expression;
  if (typeof expression === "string") {
    const value = values[expression];
    if (value === undefined) throw new Error(`curve expression: unknown name "${expression}"`);
    return value;
  }
  if (!Array.isArray(expression)) {
    throw new Error(`curve expression: ${JSON.stringify(expression)} is not a term`);
  }
  const [op, ...args] = expression;
  if (op in BINARY && args.length === 2) {
    return BINARY[op](evaluate(args[0], values), evaluate(args[1], values));
  }
  if (op in UNARY && args.length === 1) return UNARY[op](evaluate(args[0], values));
  throw new Error(`curve expression: ${JSON.stringify(op)} with ${args.length} arguments`);
}
