// CI reads a plain closing line to tell a run that executed no test from a green one. Jest prints
// its own summary after the reporters' onRunComplete, so the line is written as the process exits.
class CountReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped\n`;
    process.once('exit', () => process.stdout.write(line));
  }
}
module.exports = CountReporter;
