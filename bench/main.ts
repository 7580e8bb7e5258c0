/** npm run bench [-- commands|replay|scale] [--store postgres]: commands/s against the HTTP ceiling (default), projection replay, or history at scale. */
const which =
  process.argv.slice(2).find((arg, i, args) => !arg.startsWith('--') && args[i - 1] !== '--store') ?? 'commands';
if (which === 'commands') await import('./commands.js');
else if (which === 'replay') await import('./replay.js');
else if (which === 'scale') await import('./scale/main.js');
else {
  process.stderr.write(`Unknown bench ${which}: use commands, replay or scale\n`);
  process.exit(2);
}
