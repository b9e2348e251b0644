// Where the local Lambda's log lines go: the server's stdout by default, a list in tests.

export type LogSink = (line: string) => void;
