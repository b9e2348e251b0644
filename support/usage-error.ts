// A bad command-line flag or value, for every command of the project (npm start, npm run invoke):
// the command prints the message and exits with code 2.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
