// Asking for a secret on the terminal without echoing it.
import readline from 'node:readline';

export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    const output = process.stderr;
    output.write(question);
    const rl = readline.createInterface({ input, terminal: true });
    // Swallow echo: readline writes typed characters through _writeToOutput.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      output.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      output.write('\n');
      reject(Object.assign(new Error('cancelled'), { code: 'ABORTED' }));
    });
  });
}
