/** `npm run soak -- --minutes N [--heap-snapshots DIR]` (default 30 minutes): see test/soak/soak.ts. */
import { formatSoakReport, runSoak } from "./soak";

const flag = process.argv.indexOf("--minutes");
const minutes = flag >= 0 ? Number(process.argv[flag + 1]) : 30;
if (!(minutes > 0)) {
  process.stderr.write(`Expected --minutes to be a number > 0, got ${process.argv[flag + 1]}\n`);
  process.exit(2);
}
const snapshots = process.argv.indexOf("--heap-snapshots");
const heapSnapshotDir = snapshots >= 0 ? process.argv[snapshots + 1] : undefined;
runSoak({ minutes, heapSnapshotDir, log: (line) => process.stdout.write(`  … ${line}\n`) }).then(
  (report) => {
    process.stdout.write(`${formatSoakReport(report)}\n`);
    process.exit(report.duplicateCrmWrites === 0 && report.cleanShutdown ? 0 : 1);
  },
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
