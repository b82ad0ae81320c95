/**
 * PostgreSQL's error codes (SQLSTATE, Appendix A of its manual) by name, and
 * the one way to read them off any driver's error: pg, PGlite and pg-mem all
 * put the code on `error.code`.
 */
export const SQLSTATE = {
  uniqueViolation: '23505',
  insufficientPrivilege: '42501',
  undefinedTable: '42P01',
  undefinedObject: '42704',
  invalidParameterValue: '22023',
  lockNotAvailable: '55P03',
  queryCanceled: '57014',
  readOnlyTransaction: '25006',
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  invalidCatalogName: '3D000',
  tooManyConnections: '53300',
  dependentObjectsStillExist: '2BP01',
  objectInUse: '55006',
} as const;

export type SqlStateName = keyof typeof SQLSTATE;

/** The five-character SQLSTATE of a database error, or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when `error` is a database error with one of the named codes. */
export function hasSqlState(error: unknown, ...names: SqlStateName[]): boolean {
  const code = sqlState(error);
  return code !== undefined && names.some((name) => SQLSTATE[name] === code);
}
