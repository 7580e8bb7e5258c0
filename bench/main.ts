/** npm run bench [-- commands|replay] [--store postgres]: commands/s against the HTTP ceiling (default), or projection replay. */
const which =
  process.argv.slice(2).find((arg, i, args) => !arg.startsWith('--') && args[i - 1] !== '--store') ?? 'commands';
if (which === 'commands') await import('./commands.js');
else if (which === 'replay') await import('./replay.js');
else {
  process.stderr.write(`Unknown bench ${which}: use commands or replay\n`);
  process.exit(2);
}
