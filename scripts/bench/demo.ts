/**
 * bench:demo — seeds a fresh `--demo` data folder as `npm start -- --demo` does (the site on the
 * embedded hub, the demo images generated once, imported, some published) and prints what was
 * written, series by series (size, frames, transfer syntax), and how long each step took.
 *
 *   npm run bench:demo
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStudyshareApp } from '../../electron/main/app/create-app';
import { seedDemo } from '../../electron/main/demo/seed-demo';
import { writeDemoStudies } from '../../electron/main/demo/write-demo-studies';

const SYNTAX_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
  '1.2.840.10008.1.2.5': 'RLE lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG baseline (lossy)',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 (lossy)',
  '1.2.840.10008.1.2.4.201': 'HTJ2K lossless',
};

const root = mkdtempSync(path.join(tmpdir(), 'studyshare-bench-demo-'));
try {
  // 1. The images alone, to list them.
  const cpuBefore = process.cpuUsage();
  const written = await writeDemoStudies(path.join(root, 'images-only'), { fillerStudies: 294 });
  const cpu = process.cpuUsage(cpuBefore);
  console.log('Showcase series:');
  for (const series of written.series.slice(0, 10)) {
    console.log(
      `  ${series.study.padEnd(27)} ${series.modality.padEnd(3)} ${series.series.padEnd(27)} ${String(series.files).padStart(3)} files ${String(series.frames).padStart(3)} frames ${`${series.rows}×${series.columns}`.padEnd(10)} ${SYNTAX_NAMES[series.transferSyntaxUid].padEnd(26)} ${(series.bytes / 1e6).toFixed(1).padStart(5)} MB`,
    );
  }
  const worklist = new Map<string, { series: number; bytes: number; syntax: Set<string> }>();
  for (const series of written.series.slice(10)) {
    const entry = worklist.get(series.study) ?? { series: 0, bytes: 0, syntax: new Set<string>() };
    entry.series += 1;
    entry.bytes += series.bytes;
    entry.syntax.add(SYNTAX_NAMES[series.transferSyntaxUid]);
    worklist.set(series.study, entry);
  }
  console.log('Worklist studies (shared encodings, new headers):');
  for (const [study, entry] of worklist) {
    console.log(`  ${study.padEnd(31)} ${String(entry.series).padStart(3)} series ${(entry.bytes / 1e6).toFixed(1).padStart(5)} MB  ${[...entry.syntax].join(', ')}`);
  }
  console.log(
    `Generated ${written.studies} studies, ${written.files} files, ${(written.bytes / 1e6).toFixed(1)} MB in ${(written.milliseconds / 1000).toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`,
  );

  // 2. The whole --demo seed on a fresh data folder, as a user meets it.
  const dataDir = path.join(root, 'data');
  const app = createStudyshareApp(dataDir, { kind: 'browser' }, { syncEveryMs: 0 });
  await app.start();
  const started = performance.now();
  await seedDemo(app, dataDir, (line) => console.log(`  seed: ${line}`));
  console.log(`--demo seeding on a fresh data folder: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  await app.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
