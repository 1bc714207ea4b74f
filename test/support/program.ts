import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { waitForPort } from './ports.js';

export interface ProgramOptions {
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly stdio?: StdioOptions;
  /** How long the program may take to listen (default 20 s). */
  readonly timeoutMs?: number;
}

/** Spawns a server program and resolves once it accepts TCP connections on `port` of 127.0.0.1. */
export async function startProgram(cmd: string, args: readonly string[], port: number, options: ProgramOptions = {}): Promise<ChildProcess> {
  const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: options.stdio ?? 'ignore' });
  try {
    await waitForPort(port, options.timeoutMs ?? 20_000);
  } catch (err) {
    child.kill('SIGKILL'); // a program that never listened must not outlive the test
    throw err;
  }
  return child;
}
