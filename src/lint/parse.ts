import { createRequire } from 'node:module';

/** One statement as the PostgreSQL parser sees it. */
export interface ParsedStatement {
  /** the node type: IndexStmt, AlterTableStmt, … */
  type: string;
  /** the node's fields (libpg-query's JSON AST) */
  node: any;
  /** the statement's own text */
  sql: string;
  /** 1-based line of its first character within the parsed text */
  line: number;
}

export interface ParseFailure {
  message: string;
  /** 1-based line and column of the parser's cursor position */
  line: number;
  column: number;
}

type LibPgQuery = typeof import('libpg-query');
let parser: Promise<LibPgQuery> | undefined;

/**
 * The real PostgreSQL parser (libpg-query, compiled to WASM: no native build).
 * Loaded once, on first use, so commands that never lint never pay for it.
 */
export function loadParser(): Promise<LibPgQuery> {
  parser ??= (async () => {
    // the package is CommonJS-first; its ESM entry re-exports the same module
    const lib = createRequire(import.meta.url)('libpg-query') as LibPgQuery;
    await lib.loadModule();
    return lib;
  })();
  return parser;
}

/** Splits and parses SQL text; a syntax error comes back as data, with its position. */
export async function parseSql(text: string): Promise<{ statements: ParsedStatement[] } | { error: ParseFailure }> {
  const lib = await loadParser();
  let result: { stmts?: Array<{ stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number }> };
  try {
    result = lib.parseSync(text) as never;
  } catch (error) {
    const details = (error as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    const message = details?.message ?? (error as Error).message;
    const { line, column } = position(text, details?.cursorPosition ?? 0);
    return { error: { message, line, column } };
  }
  const statements: ParsedStatement[] = [];
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue;
    const [type, node] = Object.entries(raw.stmt)[0] ?? [];
    if (!type) continue;
    // libpg-query counts UTF-8 bytes; the SQL here is what Kysely compiled, so count on bytes too
    const bytes = Buffer.from(text, 'utf8');
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const sqlText = bytes.subarray(start, end).toString('utf8');
    const lead = sqlText.length - sqlText.trimStart().length;
    const offset = bytes.subarray(0, start).toString('utf8').length + lead;
    statements.push({ type, node, sql: sqlText.trim(), line: position(text, offset).line });
  }
  return { statements };
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}
