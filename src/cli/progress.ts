import ora from 'ora';

/**
 * Runs `work` behind a spinner on stderr when stderr is a terminal; in a pipe or CI it prints nothing
 * (ora turns itself off), so scripted output stays clean. The spinner ends with a tick or a cross.
 */
export async function withProgress<T>(text: string, work: () => Promise<T>): Promise<T> {
  const spinner = ora({ text, stream: process.stderr, discardStdin: false, isSilent: process.stderr.isTTY !== true }).start();
  try {
    const out = await work();
    spinner.succeed();
    return out;
  } catch (err) {
    spinner.fail();
    throw err;
  }
}
