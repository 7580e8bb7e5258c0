import { loadConfig } from '../config.js';
import {
  auditCheckpoint,
  auditConsistency,
  auditProve,
  auditPublicKey,
  auditReplay,
  auditVerify,
} from './auditCommands.js';
import { parseOptions, UsageError } from './commandLine.js';
import { AuditCliRefusal } from './readOnlyLedger.js';

type Print = (line: string) => void;

/** `audit <action> ...`: a refusal is one line on stderr and its exit code. */
export const audit = async (args: string[], print: Print): Promise<number> => {
  try {
    return await auditCommand(args, print);
  } catch (error) {
    if (!(error instanceof AuditCliRefusal)) throw error;
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
};

const auditCommand = async ([action, ...rest]: string[], print: Print): Promise<number> => {
  switch (action) {
    case 'verify': {
      const { values } = parseOptions('audit verify', rest, {
        checkpoint: { type: 'string', multiple: true },
        'public-key': { type: 'string' },
      });
      const options = { checkpointFiles: values.checkpoint ?? [], publicKeyFile: values['public-key'] };
      return auditVerify(loadConfig(), options, print);
    }
    case 'public-key':
      parseOptions('audit public-key', rest, {});
      return auditPublicKey(loadConfig(), print);
    case 'checkpoint':
      parseOptions('audit checkpoint', rest, {});
      return auditCheckpoint(loadConfig(), print);
    case 'replay': {
      const { values } = parseOptions('audit replay', rest, { 'as-of': { type: 'string' } });
      return auditReplay(loadConfig(), values['as-of'], print);
    }
    case 'prove': {
      const { values } = parseOptions('audit prove', rest, {
        position: { type: 'string' },
        checkpoint: { type: 'string' },
      });
      if (!values.position || !/^\d+$/.test(values.position) || !values.checkpoint) {
        throw new UsageError('audit prove needs --position <p> --checkpoint <file>', 'audit prove');
      }
      return auditProve(loadConfig(), Number(values.position), values.checkpoint, print);
    }
    case 'consistency': {
      const { positionals } = parseOptions('audit consistency', rest, {}, true);
      const [older, newer] = positionals;
      if (!older || !newer || positionals.length > 2) {
        throw new UsageError(
          'audit consistency needs <old checkpoint file> <new checkpoint file>',
          'audit consistency',
        );
      }
      return auditConsistency(loadConfig(), older, newer, print);
    }
    case undefined:
    default:
      throw new UsageError('audit takes: verify, public-key, checkpoint, prove, consistency, replay', 'audit');
  }
};
