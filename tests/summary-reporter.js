// Prints the run's closing line in the plain form CI reads ("N passed, N failed, N skipped"), as the
// very last output of the process, after Jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const line = `jest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`;
    process.on("exit", () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
