// dsc exit codes (documented in README.md): scripts branch on these, so they never change meaning.
export const EXIT = {
  OK: 0,
  /** The config file is invalid, or `status` shows a FAILED connector. */
  INVALID: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  /** The API cannot be reached, refused our credentials, or failed itself. */
  UNAVAILABLE: 5,
  /** `dsc run` of mode=eof connectors stopped by SIGINT/SIGTERM before all FINISHED (128 + SIGINT, by convention). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForStatus(status: number): ExitCode {
  if (status < 400) return EXIT.OK;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 409) return EXIT.CONFLICT;
  if (status === 401 || status === 403 || status >= 500) return EXIT.UNAVAILABLE;
  return EXIT.INVALID;
}
