import type { Command } from 'commander';
import { PerfpilotError } from '../../errors.js';

export function register(program: Command): void {
  program
    .command('collect')
    .description('sample every source over a short window and print the snapshot')
    .option('--duration <duration>', 'how long to wait between the two samples', '5s')
    .option('--env <name>', 'environment name')
    .option('--json', 'print the snapshot as JSON')
    .option('--config <file>', 'configuration file')
    .action(() => {
      throw new PerfpilotError('collect is not built yet');
    });
}
