/** What `npm run ledger -- <command> --help` prints: one text per command and subcommand. */

const ENVIRONMENT =
  'Configuration comes from the environment: PORT, HOST, LEDGER_DATA_DIR, LEDGER_STORE, LEDGER_TOKENS, LOG_LEVEL.';

export const overallUsage = `Usage: npm run ledger -- <command> [options]      (-h or --help after any command: its usage)

Commands:
  serve                                   start the HTTP API (the same as npm start)
  demo [--illustrative]                   load the meetings the State Department media note of 5 July 2017
                                          announces; --illustrative adds invented attendance and outcomes
  projections rebuild [name]              replay the log from zero into a projection's saved state
                                          (all of agenda, attendance, timeline when no name is given)
  replay [--as-of <position|time>] [--at <date>] [--projection name]
                                          print projections exactly as the ledger stood then, as JSON
  audit verify [--checkpoint file]... [--public-key file.pem]
                                          recompute every hash, chain and checkpoint, reading only; exit 1
                                          at a break, and prove the log extends each checkpoint file given
  audit public-key                        print the public key checkpoints are signed with (PEM)
  audit checkpoint                        sign a checkpoint of the log now and print it (> cp.txt)
  audit prove --position <p> --checkpoint <file>
                                          inclusion proof of an event, verified against the checkpoint
  audit consistency <old.txt> <new.txt>   consistency proof between two checkpoints, verified
  audit replay [--as-of <position|time>]  rebuild every projection up to then and print digests; at the
                                          head, compare with the live projections
  tokens list                             managed API tokens (ids, roles, actors, revoked or not)
  tokens add --role <role> [--name <n>]   create a token; prints it once on stdout (stored as a digest)
  tokens revoke <id|actor>                revoke a token; a running server stops accepting it in seconds
  export [--format ndjson] [--to file]    the whole log, one event per line, with hashes
  import --from <file>                    append an export into an empty store, all or nothing (every line
                                          checked first), then verify it
  help [command]                          this text, or a command's

Exit codes: 0 done, 1 refused or failed (one line on stderr), 2 a mistake on the command line.
${ENVIRONMENT}`;

const help = (usage: string, ...lines: string[]) => [`Usage: npm run ledger -- ${usage}`, '', ...lines].join('\n');

export const commandHelp = {
  serve: help(
    'serve',
    'Starts the HTTP API on HOST:PORT (default 127.0.0.1:3000) over the data directory, as npm start does.',
    'It takes the data directory for itself: demo, import, tokens and projections rebuild wait for it to stop.',
    ENVIRONMENT,
  ),
  demo: help(
    'demo [--illustrative]',
    'Loads what the State Department media note of 5 July 2017 says, as it says it: the meetings of',
    '11-13 July 2017 as scheduled (the note gives days only: each starts at 12:00 local time on its day,',
    'a placeholder, and has no end), their agendas, the observers named for the Small Group, the Mosul',
    'and Raqqa assessments as of 5 July, and the two earlier meetings the note names. Running it again',
    'appends nothing.',
    '',
    '  --illustrative   also load invented data to try the attendance and outcome features: members,',
    '                   attendance, working-group outcomes, the Lake Chad Basin assessment, closings.',
    '                   Each such event carries metadata.illustrative = true.',
  ),
  projections: help(
    'projections rebuild [name]',
    "Replays the log from zero into a projection's saved state (every projection when no name is given:",
    'agenda, attendance, timeline). Refused, exit 1, while a server runs on the data directory.',
  ),
  'projections rebuild': help(
    'projections rebuild [agenda|attendance|timeline]',
    "Replays the log from zero into the named projection's saved state, or into all of them, in one read",
    'of the log. Refused, exit 1, while a server runs on the data directory. Says where it stands on',
    'stderr every 5 s (position, share of the log, rate, time left); the result goes to stdout.',
  ),
  replay: help(
    'replay [--as-of <position|instant>] [--at <YYYY-MM-DD>] [--projection agenda|attendance|timeline]',
    'Prints the projections exactly as the ledger stood at a log position, or at the last event it had',
    'recorded by an instant (recording time: what an auditor asks). Reads only.',
    '',
    '  --as-of        a position (40) or an ISO 8601 instant with an offset (2017-07-12T23:59:59Z); the',
    '                 head when left out. A position past the head is refused; an instant before the',
    '                 first recorded event answers position 0, and says so on stderr.',
    '  --at           a business date: only meetings that started on or before that day (UTC) and',
    '                 timeline entries dated on or before it, with each theatre at its stage of that day.',
    '  --projection   one projection only.',
  ),
  audit: help(
    'audit <verify|public-key|checkpoint|prove|consistency|replay> [options]',
    'Checks the ledger the way an outside auditor would; `audit <action> --help` for each action.',
  ),
  'audit verify': help(
    'audit verify [--checkpoint file]... [--public-key file.pem]',
    'Recomputes every hash, chain and checkpoint, reading only; with checkpoint files saved earlier, also',
    'proves the log extends each. Prints a JSON report; exit 1 at the first break.',
  ),
  'audit public-key': help(
    'audit public-key',
    "Prints the public key (PEM) checkpoints are signed with, from the data directory's signing key.",
  ),
  'audit checkpoint': help(
    'audit checkpoint',
    'Signs a checkpoint of the log as it stands and prints its text: save it (> cp.txt) to check later.',
  ),
  'audit prove': help(
    'audit prove --position <p> --checkpoint <file>',
    "Prints the inclusion proof of the event at a position in the checkpoint's tree, verified.",
  ),
  'audit consistency': help(
    'audit consistency <old checkpoint file> <new checkpoint file>',
    "Proves, and verifies, that the newer checkpoint's log extends the older one's.",
  ),
  'audit replay': help(
    'audit replay [--as-of <position|instant>]',
    'Replays the whole log from zero into scratch projections and compares digests of their answers with',
    "the live projections' as of that position (the head when left out; a position past it is refused).",
    'Exit 1 if any disagrees.',
  ),
  tokens: help(
    'tokens <list|add|revoke> [options]',
    "Manages the API tokens in the data directory's token file; `tokens <action> --help` for each.",
  ),
  'tokens list': help('tokens list', 'Lists the managed API tokens: ids, roles, actors, revoked or not.'),
  'tokens add': help(
    'tokens add --role <secretariat|auditor|reporter> [--name <name>]',
    'Creates a token and prints it once on stdout (TOKEN=$(npm run -s ledger -- tokens add ...)); only its',
    'digest is kept.',
  ),
  'tokens revoke': help(
    'tokens revoke <id|actor>',
    'Revokes one token; a running server stops accepting it within seconds.',
  ),
  export: help(
    'export [--format ndjson] [--to <file>]',
    'Writes the whole log, one event per line with its hashes, to stdout or to a new file. Reads only: it',
    'runs beside a server.',
  ),
  import: help(
    'import --from <file>',
    'Appends an NDJSON export into an empty store, all or nothing: every line is checked first, a refusal',
    'names the line and leaves nothing behind. Then verifies the ledger.',
  ),
  help: help('help [command]', 'Prints the usage of the whole CLI, or of one command.'),
} as const;

export type HelpTopic = keyof typeof commandHelp;
