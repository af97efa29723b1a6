// k6 provides a global `console`; @types/k6 does not declare it and the scenarios' lib has no DOM.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
