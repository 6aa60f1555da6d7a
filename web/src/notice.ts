/** A message shown above the login form (signed out, session expired). */
export interface Notice {
  tone: "info" | "error";
  text: string;
}
