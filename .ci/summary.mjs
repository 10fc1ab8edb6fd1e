// Prints vitest's JSON report as one plain closing line: "tests: N passed, N failed".
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const files = report.testResults.length;
console.log(`test files: ${files}`);
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
