/** One thing wrong with the RLS setup, with the fix in one line. */
export interface RlsFinding {
  code: RlsFindingCode;
  /** what it is about: a table, policy or role */
  subject: string;
  message: string;
  /** the one line to run or do */
  fix: string;
  /**
   * who can repair it: `rls apply` (the sql/rls.sql script), `rls apply` when
   * connected as a superuser (role attributes), or a person
   */
  repair: 'apply' | 'superuser' | 'manual';
  /** the statement `rls apply` runs for a superuser repair */
  sql?: string;
}

export type RlsFindingCode =
  | 'table-missing'
  | 'rls-disabled'
  | 'rls-not-forced'
  | 'policy-missing'
  | 'policy-unexpected'
  | 'policy-always-true'
  | 'policy-no-with-check'
  | 'policy-per-row'
  | 'policy-changed'
  | 'policy-duplicate-permissive'
  | 'grants'
  | 'helper-missing'
  | 'helper-changed'
  | 'role-missing'
  | 'role-superuser'
  | 'role-bypassrls'
  | 'role-login'
  | 'app-role-missing'
  | 'app-role-superuser'
  | 'app-role-bypassrls'
  | 'app-role-owner'
  | 'app-role-not-member'
  | 'app-role-nologin'
  | 'app-role-in-auth'
  | 'auth-grants'
  | 'auth-role-missing'
  | 'auth-role-superuser'
  | 'auth-role-bypassrls'
  | 'auth-role-login'
  | 'role-in-app-and-auth';

export const APPLY_FIX = 'run `todo-db rls apply`';
